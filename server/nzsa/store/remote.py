"""The remote back end: any SPARQL 1.1 Protocol endpoint (Oxigraph, Fuseki, QLever ...).

The remote engine does the work; answers stream back as SPARQL JSON or N-Triples, are
cut at the result cap while reading (closing the connection early) and re-serialised
natively. The remote must use the union of its named graphs as the default graph
(`oxigraph serve --union-default-graph`, Fuseki's `tdb:unionDefaultGraph`), and should
enforce its own timeout too: closing our connection does not stop every engine's work.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from pathlib import Path

import requests
from rdflib import Graph
from rdflib.term import Identifier

from .base import (
    QueryRejected,
    QueryRequest,
    QueryResponse,
    QueryTimeout,
    Store,
    StoreError,
    StoreUnavailable,
)
from .results import serialize, stream_result
from .terms import graph_of, rows, with_bindings

# Answers that say the endpoint, or a proxy in front of it, is down or overloaded for now.
UNAVAILABLE = (502, 503, 504)
ACCEPT = {
    "results": "application/sparql-results+json",
    "graph": "application/n-triples",
}


class _Deadline:
    """A readable stream that stops the transfer once the time limit passes."""

    def __init__(self, raw, deadline: float):
        self.raw, self.deadline = raw, deadline
        self.expired = False

    def read(self, size: int = -1) -> bytes:
        if time.monotonic() > self.deadline:
            self.expired = True
            return b""
        return self.raw.read(size)


class RemoteStore(Store):
    """A SPARQL 1.1 Protocol client; any number of servers can share one endpoint."""

    def __init__(self, endpoint: str, timeout: float = 10.0, build_dir: Path | None = None):
        if not endpoint:
            raise ValueError("the remote store needs REMOTE_ENDPOINT")
        self.endpoint, self.timeout = endpoint, timeout
        self.build_dir = Path(build_dir) if build_dir else None
        self.session = requests.Session()
        # Stateless instances must agree on ETags: derive the version from what they share.
        self._version = hashlib.sha256(endpoint.encode()).hexdigest()[:16]

    def _post(self, data: dict, accept: str, timeout: float) -> requests.Response:
        try:
            response = self.session.post(
                self.endpoint,
                data=data,
                headers={"Accept": accept},
                timeout=(min(timeout, 5.0), timeout),
                stream=True,
            )
        except requests.Timeout as error:
            raise QueryTimeout("the remote endpoint did not answer in time") from error
        except requests.ConnectionError as error:
            # Said without the chained traceback: the HTTP layer logs this one line.
            raise StoreUnavailable(f"{self.endpoint} cannot be reached: {error}") from None
        except requests.RequestException as error:
            raise StoreError(f"{self.endpoint} failed: {error}") from None
        if response.status_code == 400:
            raise QueryRejected(response.text[:2000])
        if response.status_code in UNAVAILABLE:
            response.close()
            raise StoreUnavailable(f"{self.endpoint} answered {response.status_code}")
        if response.status_code != 200:
            response.close()
            raise StoreError(f"{self.endpoint} answered {response.status_code}")
        return response

    def execute(self, request: QueryRequest) -> QueryResponse:
        kind = "results" if request.form in ("SELECT", "ASK") else "graph"
        data = {
            "query": request.text,
            "default-graph-uri": list(request.default_graph_uris),
            "named-graph-uri": list(request.named_graph_uris),
        }
        deadline = time.monotonic() + request.timeout
        with self._post(data, ACCEPT[kind], request.timeout) as response:
            response.raw.decode_content = True
            stream = _Deadline(response.raw, deadline)
            try:
                result = stream_result(stream, kind)
                body, truncated, count = serialize(
                    result, request.result_format.name, request.max_results
                )
            except (SyntaxError, ValueError) as error:
                if stream.expired:
                    raise QueryTimeout("the remote answer ran past the time limit") from error
                message = f"the remote endpoint sent an unreadable answer: {error}"
                raise StoreError(message) from error
            except requests.RequestException as error:
                raise QueryTimeout("the remote endpoint stopped answering in time") from error
            if stream.expired:
                raise QueryTimeout("the remote answer ran past the time limit")
        return QueryResponse(body, request.result_format, truncated, count)

    def _query(self, query: str, bindings, accept: str) -> requests.Response:
        text = with_bindings(query, bindings)
        return self._post({"query": text}, accept, self.timeout)

    def select(
        self, query: str, bindings: Mapping[str, Identifier] | None = None
    ) -> list[dict[str, Identifier]]:
        with self._query(query, bindings, ACCEPT["results"]) as response:
            return rows(stream_result(response.raw, "results"))

    def construct(self, query: str, bindings: Mapping[str, Identifier] | None = None) -> Graph:
        with self._query(query, bindings, ACCEPT["graph"]) as response:
            return graph_of(stream_result(response.raw, "graph"))

    def version(self) -> str:
        return self._version

    def close(self) -> None:
        self.session.close()
