"""Links to Wikidata, both ways: our linkset, and QuickStatements that link Wikidata to us.

The linkset is every `skos:exactMatch` from one of our resources to a Wikidata item, as
N-Triples (wikidata-links.nt). The QuickStatements (V1, tab-separated) give each linked
item an "exact match" (P2888) to our IRI, for a Wikidata editor to review and run; only
items whose id is in the checked list (data/wikidata-ids.csv) are offered, and never a
retired IRI of ours. docs/WIKIDATA.md says how to use them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from rdflib import OWL, Graph, URIRef
from rdflib.namespace import SKOS

from ..vocab import ID, WIKIDATA

LINKSET_FILE = "wikidata-links.nt"
QUICKSTATEMENTS_FILE = "wikidata.qs"
ID_LIST = "wikidata-ids.csv"
# Wikidata's "exact match" property: a URL of the same concept in another dataset.
EXACT_MATCH = "P2888"


def links(graph: Graph) -> list[tuple[URIRef, URIRef]]:
    """Return (our IRI, Wikidata item) for every exact match, sorted."""
    found = {
        (s, o)
        for s, o in graph.subject_objects(SKOS.exactMatch)
        if isinstance(s, URIRef) and str(s).startswith(str(ID))
        and isinstance(o, URIRef) and str(o).startswith(str(WIKIDATA))
    }  # fmt: skip
    return sorted(found)


def item_id(item: URIRef) -> str:
    """Return a Wikidata item's id (`Q664`) from its entity IRI."""
    return str(item)[len(str(WIKIDATA)) :]


def id_list(data_files: Iterable[Path]) -> Path | None:
    """Return the list of checked Wikidata ids beside the data files, if there is one."""
    for folder in sorted({path.parent for path in data_files}):
        if (folder / ID_LIST).is_file():
            return folder / ID_LIST
    return None


def listed_ids(path: Path | None) -> set[str]:
    """Return the ids in a `label,wikidata_id` list (none without a list)."""
    if path is None:
        return set()
    with path.open(encoding="utf-8", newline="") as stream:
        return {row["wikidata_id"].strip() for row in csv.DictReader(stream)}


def linkset(graph: Graph) -> Graph:
    """Return the linkset: the exact-match triples alone."""
    linked = Graph(bind_namespaces="none")
    for ours, item in links(graph):
        linked.add((ours, SKOS.exactMatch, item))
    return linked


def quickstatements(graph: Graph, listed: set[str]) -> str:
    """Write QuickStatements V1 adding P2888 (exact match) = our IRI to each listed item."""
    retired = set(graph.subjects(OWL.deprecated, None))
    lines = sorted(
        (int(item_id(item)[1:]), f'{item_id(item)}\t{EXACT_MATCH}\t"{ours}"\n')
        for ours, item in links(graph)
        if ours not in retired and item_id(item) in listed
    )
    return "".join(line for _, line in lines)
