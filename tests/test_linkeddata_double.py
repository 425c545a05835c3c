"""An rdflib-backed Store for the Linked Data tests, and the small dataset it serves."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import requests
from nzsa.store.base import QueryRejected, Store
from nzsa.store.terms import with_bindings
from nzsa.vocab import ID, Graphs
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

BASE = "https://w3id.org/nzsa/"
HIGH_DEGREE = 250  # concepts in the big scheme: more than two pages at the test page size

DATASET = """
@prefix country: <https://w3id.org/nzsa/id/country/> .
@prefix organisation: <https://w3id.org/nzsa/id/organisation/> .
@prefix membership: <https://w3id.org/nzsa/id/membership/> .
@prefix role: <https://w3id.org/nzsa/id/role/> .
@prefix source: <https://w3id.org/nzsa/id/source/> .
@prefix genid: <https://w3id.org/nzsa/.well-known/genid/> .
@prefix nzsa: <https://w3id.org/nzsa/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .

<https://w3id.org/nzsa/graph/ontology> {
  <https://w3id.org/nzsa/ontology> a owl:Ontology ;
      dcterms:title "nzsa ontology"@en .
  nzsa:State a owl:Class ; rdfs:label "state"@en ;
      skos:definition "A sovereign state."@en ;
      rdfs:isDefinedBy <https://w3id.org/nzsa/ontology> .
  nzsa:Organisation a owl:Class ; rdfs:label "organisation"@en ;
      skos:definition "An international organisation."@en ;
      rdfs:isDefinedBy <https://w3id.org/nzsa/ontology> .
  nzsa:Fact a owl:Class ; rdfs:label "fact"@en ;
      skos:definition "A stated relation."@en ;
      rdfs:isDefinedBy <https://w3id.org/nzsa/ontology> .
  nzsa:Membership a owl:Class ; rdfs:label "membership"@en ; rdfs:subClassOf nzsa:Fact ;
      skos:definition "A membership."@en ;
      rdfs:isDefinedBy <https://w3id.org/nzsa/ontology> .
  nzsa:ArmedForcesContribution a owl:Class ; rdfs:label "armed forces contribution"@en ;
      rdfs:subClassOf nzsa:Fact ; skos:definition "A contribution."@en ;
      rdfs:isDefinedBy <https://w3id.org/nzsa/ontology> .
  nzsa:Evidence a owl:Class ; rdfs:label "evidence"@en ;
      skos:definition "A quote."@en ;
      rdfs:isDefinedBy <https://w3id.org/nzsa/ontology> .
  nzsa:evidence a owl:ObjectProperty ; rdfs:label "evidence"@en ;
      skos:definition "Links to evidence."@en ;
      rdfs:isDefinedBy <https://w3id.org/nzsa/ontology> .
  org:memberOf a owl:ObjectProperty ; rdfs:label "member of"@en ;
      rdfs:isDefinedBy <http://www.w3.org/ns/org#> .
}

<https://w3id.org/nzsa/graph/data> {
  country:new-zealand a nzsa:State ;
      skos:prefLabel "New Zealand"@en ;
      skos:altLabel "Aotearoa"@mi ;
      nzsa:evidence genid:e1 .
  genid:e1 a nzsa:Evidence ;
      nzsa:quote "New Zealand works with partners <b>&</b> friends" ;
      prov:wasQuotedFrom source:regional-security .
  country:samoa a nzsa:State ; skos:prefLabel "Samoa"@en .
  organisation:asean-regional-forum a nzsa:Organisation ;
      skos:prefLabel "ASEAN Regional Forum"@en .
  role:member skos:prefLabel "member"@en .
  membership:new-zealand-asean-regional-forum a nzsa:Membership ;
      skos:prefLabel "New Zealand in the ASEAN Regional Forum"@en ;
      org:member country:new-zealand ;
      org:organization organisation:asean-regional-forum ;
      org:role role:member ;
      nzsa:evidence genid:e2 .
  genid:e2 a nzsa:Evidence ;
      nzsa:quote "We're a member of the ASEAN Regional Forum" ;
      prov:wasQuotedFrom source:regional-security .
  source:regional-security a nzsa:SourceDocument ;
      dcterms:title "Regional security"@en ;
      schema:url <https://www.mfat.govt.nz/regional-security> .
  country:script a nzsa:State ;
      skos:prefLabel "<script>alert('x')</script>"@en .
}

<https://w3id.org/nzsa/graph/inferred> {
  country:new-zealand org:memberOf organisation:asean-regional-forum ;
      org:hasMembership membership:new-zealand-asean-regional-forum .
  membership:new-zealand-asean-regional-forum a nzsa:Fact .
}

<https://w3id.org/nzsa/graph/shapes> {
  <https://w3id.org/nzsa/shapes#StateShape> a sh:NodeShape ;
      rdfs:label "state shape"@en ;
      sh:targetClass nzsa:State .
}
"""

NZ = ID["country/new-zealand"]
ARF = ID["organisation/asean-regional-forum"]
MEMBERSHIP = ID["membership/new-zealand-asean-regional-forum"]
SCHEME = ID["scheme/threats"]


def make_dataset() -> Dataset:
    """Return the test dataset: the TriG above and a scheme with many concepts."""
    dataset = Dataset(default_union=True)
    dataset.parse(data=DATASET, format="trig")
    data = dataset.graph(Graphs.DATA)
    data.add((SCHEME, SKOS.prefLabel, Literal("Threats", lang="en")))
    for n in range(HIGH_DEGREE):
        concept = ID[f"threat/threat-{n:03d}"]
        data.add((concept, RDF.type, SKOS.Concept))
        data.add((concept, SKOS.prefLabel, Literal(f"Threat {n:03d}", lang="en")))
        data.add((concept, SKOS.inScheme, SCHEME))
    return dataset


class RdflibStore(Store):
    """A Store over an rdflib Dataset whose default graph is the union of its graphs."""

    def __init__(self, dataset: Dataset | None = None):
        self.dataset = dataset if dataset is not None else make_dataset()
        self.queries = 0  # how many of our own queries ran (to show caching works)

    def execute(self, request):
        raise QueryRejected("the test store answers only the Linked Data queries")

    def select(self, query: str, bindings: Mapping[str, URIRef] | None = None) -> list[dict]:
        self.queries += 1
        result = self.dataset.query(with_bindings(query, bindings))
        return [row.asdict() for row in result]

    def construct(self, query: str, bindings: Mapping[str, URIRef] | None = None) -> Graph:
        self.queries += 1
        graph = Graph()
        graph += self.dataset.query(with_bindings(query, bindings)).graph
        return graph

    def version(self) -> str:
        return hashlib.sha256(str(len(self.dataset)).encode()).hexdigest()[:16]


VOID = """
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
<https://w3id.org/nzsa/dataset> a void:Dataset, dcat:Dataset ;
    dcterms:title "New Zealand's international security architecture"@en ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    void:uriSpace "https://w3id.org/nzsa/id/" ;
    void:sparqlEndpoint <https://w3id.org/nzsa/sparql> ;
    void:dataDump <https://w3id.org/nzsa/download/nzsa.ttl>,
        <https://w3id.org/nzsa/download/nzsa.nq> ;
    dcat:distribution <https://w3id.org/nzsa/download/nzsa.ttl> .
<https://w3id.org/nzsa/download/nzsa.ttl> a dcat:Distribution ;
    dcat:downloadURL <https://w3id.org/nzsa/download/nzsa.ttl> .
<https://w3id.org/nzsa/sparql> a dcat:DataService, sd:Service ;
    dcat:endpointURL <https://w3id.org/nzsa/sparql> ;
    sd:endpoint <https://w3id.org/nzsa/sparql> .
"""

# Files a build writes that the tests download; `secret.txt` is in the directory but not
# in SHA256SUMS, so it must never be served.
DUMPS = ("nzsa.nq", "nzsa.ttl", "void.ttl")


def write_build(directory: Path) -> Path:
    """Write the test dataset as a build directory: dumps, VoID, SHA256SUMS, a stray file."""
    directory.mkdir(parents=True, exist_ok=True)
    dataset = make_dataset()
    (directory / "nzsa.nq").write_bytes(dataset.serialize(format="nquads", encoding="utf-8"))
    asserted = Graph()
    for graph in (Graphs.ONTOLOGY, Graphs.DATA):
        asserted += dataset.graph(graph)
    asserted.serialize(directory / "nzsa.ttl", format="turtle")
    (directory / "void.ttl").write_text(VOID, encoding="utf-8")
    (directory / "secret.txt").write_text("not published\n", encoding="utf-8")
    sums = "".join(
        f"{hashlib.sha256((directory / name).read_bytes()).hexdigest()}  {name}\n"
        for name in sorted(DUMPS)
    )
    (directory / "SHA256SUMS").write_text(sums, encoding="utf-8")
    return directory


TIMEOUT = 30  # seconds for any one request (pyLODE's first page takes a few)


def start_ld_server(nzsa_server, tmp_path_factory, engine_endpoint=None, engine="embedded",
                    **settings):  # fmt: skip
    """Start `nzsa serve` on the Linked Data test build (a scheme of 250 concepts: 3 pages).

    With `engine` `oxigraph` or `virtuoso`, the build is served from that remote engine.
    """
    build = write_build(tmp_path_factory.mktemp("ld-build"))
    if engine != "embedded":
        settings = {"STORE": "remote", "REMOTE_ENDPOINT": engine_endpoint(engine, build),
                    **settings}  # fmt: skip
    return nzsa_server(build, **{"PAGE_SIZE": 100, "WORKERS": 1, "THREADS": 4, **settings})


def get(server, path: str, accept: str | None = None, **kwargs) -> requests.Response:
    """GET a path from a running server without following redirects."""
    headers = kwargs.pop("headers", {})
    if accept is not None:
        headers["Accept"] = accept
    return requests.request(
        kwargs.pop("method", "GET"),
        server.url + path,
        headers=headers,
        allow_redirects=False,
        timeout=TIMEOUT,
        **kwargs,
    )


def test_select_binds_variables():
    rows = RdflibStore().select(
        "SELECT ?this ?label WHERE { ?this <http://www.w3.org/2004/02/skos/core#prefLabel> "
        "?label }",
        {"this": NZ},
    )
    assert [str(row["label"]) for row in rows] == ["New Zealand"]


def test_union_default_graph_includes_inferred_triples():
    graph = RdflibStore().construct(
        "CONSTRUCT { ?this ?p ?o } WHERE { #bindings\n ?this ?p ?o }", {"this": NZ}
    )
    assert (NZ, URIRef("http://www.w3.org/ns/org#memberOf"), ARF) in graph
