"""The store interface: the HTTP layer never knows which back end answers it."""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import Graph
from rdflib.term import Identifier

from ..formats import Format


class QueryTimeout(Exception):
    """The query ran past its time limit and its work was stopped."""


class QueryAbandoned(QueryTimeout):
    """The client that asked has gone, so the query's work was stopped."""


class QueryRejected(Exception):
    """The query is malformed, or asks for something a public endpoint refuses."""


class EngineRefused(QueryRejected):
    """The remote engine refuses a well-formed query (too costly, unsupported, forbidden)."""


class StoreError(Exception):
    """The back end failed to answer (a crashed executor, an unreadable remote answer)."""


class StoreUnavailable(StoreError):
    """The back end cannot be reached for now; asking again later may succeed."""

    def __init__(self, message: str, retry_after: int = 10):
        super().__init__(message)
        self.retry_after = retry_after


class EngineFailed(StoreError):
    """The remote engine answered with an error it gave no better status for, or garbage."""


class ResultsCut(StoreError):
    """The remote engine cut one of our own queries' answers short: a page would be wrong."""


@dataclass(frozen=True)
class QueryRequest:
    """A public SPARQL query, already checked by the guard."""

    text: str
    form: str  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"
    result_format: Format
    default_graph_uris: Sequence[str] = ()
    named_graph_uris: Sequence[str] = ()
    timeout: float = 10.0
    max_results: int = 10_000
    # Not part of what is asked (nor of a cache key): when the answer is due (a
    # time.monotonic() value, counted from the request's arrival), and whether the client
    # that asked is gone.
    deadline: float | None = field(default=None, compare=False)
    abandoned: Callable[[], bool] | None = field(default=None, compare=False)

    def due(self) -> float:
        """Return when the answer is due: the deadline, else the timeout from now."""
        return self.deadline if self.deadline is not None else time.monotonic() + self.timeout


@dataclass(frozen=True)
class QueryResponse:
    """A serialised answer, ready to send."""

    body: bytes
    result_format: Format
    truncated: bool = False
    row_count: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    # Why the answer is incomplete when the engine, not our cap, cut it: never kept.
    engine_cut: str | None = None


class Store(abc.ABC):
    """A read-only RDF dataset that answers SPARQL."""

    @abc.abstractmethod
    def execute(self, request: QueryRequest) -> QueryResponse:
        """Run a public query and serialise its answer in the requested format."""

    @abc.abstractmethod
    def select(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> list[dict[str, Identifier]]:
        """Run one of our own SELECT queries; rows of rdflib terms. Union default graph.

        Bindings go where the query marks `#bindings` (the start of its WHERE clause,
        so they are joined first), else in a trailing VALUES block.
        """

    @abc.abstractmethod
    def construct(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
        """Run one of our own CONSTRUCT queries into an rdflib graph. Union default graph."""

    def construct_into(
        self, graph: Graph, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> None:
        """Add the answer of one of our own CONSTRUCT queries to `graph`."""
        graph += self.construct(query, bindings)

    def ranked(self, iri: str, kind: str, start: int, stop: int):
        """Return the pairs covering rows [start, stop) of a resource's ranked list.

        `kind` is "own" (its own triples, as (predicate, object)) or "in" (its incoming
        links, as (subject, predicate)); the answer is a ranks.Window, or None when the
        store keeps no ranking of that list and describe() orders it in its query.
        """
        return None

    @abc.abstractmethod
    def version(self) -> str:
        """A token that changes whenever the data changes (for ETags)."""

    def check(self) -> str:
        """Make sure the store answers and holds the dataset; say what it is (at start-up)."""
        return f"{type(self).__name__}, version {self.version()}"

    def close(self) -> None:
        """Release what the store holds."""
        return None
