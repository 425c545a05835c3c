"""The embedded back end: pyoxigraph on the build's on-disk store.

Public queries run in executor processes (pool.py) so the time limit can stop them; our
own queries (bounded, written here) run in the server process directly.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

from ..guard import words
from . import executor
from .base import (
    QueryAbandoned,
    QueryRejected,
    QueryRequest,
    QueryResponse,
    QueryTimeout,
    Store,
    StoreError,
)
from .bounded import one_pattern
from .disk import ensure_store
from .pool import ExecutorPool
from .ranks import RANK_FROM, RANKS_FILE, Ranks, Window, is_current
from .terms import graph_of, rows, with_bindings


class OxigraphStore(Store):
    """A read-only pyoxigraph store opened from a build directory."""

    def __init__(
        self,
        build_dir: Path,
        executors: int = 2,
        rank_from: int | None = RANK_FROM,
        niceness: int = 0,
    ):
        self.build_dir = Path(build_dir)
        self.location, self._version = ensure_store(self.build_dir, rank_from)
        self.executors, self.niceness = executors, niceness
        # Without a threshold, a ranking already made for this data version is still used.
        ranked = self.build_dir / RANKS_FILE
        self._ranks = Ranks(ranked) if is_current(ranked, self._version) else None
        self._lock = threading.Lock()
        # Opened lazily per process: a server that preloads the app and then forks
        # workers must not share a RocksDB handle or executor pipes across the fork.
        self._pid: int | None = None
        self._store: ox.Store | None = None
        self._pool: ExecutorPool | None = None

    def _open(self) -> tuple[ox.Store, ExecutorPool | None]:
        with self._lock:
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._store = ox.Store.read_only(str(self.location))
                # No executors: a store read only by our own queries (a release's).
                self._pool = (
                    ExecutorPool(self.location, self.executors, self.niceness)
                    if self.executors
                    else None
                )
            return self._store, self._pool

    def execute(self, request: QueryRequest) -> QueryResponse:
        store, pool = self._open()
        if pool is None:
            raise StoreError("this store answers no public queries")
        asked = {
            "text": request.text,
            "format": request.result_format.name,
            "default_graphs": list(request.default_graph_uris),
            "named_graphs": list(request.named_graph_uris),
            "max_results": request.max_results,
            # A query's own FROM / FROM NAMED define its dataset (SPARQL 1.1, 13.2):
            # the union default graph applies only to queries without them.
            "union": "FROM" not in words(request.text),
        }
        if request.form == "SELECT" and one_pattern(request.text):
            reply = self._in_process(store, asked, request)
        else:
            reply = pool.run(asked, request.due(), request.abandoned)
        if reply[0] == "rejected":
            raise QueryRejected(reply[1])
        if reply[0] != "ok":
            raise StoreError(reply[1])
        _, body, truncated, count = reply
        return QueryResponse(body, request.result_format, truncated, count)

    @staticmethod
    def _in_process(store: ox.Store, asked: dict, request: QueryRequest) -> tuple:
        """Run a query bounded by the result cap (bounded.py) here, as an executor would."""
        if request.abandoned is not None and request.abandoned():
            raise QueryAbandoned("the client closed its connection")
        if time.monotonic() >= request.due():
            raise QueryTimeout("the query ran past its time limit")
        return executor.run(store, asked)

    def _query(self, query: str, bindings: Mapping[str, Identifier] | None):
        store, _ = self._open()
        # A VALUES block, not pyoxigraph's substitutions: those only bind projected
        # variables, and the remote back end must pass bindings the same way.
        text = with_bindings(query, bindings)
        return store.query(text, use_default_graph_as_union=True)

    def select(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> list[dict[str, Identifier]]:
        return rows(self._query(query, bindings))

    def construct(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
        return graph_of(self._query(query, bindings))

    def construct_into(
        self, graph: Graph, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> None:
        # Straight into the caller's graph: each triple copied into an rdflib graph costs.
        graph_of(self._query(query, bindings), graph)

    def ranked(self, iri: str, kind: str, start: int, stop: int) -> Window | None:
        return self._ranks.window(iri, kind, start, stop) if self._ranks else None

    def version(self) -> str:
        return self._version

    def check(self) -> str:
        return f"embedded oxigraph store on {self.location}"

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.close()
            self._pool = self._store = self._pid = None
