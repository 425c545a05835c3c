"""`oxigraph serve` behind the remote back end.

Its quirks, each tested in tests/test_engines.py:

- timeout: when its own `--timeout-s` passes mid-answer it has already sent 200, so it
  ends the body with "The SPARQL operation has been cancelled": an answer that does not
  parse is a timeout, not a broken engine.
- union default graph: its default graph is its own (empty) graph unless started with
  `--union-default-graph`; nzsa names the published graphs on every query anyway.
- syntax errors answer 400 with the parser's message, as the protocol asks.
"""

from __future__ import annotations

from .base import QueryTimeout
from .engine import Engine, tidy


class OxigraphServe(Engine):
    """Oxigraph's HTTP server (`/query`)."""

    name = "Oxigraph"

    def failure(self, status: int, reason: str) -> Exception:
        if status == 500 and "timeout" in reason.lower():
            return QueryTimeout(f"the store gave up on the query: {tidy(reason)}")
        return super().failure(status, reason)

    def unreadable(self, error: Exception) -> Exception:
        return QueryTimeout("the store stopped the query mid-answer (its own time limit)")

    def identifies(self, server_header: str) -> bool:
        return server_header.startswith("Oxigraph")
