"""One media-type table: media type, rdflib format name, file suffix, and the spec.

Used by content negotiation, the SPARQL endpoint and the dumps alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    suffix: str
    rdflib_format: str | None
    kind: str  # "graph", "dataset", "results" or "page"
    spec: str
    # Other names a client may give in `format=` or `Accept` for the same bytes.
    aliases: tuple[str, ...] = ()
    also: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.also)


FORMATS: tuple[Format, ...] = (
    # RDF graphs
    # Turtle is N3 without its extensions, so a client asking for N3 can read it.
    Format("turtle", "text/turtle", ".ttl", "turtle", "graph",
           "https://www.w3.org/TR/turtle/", ("ttl", "n3"),
           ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3")),
    # `json` for a graph is JSON-LD, as Fuseki and Virtuoso answer `output=json`.
    Format("jsonld", "application/ld+json", ".jsonld", "json-ld", "graph",
           "https://www.w3.org/TR/json-ld11/", ("json-ld", "json"),
           ("application/json", "application/x-json+ld")),
    # `xml` for a graph is RDF/XML; for solutions it is SPARQL XML (below).
    Format("rdfxml", "application/rdf+xml", ".rdf", "xml", "graph",
           "https://www.w3.org/TR/rdf-syntax-grammar/", ("rdf", "rdf-xml", "rdf+xml", "xml"),
           ("application/xml", "text/xml")),
    Format("ntriples", "application/n-triples", ".nt", "nt", "graph",
           "https://www.w3.org/TR/n-triples/", ("nt", "n-triples"), ("text/plain",)),
    # RDF datasets (named graphs)
    Format("trig", "application/trig", ".trig", "trig", "dataset",
           "https://www.w3.org/TR/trig/"),
    Format("nquads", "application/n-quads", ".nq", "nquads", "dataset",
           "https://www.w3.org/TR/n-quads/", ("nq", "n-quads")),
    # SPARQL results
    Format("json", "application/sparql-results+json", ".srj", "json", "results",
           "https://www.w3.org/TR/sparql11-results-json/", ("srj",),
           ("application/json", "text/javascript", "application/javascript")),
    Format("xml", "application/sparql-results+xml", ".srx", "xml", "results",
           "https://www.w3.org/TR/rdf-sparql-XMLres/", ("srx",),
           ("application/xml", "text/xml")),
    Format("csv", "text/csv", ".csv", "csv", "results",
           "https://www.w3.org/TR/sparql11-results-csv-tsv/"),
    Format("tsv", "text/tab-separated-values", ".tsv", "tsv", "results",
           "https://www.w3.org/TR/sparql11-results-csv-tsv/"),
    # People
    Format("html", "text/html", ".html", None, "page",
           "https://html.spec.whatwg.org/"),
)  # fmt: skip

BY_NAME = {f.name: f for f in FORMATS}
BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS}


def format_for_suffix(suffix: str) -> Format | None:
    """Return the RDF format a file suffix names (results and pages excluded)."""
    for fmt in FORMATS:
        if fmt.suffix == suffix.lower() and fmt.kind in ("graph", "dataset"):
            return fmt
    return None


def formats_of_kind(*kinds: str) -> tuple[Format, ...]:
    """Return the formats of the given kinds, in table order (preferred first)."""
    return tuple(f for f in FORMATS if f.kind in kinds)


def lookup(name_or_type: str, offered: tuple[Format, ...]) -> Format | None:
    """Find the offered format a short name, alias or media type (any of its own) names.

    Aliases repeat across kinds (`xml`, `json`) that are never offered together.
    """
    wanted = name_or_type.strip().lower().split(";")[0].strip()
    for fmt in offered:
        if wanted == fmt.name or wanted in fmt.aliases or wanted in fmt.media_types:
            return fmt
    return None
