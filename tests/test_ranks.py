"""Pages read from a ranking (store/ranks.py) are the pages describe()'s queries sort.

The same dataset is loaded twice: one store ranks every resource's lists (RANK_FROM=0),
the other none. Every page of every resource must come out the same from both: its own
triples and links, their order, the labels and provenance, and whether more follow. The
dataset holds the cases a window could get wrong: linking subjects with several labels
(more than one row each, so links straddle pages), objects whose text ties (a literal
"x", "x"@en, "x"@fr and the IRI <x> under one predicate) and pages cut inside both.
"""

from __future__ import annotations

import sqlite3

import pytest
from nzsa.describe import OWN_PER_LINK, describe
from nzsa.store.oxigraph import OxigraphStore
from nzsa.store.ranks import RANKS_FILE
from rdflib import URIRef
from test_linkeddata_paging import _quads

BASE = "https://w3id.org/nzsa/"
ID = BASE + "id/"
HUB = f"<{ID}organisation/big-forum>"
GRAPH = f"<{BASE}graph/data>"
PREF = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
NOTE = "<http://www.w3.org/2004/02/skos/core#note>"
LINK = "<https://w3id.org/nzsa/ontology#observerOf>"


def _extra() -> str:
    """Return links from subjects with several labels, and own triples whose text ties."""
    lines = []
    for n in range(7):
        subject = f"<{ID}organisation/observer-{n}>"
        lines.append(f"{subject} {LINK} {HUB} {GRAPH} .")
        for k in range(n % 3 + 1):  # 1, 2 or 3 prefLabels; 0 or 2 rdfs:labels
            lines.append(f'{subject} {PREF} "Observer {n} name {k}"@en {GRAPH} .')
        if n % 2:
            lines += [f'{subject} {LABEL} "observer {n}" {GRAPH} .',
                      f'{subject} {LABEL} "observateur {n}"@fr {GRAPH} .']  # fmt: skip
    for n in range(6):
        text = f"https://example.org/note-{n}"
        for obj in (f'"{text}"', f'"{text}"@en', f'"{text}"@fr', f"<{text}>"):
            lines.append(f"{HUB} {NOTE} {obj} {GRAPH} .")
    return "\n".join(lines) + "\n"


def _store(directory, rank_from: int) -> OxigraphStore:
    directory.mkdir()
    (directory / "nzsa.nq").write_text(_quads() + _extra(), encoding="utf-8")
    return OxigraphStore(directory, executors=0, rank_from=rank_from)


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    root = tmp_path_factory.mktemp("ranks")
    ranked, plain = _store(root / "ranked", 0), _store(root / "plain", 10**9)
    yield ranked, plain
    ranked.close()
    plain.close()


def _resources(store) -> list[URIRef]:
    rows = store.select("SELECT DISTINCT ?r WHERE { { ?r ?p ?o } UNION { ?s ?p ?r } }")
    return sorted(row["r"] for row in rows if isinstance(row["r"], URIRef))


def _same(one, other) -> None:
    assert one.outgoing == other.outgoing
    assert one.incoming == other.incoming
    assert (one.more_outgoing, one.more_incoming) == (other.more_outgoing, other.more_incoming)
    assert one.inferred == other.inferred
    assert set(one.graph) == set(other.graph)


def test_the_ranking_covers_both_lists_and_the_plain_store_has_none(stores):
    ranked, plain = stores
    with sqlite3.connect(ranked.build_dir / RANKS_FILE) as db:
        kinds = dict(db.execute("SELECT kind, COUNT(*) FROM ranked GROUP BY kind").fetchall())
    assert kinds["own"] > 10 and kinds["in"] > 10
    assert ranked.ranked(HUB[1:-1], "in", 0, 3) is not None
    assert plain.ranked(HUB[1:-1], "in", 0, 3) is None


@pytest.mark.parametrize("page_size", [1, 3, 100])
def test_every_page_of_every_resource_is_the_same(stores, page_size):
    ranked, plain = stores
    for iri in _resources(plain):
        page = 1
        while True:
            expected = describe(plain, iri, page, page_size)
            _same(describe(ranked, iri, page, page_size), expected)
            if not expected.has_next:
                break
            page += 1
        # One past the last page is empty from both.
        _same(describe(ranked, iri, page + 1, page_size), describe(plain, iri, page + 1, page_size))


def test_links_from_subjects_with_several_labels_straddle_pages_alike(stores):
    """A subject with 3 prefLabels and 2 rdfs:labels gives 6 rows: pages of 4 cut it."""
    ranked, plain = stores
    hub = URIRef(HUB[1:-1])
    seen_ranked, seen_plain = [], []
    for page in range(1, 40):
        seen_ranked += describe(ranked, hub, page, 4).incoming
        seen_plain += describe(plain, hub, page, 4).incoming
    assert seen_ranked == seen_plain
    # The same link shows on two pages when its rows do: the queries' own semantics.
    assert len(seen_plain) > len(set(seen_plain))


def test_tied_objects_keep_the_engines_order(stores):
    ranked, plain = stores
    hub = URIRef(HUB[1:-1])
    size = 2  # OWN_PER_LINK × 2 own triples a page: ties of the notes fall across pages
    own_ranked = [describe(ranked, hub, n, size).outgoing for n in range(1, 10)]
    own_plain = [describe(plain, hub, n, size).outgoing for n in range(1, 10)]
    assert own_ranked == own_plain
    assert sum(len(page) for page in own_plain) > OWN_PER_LINK * size
