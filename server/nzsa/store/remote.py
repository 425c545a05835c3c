"""The remote back end: a SPARQL 1.1 Protocol endpoint (Virtuoso, Oxigraph, Fuseki ...).

The remote engine does the work; answers stream back as SPARQL JSON or N-Triples, are
decoded (gzip and friends), cut at the result cap while reading (closing the connection
early) and re-serialised natively. The engine is treated as fallible and untrusted: every
query is scoped to the published graphs, every failure becomes an exception the HTTP
layer maps to a clear status, and an answer the engine cut short is never passed on as
complete. What differs between engines lives in their adapters (engine.py).
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import urllib3
from rdflib import Graph
from rdflib.term import Identifier
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import TimeoutError as TransportTimeout

from ..guard import words
from ..vocab import Graphs
from .base import (
    EngineFailed,
    QueryAbandoned,
    QueryRejected,
    QueryRequest,
    QueryResponse,
    QueryTimeout,
    ResultsCut,
    Store,
    StoreError,
    StoreUnavailable,
)
from .engine import PUBLISHED_GRAPHS, RETRY_AFTER, BlankLabels, Engine
from .oxigraph_serve import OxigraphServe
from .results import serialize, stream_result
from .terms import graph_of, rows, with_bindings
from .virtuoso import Virtuoso

ACCEPT = {
    "results": "application/sparql-results+json",
    "graph": "application/n-triples",
}
ENGINES: dict[str, type[Engine]] = {
    "virtuoso": Virtuoso,
    "oxigraph": OxigraphServe,
    "sparql11": Engine,
}
# What the version of the remote data is read from: the size of each published graph and
# the ontology's own version facts, so that loading a changed build changes the version
# (and so every ETag). A sum over the text of every triple would see more, but cost
# Virtuoso 40 s at 1M triples against 1 s for the counts (bench/RESULTS.md).
FINGERPRINT = """
SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g
"""
ONTOLOGY_VERSION = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?p ?v WHERE { GRAPH <https://w3id.org/nzsa/graph/ontology> {
  ?ontology a owl:Ontology ; ?p ?v
  FILTER(?p IN (owl:versionInfo, owl:versionIRI, dcterms:modified))
} }
"""
# Seconds the version queries may take: they read whole graphs' sizes.
FINGERPRINT_TIMEOUT = 300.0
# Bytes of an engine's error text read for its reason.
ERROR_BYTES = 64 * 1024
# Bytes read past the end of a complete answer (its closing lines, the chunked coding's
# last chunk) so that its connection goes back to the pool: closing an answer not read to
# its end closes the connection, and the next query would open another.
RELEASE_BYTES = 64 * 1024
# Connections to the engine a worker process keeps open: one a thread (THREADS), and to
# spare. Virtuoso keeps at most MaxKeepAlives (stock: 10) and closes the rest after use.
KEPT_CONNECTIONS = 16


class _Deadline:
    """A readable stream that stops the transfer once the time limit passes or the client
    that asked leaves."""

    def __init__(self, raw, deadline: float, abandoned=None):
        self.raw, self.deadline, self.abandoned = raw, deadline, abandoned
        self.expired = self.left = False

    def read(self, size: int = -1) -> bytes:
        if self.abandoned is not None and self.abandoned():
            self.left = True
            return b""
        if time.monotonic() > self.deadline:
            self.expired = True
            return b""
        return self.raw.read(size)


def engine_named(name: str) -> Engine:
    """Return the adapter REMOTE_ENGINE names."""
    if name not in ENGINES:
        choices = ", ".join(f"`{n}`" for n in ("auto", *ENGINES))
        raise ValueError(f"unknown remote engine {name!r}: choose {choices}")
    return ENGINES[name]()


def detect(server_header: str) -> Engine:
    """Return the adapter for the engine a `Server` header names, else the generic one."""
    for kind in ENGINES.values():
        if kind().identifies(server_header):
            return kind()
    return Engine()


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol client; any number of servers can share one endpoint."""

    def __init__(
        self,
        endpoint: str,
        timeout: float = 10.0,
        build_dir: Path | None = None,
        engine: str = "auto",
        version_interval: float = 120.0,
    ):
        if not endpoint:
            raise ValueError("the remote store needs REMOTE_ENDPOINT")
        self.endpoint, self.timeout = endpoint, timeout
        self.build_dir = Path(build_dir) if build_dir else None
        self.engine: Engine | None = None if engine == "auto" else engine_named(engine)
        self.version_interval = version_interval
        self._pools: dict[int, urllib3.PoolManager] = {}
        self._version: str | None = None
        self._version_at = 0.0
        self._version_lock = threading.Lock()

    # --- talking to the engine --------------------------------------------------------------

    @property
    def pool(self) -> urllib3.PoolManager:
        """This process's connection pool: a server that forks workers must not share one.

        urllib3 itself, not requests: requests' per-call work (merging settings, proxies
        and netrc from the environment, cookies, hooks) cost as much CPU as the rest of a
        small query's handling (bench/OPTIMISATIONS.md). Proxies are read from the
        environment once.
        """
        pid = os.getpid()
        if pid not in self._pools:
            self._pools[pid] = _pool_for(self.endpoint)
        return self._pools[pid]

    def _adapter(self) -> Engine:
        if self.engine is None:
            self.engine = detect(self._ping().headers.get("Server", ""))
        return self.engine

    def _ping(self) -> urllib3.BaseHTTPResponse:
        try:
            # Uncompressed: a compressed answer may cost the connection (virtuoso.py).
            response = self.pool.request(
                "GET",
                self.endpoint,
                fields={"query": "ASK {}"},
                headers={"Accept-Encoding": "identity"},
                timeout=urllib3.Timeout(connect=5.0, read=self.timeout),
                retries=False,
            )
        except HTTPError as error:
            raise self._unreachable(error) from None
        return response

    def _unreachable(self, error: Exception) -> StoreUnavailable:
        # The address is for the operator's log line, never for a client's answer.
        reason = f"the store at {self.endpoint} is unreachable ({_cause(error)})"
        return StoreUnavailable(reason, RETRY_AFTER)

    def _post(self, data: dict, accept: str, timeout: float) -> urllib3.BaseHTTPResponse:
        engine = self._adapter()
        body = urllib.parse.urlencode({**data, **engine.parameters(timeout)}, doseq=True)
        for attempt in (1, 2):
            try:
                response = self.pool.request(
                    "POST",
                    self.endpoint,
                    body=body,
                    headers={
                        "Accept": accept,
                        "Accept-Encoding": engine.accept_encoding,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                    timeout=urllib3.Timeout(connect=min(timeout, 5.0), read=timeout),
                    retries=False,
                    preload_content=False,
                    # Content encodings (the stock Virtuoso gzips) are undone on every read.
                    decode_content=True,
                )
                break
            except NewConnectionError as error:  # before TransportTimeout, which it derives from
                raise self._unreachable(error) from None
            except TransportTimeout:
                raise QueryTimeout("the store did not answer in time") from None
            except ProtocolError as error:
                # A kept connection the engine closed just as it was reused breaks before
                # any answer: the read-only query is sent once more, on a new connection.
                if attempt == 2:
                    raise self._unreachable(error) from None
            except HTTPError as error:
                reason = f"the store's answer broke off ({type(error).__name__})"
                raise EngineFailed(reason) from None
        if response.status != 200:
            with response:
                text = response.read(ERROR_BYTES).decode("utf-8", "replace")
            raise engine.failure(response.status, text)
        return response

    def _dataset(self, default, named, text: str) -> dict:
        engine = self._adapter()
        default, named = engine.dataset(default, named, "FROM" in words(text))
        return {"default-graph-uri": default, "named-graph-uri": named}

    # --- the Store interface ----------------------------------------------------------------

    def execute(self, request: QueryRequest) -> QueryResponse:
        kind = "results" if request.form in ("SELECT", "ASK") else "graph"
        data = {
            "query": request.text,
            **self._dataset(request.default_graph_uris, request.named_graph_uris, request.text),
        }
        deadline = request.due()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise QueryTimeout("the request waited past its time limit")
        with self._post(data, ACCEPT[kind], remaining) as response:
            cut = self._adapter().cut(response.headers)
            stream = _Deadline(self._readable(response, kind), deadline, request.abandoned)
            try:
                result = stream_result(stream, kind)
                body, truncated, count = serialize(
                    result, request.result_format.name, request.max_results
                )
            except (SyntaxError, ValueError) as error:
                if stream.left:
                    raise QueryAbandoned("the client closed its connection") from error
                if stream.expired:
                    raise QueryTimeout("the store's answer ran past the time limit") from None
                raise self._adapter().unreadable(error) from None
            except ReadTimeoutError:
                raise QueryTimeout("the store stopped answering in time") from None
            if stream.left:
                raise QueryAbandoned("the client closed its connection")
            if stream.expired:
                raise QueryTimeout("the store's answer ran past the time limit")
            if not truncated:
                _release(response)
        # The engine's cap binds only when our own cap did not cut first.
        engine_cut = cut if cut and not truncated else None
        return QueryResponse(
            body, request.result_format, truncated or bool(engine_cut), count, engine_cut=engine_cut
        )

    def _readable(self, response: urllib3.BaseHTTPResponse, kind: str):
        return BlankLabels(response) if kind == "results" else response

    def _own(self, query: str, bindings, kind: str, timeout: float | None = None):
        """Run one of our own queries; return its parsed result, whole or not at all."""
        text = with_bindings(query, bindings, self._adapter().trailing_values)
        data = {"query": text, **self._dataset((), (), text)}
        response = self._post(data, ACCEPT[kind], timeout or self.timeout)
        with response:
            cut = self._adapter().cut(response.headers)
            if cut:
                raise ResultsCut(f"the store cut an answer short: {cut}")
            try:
                parsed = stream_result(self._readable(response, kind), kind)
                found = rows(parsed) if kind == "results" else graph_of(parsed)
                _release(response)
                return found
            except (SyntaxError, ValueError) as error:
                raise self._adapter().unreadable(error) from None
            except ReadTimeoutError:
                raise QueryTimeout("the store stopped answering in time") from None

    def select(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> list[dict[str, Identifier]]:
        return self._own(query, bindings, "results")

    def construct(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
        return self._own(query, bindings, "graph")

    # --- what the data is -------------------------------------------------------------------

    def fingerprint(self) -> dict[str, int]:
        """Return the number of triples in each published graph, as the engine holds it."""
        rows = self._own(FINGERPRINT, None, "results", FINGERPRINT_TIMEOUT)
        return {str(row["g"]): int(row["triples"]) for row in rows}

    def _read_version(self) -> tuple[str, dict[str, int]]:
        counts = self.fingerprint()
        facts = self._own(ONTOLOGY_VERSION, None, "results", FINGERPRINT_TIMEOUT)
        found = sorted(counts.items()), sorted((str(r["p"]), str(r["v"])) for r in facts)
        return hashlib.sha256(repr(found).encode()).hexdigest()[:16], counts

    def version(self) -> str:
        """Return a digest of the remote data, read again every `version_interval` seconds.

        The first call reads it (and fails with the store); later ones answer with the
        version they have while one background thread reads it again.
        """
        if self._version is None:
            with self._version_lock:
                if self._version is None:
                    self._version, _ = self._read_version()
                    self._version_at = time.monotonic()
            return self._version
        due = self.version_interval > 0
        due = due and time.monotonic() - self._version_at > self.version_interval
        if due and self._version_lock.acquire(blocking=False):
            self._version_at = time.monotonic()
            threading.Thread(target=self._refresh, daemon=True).start()
        return self._version

    def _refresh(self) -> None:
        try:
            self._version, _ = self._read_version()
        except (StoreError, QueryTimeout, QueryRejected):
            pass  # the last version stands; the engine's trouble shows in the requests
        finally:
            self._version_at = time.monotonic()
            self._version_lock.release()

    def check(self) -> str:
        """Make sure the endpoint answers and holds the dataset; say what it is."""
        self._version, counts = self._read_version()
        self._version_at = time.monotonic()
        missing = [g for g in PUBLISHED_GRAPHS[:2] if counts.get(g, 0) == 0]
        if missing:
            raise StoreError(
                f"the remote endpoint {self.endpoint} ({self._adapter().name}) does not hold"
                f" the dataset: no triples in {', '.join(missing)}; load the build's nzsa.nq"
            )
        said = (
            f"remote {self._adapter().name} store at {self.endpoint}:"
            f" {sum(counts.values())} triples in {len(counts)} published graphs"
        )
        if counts.get(str(Graphs.DESCRIPTION), 0) == 0:
            # Serving works without it; only queries about the dataset itself come back empty.
            said += f" (no VoID description: load the build's void.ttl into <{Graphs.DESCRIPTION}>)"
        return said

    def close(self) -> None:
        pool = self._pools.pop(os.getpid(), None)
        if pool is not None:
            pool.clear()


def _pool_for(endpoint: str) -> urllib3.PoolManager:
    """Return a connection pool to the endpoint, through the environment's proxy if any."""
    address = urllib.parse.urlsplit(endpoint)
    proxy = urllib.request.getproxies().get(address.scheme)
    if proxy and not urllib.request.proxy_bypass(address.hostname or ""):
        return urllib3.ProxyManager(proxy, maxsize=KEPT_CONNECTIONS)
    return urllib3.PoolManager(maxsize=KEPT_CONNECTIONS)


def _release(response: urllib3.BaseHTTPResponse) -> None:
    """Read a complete answer to its end, so that its connection is kept for the next query."""
    left = RELEASE_BYTES
    try:
        while left > 0 and (chunk := response.read(min(left, 8192))):
            left -= len(chunk)
    except (OSError, HTTPError):
        pass  # the answer is whole; only its connection is lost


def _cause(error: BaseException) -> str:
    """Return the innermost cause of a transport error, briefly (`ConnectionRefusedError`)."""
    while error.__context__ is not None or error.__cause__ is not None:
        error = error.__cause__ or error.__context__
    return f"{type(error).__name__}: {error}"[:200]
