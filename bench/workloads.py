"""The workloads: many distinct requests each, chosen from the data being served."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import requests

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = """PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
JSON = "application/sparql-results+json"
WORDS = (
    "security", "Pacific", "defence", "cooperation", "regional", "maritime", "peace",
    "support", "New Zealand", "NATO", "forum", "cyber", "training", "operation", "Leaders",
    "partners", "ASEAN", "Australia", "agreement", "dialogue",
)  # fmt: skip

# One template per heavy kind; each is filled with many IRIs or words.
JOIN = """SELECT DISTINCT ?f ?x ?label ?title WHERE {{
  ?f ?role <{0}> ; a nzsa:Fact ; nzsa:evidence ?e ; ?p ?x .
  ?x skos:prefLabel ?label .
  ?e prov:wasQuotedFrom ?src . ?src dcterms:title ?title .
}} ORDER BY ?f ?x ?label ?title LIMIT 1000"""
PATH = """SELECT ?whole (COUNT(DISTINCT ?peer) AS ?n) WHERE {{
  <{0}> (org:memberOf|nzsa:partyTo)/nzsa:partOf* ?whole .
  ?peer (org:memberOf|nzsa:partyTo)/nzsa:partOf* ?whole .
}} GROUP BY ?whole ORDER BY ?whole"""
AGGREGATE_BY_THING = """SELECT ?type (COUNT(DISTINCT ?f) AS ?n) WHERE {{
  ?f ?role <{0}> ; a ?type ; nzsa:evidence ?e .
}} GROUP BY ?type ORDER BY ?type"""
AGGREGATE_BY_WORD = """SELECT ?src (COUNT(?e) AS ?n) (MIN(STRLEN(?q)) AS ?shortest) WHERE {{
  ?e prov:wasQuotedFrom ?src ; nzsa:quote ?q . FILTER(CONTAINS(?q, "{0}"))
}} GROUP BY ?src ORDER BY ?src"""
LOOKUP = "SELECT ?p ?o WHERE {{ <{0}> ?p ?o }}"


def select(base_url: str, query: str) -> list[tuple]:
    """Run a SELECT on a SPARQL endpoint URL; return rows of N-Triples term strings."""
    answer = requests.get(base_url, params={"query": query}, headers={"Accept": JSON}, timeout=120)
    answer.raise_for_status()
    solutions = ox.parse_query_results(answer.content, ox.QueryResultsFormat.JSON)
    return [tuple(None if t is None else str(t) for t in row) for row in solutions]


def spread(items: list, count: int) -> list:
    """Pick `count` items spread evenly over a sorted list."""
    items = sorted(items)
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def parameters(endpoint: str) -> dict[str, list[str]]:
    """Find the IRIs the workloads are filled with, from the data served."""
    column = lambda query: [row[0][1:-1] for row in select(endpoint, PREFIXES + query)]  # noqa: E731
    resources = column(
        "SELECT DISTINCT ?s WHERE { ?s skos:prefLabel ?l "
        "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/nzsa/id/')) }"
    )
    facts = column("SELECT DISTINCT ?s WHERE { ?s a nzsa:Fact }")
    return {
        "resources": spread(resources, 200) + spread(facts, 100),
        "things": spread(resources, 30),
        "countries": spread(column("SELECT ?s WHERE { ?s a nzsa:State }"), 30),
    }


def competency_questions() -> list[str]:
    """Return the texts of tests/cq/*.rq."""
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "cq").glob("*.rq"))]


def heavy_queries(params: dict[str, list[str]]) -> dict[str, list[str]]:
    """Return tens of distinct queries per heavy kind."""
    kinds = {
        "join": [JOIN.format(t) for t in params["things"]],
        "path": [PATH.format(c) for c in params["countries"]],
        "aggregate": [AGGREGATE_BY_THING.format(t) for t in params["things"]]
        + [AGGREGATE_BY_WORD.format(w) for w in WORDS],
    }
    kinds = {kind: [PREFIXES + q for q in queries] for kind, queries in kinds.items()}
    questions = competency_questions()
    if questions:
        kinds["cq"] = questions
    return kinds


def lookups(params: dict[str, list[str]]) -> list[str]:
    """Return one cheap lookup per resource."""
    return [LOOKUP.format(iri) for iri in params["resources"]]


def request_line(path: str, headers: dict[str, str] | None = None) -> str:
    """Write one line of a wrk request file."""
    return "\t".join([path, *(f"{k}: {v}" for k, v in (headers or {}).items())])


def query_path(endpoint_path: str, query: str) -> str:
    return f"{endpoint_path}?query={urllib.parse.quote(query, safe='')}"
