"""The namespaces and graph names that the whole package agrees on (docs/MODELLING.md)."""

from rdflib import Namespace, URIRef

BASE_IRI = "https://w3id.org/nzsa/"
NZSA = Namespace(BASE_IRI + "ontology#")
ONTOLOGY_IRI = URIRef(BASE_IRI + "ontology")
SHAPES_IRI = URIRef(BASE_IRI + "shapes")
ID = Namespace(BASE_IRI + "id/")
GENID = Namespace(BASE_IRI + ".well-known/genid/")

ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")


class Graphs:
    """Named graphs of the published dataset."""

    ONTOLOGY = URIRef(BASE_IRI + "graph/ontology")
    DATA = URIRef(BASE_IRI + "graph/data")
    INFERRED = URIRef(BASE_IRI + "graph/inferred")
    SHAPES = URIRef(BASE_IRI + "graph/shapes")
    # The VoID/DCAT description (void.ttl), loaded beside nzsa.nq by the store.
    DESCRIPTION = URIRef(BASE_IRI + "graph/void")
