"""How nzsa talks to a remote SPARQL 1.1 engine, which it treats as fallible and untrusted.

The generic `Engine` follows the SPARQL 1.1 Protocol and standard HTTP: it scopes every
query to the published named graphs, maps failures to the exceptions the HTTP layer
answers with, and repairs answers it can read safely (blank-node labels). An engine's
adapter (virtuoso.py, oxigraph_serve.py) overrides only what that engine does its own way,
each quirk named in its docstring.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

from ..vocab import Graphs
from .base import EngineFailed, QueryRejected, QueryTimeout, StoreUnavailable

# The graphs `nzsa build` publishes (docs/MODELLING.md) and the VoID description of them
# (void.ttl), as the embedded store holds them: the public dataset is these and nothing
# else, whatever else the engine holds (system graphs, other datasets).
PUBLISHED_GRAPHS: tuple[str, ...] = tuple(
    str(g)
    for g in (Graphs.ONTOLOGY, Graphs.DATA, Graphs.INFERRED, Graphs.SHAPES, Graphs.DESCRIPTION)
)
# Stands for "no graph" in a dataset the client narrowed to graphs we do not publish:
# an empty default-graph-uri list would mean "the engine's whole default graph".
NO_GRAPH = "urn:nzsa:no-graph"
# The longest engine message passed on to a client: a reason, not a dump.
REASON_CHARS = 300
# Seconds a client is asked to wait before retrying when the engine is unavailable.
RETRY_AFTER = 5


class Engine:
    """A SPARQL 1.1 Protocol endpoint with no known quirks."""

    name = "SPARQL 1.1"
    # Whether a trailing VALUES block may bind variables the query does not project.
    trailing_values = True
    # The content codings asked for (whatever comes back is decoded): compressed answers
    # cost the engine CPU but spare a slow network.
    accept_encoding = "gzip, deflate"

    def parameters(self, timeout: float) -> dict[str, str]:
        """Return extra request parameters for a query limited to `timeout` seconds."""
        return {}

    def dataset(
        self, default: Sequence[str], named: Sequence[str], query_names_graphs: bool
    ) -> tuple[list[str], list[str]]:
        """Return the default and named graphs to send with a query (SPARQL Protocol 2.1.4).

        With none given, the dataset is the published graphs: their union as the default
        graph, each by name. Graphs the client names are kept only if published.
        """
        if default or named:
            return _published_or_none(default), _published_or_none(named)
        if query_names_graphs:
            return [], []  # the query's own FROM / FROM NAMED define its dataset
        return list(PUBLISHED_GRAPHS), list(PUBLISHED_GRAPHS)

    def cut(self, headers: Mapping[str, str]) -> str | None:
        """Raise for an answer the engine marks as incomplete; return why it is cut, if so."""
        return None

    def failure(self, status: int, reason: str) -> Exception:
        """Return the exception for an engine's error answer (status, its text)."""
        reason = tidy(reason)
        if status == 400:
            return QueryRejected(reason)
        if status == 408:
            return QueryTimeout(f"the store gave up on the query: {reason}")
        if status in (429, 502, 503, 504):
            # The engine, or a proxy in front of it, is down or overloaded for now.
            return StoreUnavailable(f"the store answered {status}: {reason}", RETRY_AFTER)
        return EngineFailed(f"the store failed ({status}): {reason}")

    def unreadable(self, error: Exception) -> Exception:
        """Return the exception for a 200 answer that does not parse."""
        return EngineFailed(f"the store sent an unreadable answer: {tidy(str(error))}")

    def identifies(self, server_header: str) -> bool:
        """Return whether a `Server` response header names this engine."""
        return False


def _published_or_none(graphs: Sequence[str]) -> list[str]:
    kept = [g for g in graphs if g in PUBLISHED_GRAPHS]
    return kept or ([NO_GRAPH] if graphs else [])


def tidy(reason: str) -> str:
    """Return an engine's message as one short line: its reason, without the query echoed."""
    text = reason.replace("\r", "")
    # Engines echo the query after their message; the client already has it.
    text = re.split(r"\n\s*\n|\nSPARQL query:", text, maxsplit=1)[0]
    text = " ".join(text.split())
    return text[:REASON_CHARS] + ("…" if len(text) > REASON_CHARS else "")


# A SPARQL JSON results term whose type is "bnode", and its value, in either key order.
# Inside a JSON string every quote is escaped, so these can only match the document's
# own structure, never text inside a literal.
_BNODE_VALUE = re.compile(
    rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")((?:[^"\\]|\\.)*)(")'
    rb'|("value"\s*:\s*")((?:[^"\\]|\\.)*)("\s*,\s*"type"\s*:\s*"bnode")'
)
_VALID_LABEL = re.compile(rb"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")


def blank_label(label: bytes) -> bytes:
    """Return a valid blank-node label for any engine label (`nodeID://b10001` → `b…`)."""
    if _VALID_LABEL.fullmatch(label):
        return label
    # Stable within and across answers, so one node keeps one label.
    return b"x" + hashlib.sha256(label).hexdigest()[:24].encode()


def _relabel(match: re.Match) -> bytes:
    if match.group(1) is not None:
        return match.group(1) + blank_label(match.group(2)) + match.group(3)
    return match.group(4) + blank_label(match.group(5)) + match.group(6)


class BlankLabels:
    """A readable stream of SPARQL JSON results with every blank-node label made valid.

    SPARQL 1.1 JSON results leave labels to the engine ("nodeID://b10001" from Virtuoso);
    the parser takes only Turtle's BLANK_NODE_LABEL syntax.
    """

    # Held back from each chunk until more arrives, so no term is split between reads.
    HOLD = 64 * 1024

    def __init__(self, raw):
        self.raw, self.pending, self.ready, self.done = raw, b"", b"", False

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(1 << 20), b""))
        while not self.ready and not self.done:
            chunk = self.raw.read(1 << 16)
            if not chunk:
                self.done = True
                self.ready, self.pending = self._fix(self.pending), b""
                break
            self.pending += chunk
            # A term object holds no "{": keep back what follows the last one.
            cut = self.pending.rfind(b"{")
            if cut < 0 or len(self.pending) - cut > self.HOLD:
                cut = len(self.pending)
            self.ready, self.pending = self._fix(self.pending[:cut]), self.pending[cut:]
        data, self.ready = self.ready[:size], self.ready[size:]
        return data

    @staticmethod
    def _fix(data: bytes) -> bytes:
        return _BNODE_VALUE.sub(_relabel, data) if b"bnode" in data else data
