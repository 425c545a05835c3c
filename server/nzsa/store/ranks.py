"""The order of a big resource's own triples and incoming links, kept beside the store.

describe() pages a resource's own triples in the order of their (predicate, object) text
and its incoming links in the order of their (subject, predicate) text. To sort them the
engine reads the text of every term from its dictionary, one lookup a term: 0.5 s of CPU
for New Zealand's 42k links at 1M triples before a single label, 12 s for a source's
126k. So, once per data version, when the store is loaded, the order of every resource
with more than `rank_from` own triples or incoming links is written to SQLite
(`BUILD_DIR/ranks.sqlite`). A page then reads its window of pairs by position from an
index, and the engine fetches and orders only those (describe.py).

A ranked incoming link takes as many rows as describe()'s query gives it (one per
combination of its subject's labels), so a window of rows finds its links exactly.
Own triples whose text ties (a literal "x" and an IRI <x> under one predicate) are
fetched together, so the engine orders them among themselves as it always did.
Resources linked to or from a blank node are never ranked: a query cannot name one.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib.term import Identifier

from .terms import to_rdflib

RANKS_FILE = "ranks.sqlite"
# The default threshold (the RANK_FROM setting): a resource with up to this many own
# triples or incoming links is sorted by the engine in describe()'s query, within ~50 ms
# at 1M triples.
RANK_FROM = 1000
OWN, INCOMING = "own", "in"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# Resources with many incoming links. rdf:type links are left out of the count: they make
# hubs of the ontology's classes, which are documented at /ontology, not described here.
IN_HUBS = (
    """
SELECT ?r WHERE {{
  GRAPH ?g {{ ?s ?p ?r }}
  FILTER(isIRI(?r) && ?p != <"""
    + _RDF_TYPE
    + """>)
}}
GROUP BY ?r HAVING (COUNT(*) > {rank_from:d})
"""
)
OWN_HUBS = """
SELECT ?r WHERE {{ GRAPH ?g {{ ?r ?p ?o }} FILTER(isIRI(?r)) }}
GROUP BY ?r HAVING (COUNT(*) > {rank_from:d})
"""
# The same rows as describe.INCOMING, unordered and uncut: a link's rows are counted.
IN_ROWS = (
    _PREFIXES
    + """
SELECT DISTINCT ?s ?p ?pref ?label WHERE {
  VALUES ?this { %s }
  ?s ?p ?this .
  FILTER(?s != ?this)
  OPTIONAL { ?s skos:prefLabel ?pref }
  OPTIONAL { ?s rdfs:label ?label }
}
"""
)
OWN_PAIRS = "SELECT DISTINCT ?p ?o WHERE { VALUES ?this { %s } ?this ?p ?o }"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE ranked (resource TEXT, kind TEXT, pairs INTEGER, rows INTEGER,
                     PRIMARY KEY (resource, kind)) WITHOUT ROWID;
-- One pair of a resource's list: its first row's position, its rows, the first and
-- last positions of the pairs whose order text ties with it, and its two terms.
CREATE TABLE pairs (resource TEXT, kind TEXT, start INTEGER, size INTEGER,
                    tie_start INTEGER, tie_end INTEGER, first TEXT, second TEXT,
                    PRIMARY KEY (resource, kind, start)) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Window:
    """The pairs whose rows cover a window of a ranked list, and the first one's row."""

    pairs: tuple[tuple[Identifier, Identifier], ...]  # (p, o) own, (s, p) incoming
    first_row: int
    ties: bool = False  # whether pairs whose order text ties are among them


def _stamp(digest: str, rank_from: int) -> str:
    return f"{digest} {rank_from}"


def is_current(path: Path, digest: str, rank_from: int | None = None) -> bool:
    """Return whether the ranks file ranks this data version (at this threshold, if given)."""
    if not path.is_file():
        return False
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            found = db.execute("SELECT value FROM meta WHERE key = 'stamp'").fetchone()
    except sqlite3.DatabaseError:
        return False
    if found is None:
        return False
    if rank_from is None:
        return found[0].split(" ")[0] == digest
    return found[0] == _stamp(digest, rank_from)


def build(location: Path, path: Path, digest: str, rank_from: int) -> dict[str, int]:
    """Rank the big resources of the store at `location` into `path`; return counts."""
    store = ox.Store.read_only(str(location))
    writing = path.with_name(path.name + ".writing")
    writing.unlink(missing_ok=True)
    counts = Counter()
    with sqlite3.connect(writing) as db:
        db.executescript(SCHEMA)
        for hub in _hubs(store, IN_HUBS, rank_from):
            counts[INCOMING] += _rank(db, hub, INCOMING, _incoming(store, hub))
        for hub in _hubs(store, OWN_HUBS, rank_from):
            counts[OWN] += _rank(db, hub, OWN, _own(store, hub))
        db.execute("INSERT INTO meta VALUES ('stamp', ?)", (_stamp(digest, rank_from),))
    db.close()
    os.replace(writing, path)
    return dict(counts)


def _hubs(store: ox.Store, query: str, rank_from: int) -> list[ox.NamedNode]:
    return [row[0] for row in store.query(query.format(rank_from=rank_from))]


def _incoming(store: ox.Store, hub: ox.NamedNode) -> list[tuple[str, str, int, str]] | None:
    """Return a hub's incoming links in describe()'s order, with their rows; None if any
    comes from a blank node."""
    rows = Counter()
    for row in store.query(IN_ROWS % hub, use_default_graph_as_union=True):
        subject, predicate = row["s"], row["p"]
        if isinstance(subject, ox.BlankNode):
            return None
        rows[subject, predicate] += 1
    # describe.INCOMING orders by CONCAT(STR(?s), " ", STR(?p)): no IRI holds a space,
    # and code point order is both SPARQL's string order and Python's.
    ordered = sorted(rows.items(), key=lambda item: (item[0][0].value, item[0][1].value))
    return [(str(s), str(p), size, f"{s.value} {p.value}") for (s, p), size in ordered]


def _own(store: ox.Store, hub: ox.NamedNode) -> list[tuple[str, str, int, str]] | None:
    """Return a hub's own (predicate, object) pairs in describe()'s order; None if any
    object is a blank node."""
    keyed = []
    for row in store.query(OWN_PAIRS % hub, use_default_graph_as_union=True):
        predicate, obj = row["p"], row["o"]
        if isinstance(obj, ox.BlankNode):
            return None
        keyed.append((f"{predicate.value} {obj.value}", str(predicate), str(obj)))
    keyed.sort()
    return [(p, o, 1, key) for key, p, o in keyed]


def _rank(db: sqlite3.Connection, hub: ox.NamedNode, kind: str, pairs) -> int:
    """Write one resource's ranked pairs; return how many."""
    if pairs is None:
        return 0
    rows, start = [], 0
    tie_start = 0
    for index, (first, second, size, key) in enumerate(pairs):
        if index == 0 or key != pairs[index - 1][3]:
            tie_start = start
        rows.append([hub.value, kind, start, size, tie_start, None, first, second])
        start += size
    # A tie ends where the next one starts.
    tie_end = start
    for row in reversed(rows):
        row[5] = tie_end
        if row[2] == row[4]:
            tie_end = row[2]
    db.executemany("INSERT INTO pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("INSERT INTO ranked VALUES (?, ?, ?, ?)", (hub.value, kind, len(pairs), start))
    return len(pairs)


class Ranks:
    """Read access to a ranks file, one connection per thread."""

    def __init__(self, path: Path):
        self.path = path
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None or self._local.pid != os.getpid():
            # Immutable: the file is replaced, never changed, so SQLite takes no locks.
            db = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
            self._local.db, self._local.pid = db, os.getpid()
        return db

    def window(self, resource: str, kind: str, start: int, stop: int) -> Window | None:
        """Return the pairs covering rows [start, stop) of a ranked list; None if the
        resource's list is not ranked."""
        db = self._db()
        if (
            db.execute(
                "SELECT 1 FROM ranked WHERE resource = ? AND kind = ?", (resource, kind)
            ).fetchone()
            is None
        ):
            return None
        at = "SELECT start, size, tie_start, tie_end FROM pairs WHERE resource = ? AND kind = ?"
        below = " AND start <= ? ORDER BY start DESC LIMIT 1"
        first = db.execute(at + below, (resource, kind, start)).fetchone()
        if first is None or first[0] + first[1] <= start:
            return Window((), start)  # past the end of the list
        last = db.execute(at + below, (resource, kind, stop - 1)).fetchone()
        begin, end = first[2], last[3]
        found = db.execute(
            "SELECT first, second, tie_end - tie_start > size FROM pairs"
            " WHERE resource = ? AND kind = ? AND start >= ? AND start < ? ORDER BY start",
            (resource, kind, begin, end),
        ).fetchall()
        pairs = [(first, second) for first, second, _ in found]
        return Window(_parse(pairs, kind), begin, any(tied for _, _, tied in found))


def _parse(pairs: list[tuple[str, str]], kind: str) -> tuple:
    """Read pairs of N-Triples terms back through pyoxigraph's parser."""
    if not pairs:
        return ()
    line = "<urn:x:this> {} {} .\n" if kind == OWN else "{} {} <urn:x:this> .\n"
    text = "".join(line.format(first, second) for first, second in pairs)
    triples = [q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]
    if kind == OWN:
        return tuple((to_rdflib(t.predicate), to_rdflib(t.object)) for t in triples)
    return tuple((to_rdflib(t.subject), to_rdflib(t.predicate)) for t in triples)
