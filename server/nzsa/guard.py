"""What a public read-only SPARQL endpoint refuses, decided from the query text alone.

Both engines we serve from (pyoxigraph, `oxigraph serve`) execute `SERVICE` against any
host and have no switch to turn it off, and pyoxigraph's parser overflows the stack on
deeply nested groups, so these checks run before any engine sees the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import pyoxigraph

from .store.base import QueryRejected

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# SPARQL 1.1 Update operations (https://www.w3.org/TR/sparql11-update/#graphUpdate).
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
# Functions whose value changes from one evaluation to the next (SPARQL 1.1, 17.4).
NONDETERMINISTIC = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})
OPENERS = {"{": "}", "(": ")", "[": "]", "<<": ">>"}
CLOSERS = frozenset(OPENERS.values())

# One alternative per token kind; strings, IRIs, comments, variables, prefixed names and
# language tags are matched whole so that a keyword inside them is never seen as one.
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<bracket><<|>>|[{}()\[\]])
    | (?P<var>[?$][^\s(){}\[\],;.]*)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>[^\W\d][\w.\-]*:[^\s(){}\[\],;]*|:[^\s(){}\[\],;]*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


class Refused(QueryRejected):
    """A request the endpoint will not run, with the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """Split SPARQL text into (kind, text) tokens, skipping space and comments."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind not in ("space", "comment"):
            yield kind, match.group()


def decode_escapes(text: str) -> str:
    """Apply SPARQL's codepoint escapes, as engines that follow section 19.2 do first."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def nesting_depth(text: str) -> int:
    """Return the deepest nesting of brackets, braces, parentheses and quoted triples."""
    return survey(text)[0]


@lru_cache(maxsize=256)
def survey(text: str) -> tuple[int, frozenset[str], str | None]:
    """Return a query's nesting depth, bare words (upper-cased) and form, in one pass.

    Kept for recent texts: the endpoint, the cache and the store each ask about a query.
    """
    depth = deepest = 0
    words: set[str] = set()
    form = None
    for kind, value in tokens(text):
        if kind == "word":
            word = value.upper()
            words.add(word)
            if form is None and word in FORMS:
                form = word
        elif kind == "bracket":
            if value in OPENERS:
                depth += 1
                deepest = max(deepest, depth)
            elif value in CLOSERS:
                depth = max(depth - 1, 0)
    return deepest, frozenset(words), form


def words(text: str) -> frozenset[str]:
    """Return the bare words of a query as written and as its \\u escapes decode."""
    found = survey(text)[1]
    if "\\u" in text or "\\U" in text:
        found = found | keywords(decode_escapes(text))
    return found


def keywords(text: str) -> set[str]:
    """Return the bare words of a query, upper-cased: keywords and function names."""
    return {value.upper() for kind, value in tokens(text) if kind == "word"}


def query_form(text: str) -> str | None:
    """Return SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword of the query."""
    return survey(text)[2]


def check_query(text: str, *, max_length: int, max_depth: int) -> str:
    """Refuse what a public endpoint must not run; return the query form."""
    if not text.strip():
        raise Refused(400, "The query is empty.")
    if len(text) > max_length:
        raise Refused(400, f"The query is {len(text)} characters long; the limit is {max_length}.")
    depth, _, form = survey(text)
    if depth > max_depth:
        raise Refused(400, f"The query nests {depth} levels deep; the limit is {max_depth}.")
    # Check the text as written and as an engine that decodes \u escapes first sees it.
    found = words(text)
    if "SERVICE" in found:
        raise Refused(403, "SERVICE (federated query) is not allowed on this endpoint.")
    updates = sorted(found & UPDATE_KEYWORDS)
    if updates:
        raise Refused(
            403, f"This endpoint is read-only: SPARQL Update ({', '.join(updates)}) is refused."
        )
    if form is None:
        raise Refused(400, parser_message(text))
    return form


def repeatable(text: str) -> bool:
    """Return whether running a query twice gives the same answer (no RAND(), NOW() ...)."""
    return not words(text) & NONDETERMINISTIC


def parser_message(text: str) -> str:
    """Return the SPARQL parser's complaint about a text that is not a query."""
    try:
        # An empty in-memory store: parsing is all that can happen, nothing is read.
        pyoxigraph.Store().query(text)
    except SyntaxError as error:
        return f"Malformed query: {error}"
    return "Malformed query: expected SELECT, ASK, CONSTRUCT or DESCRIBE."
