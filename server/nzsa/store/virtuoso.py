"""OpenLink Virtuoso 7 (Debian's `virtuoso-opensource`) behind the remote back end.

Its quirks, each met here or in the generic engine (engine.py) and each tested in
tests/test_engines_virtuoso.py:

- gzip: with the stock `EnabledGzipContent = 1` every answer to a client that accepts
  gzip is gzip-encoded, chunked, and ends with `Connection: close`: each query then costs
  a new connection and the compression (at 1M triples, 1.8x Virtuoso's own time on
  small joins). nzsa asks for `identity` and keeps its connections; the remote client
  still decodes any content encoding on every call.
- default graph: the default graph is the union of *all* graphs, Virtuoso's own system
  graphs (`owl#`, `virtrdf#`, DAV) included; every query is scoped to the published
  graphs with default-graph-uri and named-graph-uri (the generic engine does this).
- result cap: answers are cut at `ResultSetMaxRows`, said only in `X-SPARQL-MaxRows`.
- partial answers: when its `timeout` parameter (ms) passes, an "anytime" query answers
  200 with the rows found so far and `X-SQL-State: S1TAT`; that is a timeout to us.
- errors: a failure is a 400 or a 500 whose text starts with an SQL state and a code
  (`37000 ... SP030` syntax, `42000 ... estimated execution time`, `S1T00` timeout,
  `SR186` permission); they are told apart by that text.
- trailing VALUES: a trailing block binding a variable the query does not project fails
  ("SQ200: No column"); our own bindings close the WHERE pattern instead.
- VALUES in a UNION: a UNION one of whose branches is a VALUES block answers nothing;
  describe.py asks two queries instead.
- ORDER BY across kinds of term: literals sort before IRIs (SPARQL 1.1 §15.1 puts IRIs
  first); nzsa sorts what its pages list itself, so this shows only in public answers.
- durations: an xsd:duration of whole years and months comes back as its number of
  months ("P1Y" → "12"), one of days and times as seconds ("PT1H" → "3600.0"); passed on
  as the engine gives them (tests/test_engines_cq.py compares them by value).
- blank nodes: SPARQL JSON results label them `nodeID://b10001` (engine.BlankLabels).
- extensions: `bif:`/`sql:` functions and `DEFINE` pragmas are Virtuoso's; the guard
  refuses them before any query reaches it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .base import EngineFailed, EngineRefused, QueryRejected, QueryTimeout, StoreUnavailable
from .engine import RETRY_AFTER, Engine, tidy

PARTIAL_STATE = "S1TAT"
# Virtuoso's errors: (pattern in the text, exception maker). First match wins.
_FAILURES = (
    (re.compile(r"estimated execution time", re.I),
     lambda r: EngineRefused(f"the store refused the query as too costly: {r}")),
    (re.compile(r"\bS1T00\b|timed out|timeout", re.I),
     lambda r: QueryTimeout(f"the store gave up on the query: {r}")),
    (re.compile(r"not implemented|not supported", re.I),
     lambda r: EngineRefused(f"the store cannot run this query: {r}")),
    (re.compile(r"\b37000\b|\bSP0\d\d\b", re.I), QueryRejected),
    (re.compile(r"\bSR186\b|SECURITY|No permission", re.I),
     lambda r: EngineRefused(f"the store refused the query: {r}")),
    (re.compile(r"\b08\d\d\d\b|server is shutting down|Maintenance", re.I),
     lambda r: StoreUnavailable(f"the store is unavailable: {r}", RETRY_AFTER)),
)  # fmt: skip


class Virtuoso(Engine):
    """Virtuoso 7's SPARQL endpoint (`/sparql`)."""

    name = "Virtuoso"
    trailing_values = False
    accept_encoding = "identity"

    def parameters(self, timeout: float) -> dict[str, str]:
        # Virtuoso's own limit, in milliseconds, so it stops the work rather than leave it
        # running when we stop waiting. An "anytime" query overruns it about twofold
        # (measured: 2 s for 1000 ms), so ask for under half: its S1TAT answer then
        # arrives before our deadline and is reported as what it is.
        return {"timeout": str(max(int(timeout * 400), 1))}

    def cut(self, headers: Mapping[str, str]) -> str | None:
        if headers.get("X-SQL-State", "").strip() == PARTIAL_STATE:
            message = tidy(headers.get("X-SQL-Message", "")) or "incomplete results"
            raise QueryTimeout(f"the store stopped the query and sent partial results ({message})")
        rows = headers.get("X-SPARQL-MaxRows", "").strip()
        if rows:
            return f"the store returns at most {rows} rows (Virtuoso's ResultSetMaxRows)"
        return None

    def failure(self, status: int, reason: str) -> Exception:
        # Virtuoso answers 400 or 500 for most errors; its text tells them apart.
        text = tidy(reason)
        for pattern, make in _FAILURES:
            if pattern.search(text):
                return make(text)
        if status == 500:
            return EngineFailed(f"the store failed: {text}")
        return super().failure(status, reason)

    def identifies(self, server_header: str) -> bool:
        return server_header.startswith("Virtuoso")
