"""Describe the dataset in VoID and DCAT: counts, partitions, dumps, endpoint, licence."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping

from rdflib import OWL, RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..formats import FORMATS
from ..linking.wikidata import LINKSET_FILE, QUICKSTATEMENTS_FILE, links
from ..load import skolemise
from ..vocab import BASE_IRI, DCAT, ID, ONTOLOGY_IRI, SD, VOID, WIKIDATA, Graphs

DATASET = URIRef(BASE_IRI + "dataset")
LINKSET = URIRef(BASE_IRI + "dataset/wikidata-links")
WIKIDATA_DATASET = URIRef("http://www.wikidata.org/")
ENDPOINT = URIRef(BASE_IRI + "sparql")
DOWNLOAD = BASE_IRI + "download/"
LICENCE = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "https://www.iana.org/assignments/media-types/"

# The file each named graph is published as on its own (nzsa.* hold ontology + data).
DESCRIPTION = (
    "Organisations, forums, states, agencies, agreements, programmes, operations, "
    "meetings, threats and cooperation areas of New Zealand's international security "
    "relationships, each fact with its source and a verbatim quote. The counts are of "
    "the ontology and data as asserted (nzsa.ttl, .nt, .jsonld, .rdf); nzsa.trig and "
    "nzsa.nq hold every named graph, each counted as a subset, inferred triples apart."
)
QUICKSTATEMENTS_TEXT = (
    "QuickStatements (V1) adding to each linked Wikidata item an exact match (P2888) to "
    "this dataset's IRI for it; see docs/WIKIDATA.md."
)
GRAPH_FILES = {
    Graphs.ONTOLOGY: "ontology.ttl",
    Graphs.INFERRED: "inferred.ttl",
    Graphs.SHAPES: "shapes.ttl",
}
GRAPH_TITLES = {
    Graphs.ONTOLOGY: "the ontology",
    Graphs.DATA: "the instance data",
    Graphs.INFERRED: "triples entailed by OWL 2 RL reasoning, not asserted",
    Graphs.SHAPES: "the SHACL shapes",
}


def _media_type(name: str) -> str:
    suffix = "." + name.rsplit(".", 1)[-1]
    return next(f.media_type for f in FORMATS if f.suffix == suffix and f.kind != "results")


def statistics(graph: Graph) -> dict[URIRef, int]:
    """Return the VoID statistics of `graph` (void:triples, void:entities, void:classes ...)."""
    return {
        VOID.triples: len(graph),
        VOID.entities: len({s for s in graph.subjects() if str(s).startswith(str(ID))}),
        VOID.classes: len(set(graph.objects(None, RDF.type))),
        VOID.properties: len(set(graph.predicates())),
        VOID.distinctSubjects: len(set(graph.subjects())),
        VOID.distinctObjects: len(set(graph.objects())),
    }


def _add_counts(void: Graph, node: URIRef, counts: Mapping[URIRef, int]) -> None:
    for predicate, value in counts.items():
        void.add((node, predicate, Literal(value, datatype=XSD.integer)))


def _example_resources(graph: Graph) -> list[URIRef]:
    nz = ID["country/new-zealand"]
    entities = sorted(s for s in set(graph.subjects()) if str(s).startswith(str(ID)))
    chosen = [nz] if nz in entities else []
    return chosen + [e for e in entities[:1] if e not in chosen]


def _describe_dumps(void: Graph, dataset: URIRef, files: Mapping[str, int]) -> None:
    for name, size in sorted(files.items()):
        dump = URIRef(DOWNLOAD + name)
        void.add((dataset, VOID.dataDump, dump))
        void.add((dataset, DCAT.distribution, dump))
        void.add((dump, RDF.type, DCAT.Distribution))
        void.add((dump, DCAT.downloadURL, dump))
        void.add((dump, DCAT.mediaType, URIRef(IANA + _media_type(name))))
        # xsd:integer, as every count here: the store gives a derived type back as integer.
        void.add((dump, DCAT.byteSize, Literal(size, datatype=XSD.integer)))
        void.add((dump, DCTERMS.title, Literal(name)))


def describe(asserted: Graph, graphs: Mapping[URIRef, Graph], dumps: Mapping[str, int]) -> Graph:
    """Return the VoID/DCAT description of the published dataset.

    `asserted` is ontology + data (what nzsa.ttl/.nt/.jsonld/.rdf hold); `graphs` the named
    graphs (nzsa.trig/.nq hold all of them); `dumps` maps each dump file to its size.
    """
    void = Graph()
    for prefix, namespace in (
        ("void", VOID),
        ("dcat", DCAT),
        ("dcterms", DCTERMS),
        ("sd", SD),
        ("xsd", XSD),
        ("skos", SKOS),
    ):
        void.bind(prefix, namespace)
    for prefix, namespace in asserted.namespaces():
        void.bind(prefix, namespace, override=False)

    void.add((DATASET, RDF.type, VOID.Dataset))
    void.add((DATASET, RDF.type, DCAT.Dataset))
    void.add(
        (
            DATASET,
            DCTERMS.title,
            Literal("New Zealand's international security architecture", lang="en"),
        )
    )
    void.add((DATASET, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    void.add((DATASET, DCTERMS.license, LICENCE))
    # The release's version and date, as `nzsa release` writes them on the ontology.
    version = asserted.value(ONTOLOGY_IRI, OWL.versionInfo)
    if version is not None:
        void.add((DATASET, DCAT.version, Literal(str(version))))
    modified = asserted.value(ONTOLOGY_IRI, DCTERMS.modified)
    if modified is not None:
        void.add((DATASET, DCTERMS.modified, modified))
    void.add((DATASET, VOID.uriSpace, Literal(str(ID))))
    void.add((DATASET, VOID.sparqlEndpoint, ENDPOINT))
    void.add((DATASET, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    for example in _example_resources(asserted):
        void.add((DATASET, VOID.exampleResource, example))
    _add_counts(void, DATASET, statistics(asserted))

    classes = Counter(asserted.objects(None, RDF.type))
    for cls, count in sorted(classes.items()):
        partition = URIRef(f"{DATASET}#class-{_slug(cls)}")
        void.add((DATASET, VOID.classPartition, partition))
        void.add((partition, VOID["class"], cls))
        void.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    properties = Counter(asserted.predicates())
    for prop, count in sorted(properties.items()):
        partition = URIRef(f"{DATASET}#property-{_slug(prop)}")
        void.add((DATASET, VOID.propertyPartition, partition))
        void.add((partition, VOID.property, prop))
        void.add((partition, VOID.triples, Literal(count, datatype=XSD.integer)))

    for name, graph in graphs.items():
        void.add((DATASET, VOID.subset, name))
        void.add((name, RDF.type, VOID.Dataset))
        void.add((name, DCTERMS.title, Literal(f"named graph: {GRAPH_TITLES[name]}", lang="en")))
        void.add((name, SD.name, name))
        _add_counts(void, name, {VOID.triples: len(graph)})
        if name in GRAPH_FILES:
            void.add((name, VOID.dataDump, URIRef(DOWNLOAD + GRAPH_FILES[name])))
    # This description, which the store also holds as a named graph (store/disk.py); it
    # cannot count its own triples.
    void.add((DATASET, VOID.subset, Graphs.DESCRIPTION))
    void.add((Graphs.DESCRIPTION, RDF.type, VOID.Dataset))
    void.add(
        (Graphs.DESCRIPTION, DCTERMS.title, Literal("named graph: this description", lang="en"))
    )
    void.add((Graphs.DESCRIPTION, SD.name, Graphs.DESCRIPTION))
    void.add((Graphs.DESCRIPTION, VOID.dataDump, URIRef(DOWNLOAD + "void.ttl")))

    linked = links(asserted)
    void.add((DATASET, VOID.subset, LINKSET))
    void.add((LINKSET, RDF.type, VOID.Linkset))
    void.add((LINKSET, DCTERMS.title, Literal("links to Wikidata", lang="en")))
    void.add((LINKSET, VOID.linkPredicate, SKOS.exactMatch))
    void.add((LINKSET, VOID.subjectsTarget, DATASET))
    void.add((LINKSET, VOID.objectsTarget, WIKIDATA_DATASET))
    _add_counts(
        void,
        LINKSET,
        {
            VOID.triples: len(linked),
            VOID.distinctSubjects: len({ours for ours, _ in linked}),
            VOID.distinctObjects: len({item for _, item in linked}),
        },
    )
    void.add((LINKSET, VOID.dataDump, URIRef(DOWNLOAD + LINKSET_FILE)))
    void.add((WIKIDATA_DATASET, RDF.type, VOID.Dataset))
    void.add((WIKIDATA_DATASET, DCTERMS.title, Literal("Wikidata", lang="en")))
    void.add((WIKIDATA_DATASET, VOID.uriSpace, Literal(str(WIKIDATA))))

    _describe_dumps(void, DATASET, dumps)
    statements = URIRef(DOWNLOAD + QUICKSTATEMENTS_FILE)
    void.add((DATASET, DCAT.distribution, statements))
    void.add((statements, RDF.type, DCAT.Distribution))
    void.add((statements, DCAT.downloadURL, statements))
    void.add((statements, DCAT.mediaType, URIRef(IANA + "text/plain")))
    void.add((statements, DCTERMS.title, Literal(QUICKSTATEMENTS_FILE)))
    void.add((statements, DCTERMS.description, Literal(QUICKSTATEMENTS_TEXT, lang="en")))
    void.add((DATASET, DCAT.accessService, ENDPOINT))
    void.add((ENDPOINT, RDF.type, DCAT.DataService))
    void.add((ENDPOINT, RDF.type, SD.Service))
    void.add((ENDPOINT, DCAT.endpointURL, ENDPOINT))
    void.add((ENDPOINT, SD.endpoint, ENDPOINT))
    void.add((ENDPOINT, DCAT.servesDataset, DATASET))
    void.add((ENDPOINT, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    return skolemise(void)


def _slug(iri: URIRef) -> str:
    """Name a partition after its class or property, readably and without clashes."""
    text = str(iri)
    local = text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return f"{local}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
