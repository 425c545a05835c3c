"""What a public read-only SPARQL endpoint refuses, decided from the query text alone.

Both engines we serve from (pyoxigraph, `oxigraph serve`) execute `SERVICE` against any
host and have no switch to turn it off, and pyoxigraph's parser overflows the stack on
deeply nested groups, so these checks run before any engine sees the query. Engine
extensions (Virtuoso's `bif:` and `sql:` functions, `DEFINE` pragmas, any function that
is not a SPARQL built-in or an XSD cast) are refused too: an engine behind the remote
store may run them (`bif:sys_stat`, `DEFINE get:soft` fetching URLs), and pyoxigraph
raises on them mid-query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

import pyoxigraph

from .store.base import QueryRejected

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# SPARQL 1.1 Update operations (https://www.w3.org/TR/sparql11-update/#graphUpdate).
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
# Functions whose value changes from one evaluation to the next (SPARQL 1.1, 17.4).
NONDETERMINISTIC = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE"})
# SPARQL 1.1's built-in calls and aggregates (grammar rules BuiltInCall, Aggregate), the
# SPARQL 1.2 triple-term functions, and the keywords a parenthesis may follow.
BUILT_INS = frozenset({
    "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS",
    "CEIL", "FLOOR", "ROUND", "CONCAT", "SUBSTR", "STRLEN", "REPLACE", "UCASE", "LCASE",
    "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "YEAR",
    "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID",
    "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT",
    "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX",
    "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT",
    "TRIPLE", "SUBJECT", "PREDICATE", "OBJECT", "ISTRIPLE", "LANGDIR", "HASLANG", "HASLANGDIR",
    "STRLANGDIR",
})  # fmt: skip
PAREN_KEYWORDS = frozenset(
    {"FILTER", "BIND", "VALUES", "SELECT", "DISTINCT", "REDUCED", "BY", "HAVING", "IN"}
    | {"ASC", "DESC", "A"}
)
CALLABLE_WORDS = BUILT_INS | PAREN_KEYWORDS
# Casts to XSD types (SPARQL 1.1, 17.5), and the further XPath casts pyoxigraph implements.
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_CASTS = frozenset(XSD + name for name in (
    "string", "boolean", "integer", "decimal", "float", "double", "dateTime", "date", "time",
    "duration", "yearMonthDuration", "dayTimeDuration", "gYear", "gYearMonth", "gMonth", "gDay",
    "gMonthDay",
))  # fmt: skip
# Prefixes engines predefine; `xsd:` is the only one a cast needs.
PREDEFINED = {"xsd": XSD}
# Virtuoso's built-in function namespaces: its own procedures and SQL, never ours to run.
ENGINE_SCHEMES = ("bif:", "sql:")
# Words that steer an engine rather than ask a question (Virtuoso's DEFINE and OPTION).
PRAGMAS = frozenset({"DEFINE", "OPTION", "PRAGMA"})
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
    return survey(text).depth


class Survey(NamedTuple):
    """What the guard reads from a query's tokens."""

    depth: int
    words: frozenset[str]
    form: str | None
    extension: str | None  # the first engine extension the query uses, named


@lru_cache(maxsize=32)
def survey(text: str) -> Survey:
    """Return a query's nesting depth, bare words (upper-cased), form and first extension.

    Kept for recent texts: the endpoint, the cache and the store each ask about a query
    while it is answered. 32 texts of at most MAX_QUERY_LENGTH characters bound it.
    """
    depth = deepest = 0
    words: set[str] = set()
    form = None
    found = list(tokens(text))
    for kind, value in found:
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
    return Survey(deepest, frozenset(words), form, first_extension(found))


def first_extension(found: Sequence[tuple[str, str]]) -> str | None:
    """Name the first engine extension among a query's tokens: pragma, function or namespace.

    A name followed by `(` is a function call in an expression, but in a triple pattern
    it is a predicate or list member followed by a collection (`?s rdf:rest (1 2)`), so
    each bracket is read in its context: which clause it is in, and what precedes it.
    """
    prefixes = dict(PREDEFINED)
    # One frame per open bracket: its kind, and for groups the clause they are in.
    frames: list[list[str]] = [["{", "top"]]
    previous: list[tuple[str, str]] = [("", ""), ("", "")]
    for index, (kind, value) in enumerate(found):
        upper = value.upper()
        if kind == "word" and upper in PRAGMAS:
            return f"{value} (an engine pragma)"
        if kind in ("pname", "iri") and value.lstrip("<").lower().startswith(ENGINE_SCHEMES):
            return f"{value} (a name in an engine's own namespace)"
        if kind == "pname" and previous[1][1].upper() == "PREFIX" and value.endswith(":"):
            following = found[index + 1] if index + 1 < len(found) else ("", "")
            if following[0] == "iri":
                prefixes[value[:-1]] = following[1][1:-1]
        frame = frames[-1]
        # Outside every group (frame "top") a name before `(` can only be a call.
        if kind == "word" and frame[0] == "{" and frame[1] != "top":
            if upper == "SELECT":
                frame[1] = "select"
            elif upper in ("GROUP", "ORDER", "HAVING"):
                frame[1] = "modifier"
            elif upper in ("WHERE", "LIMIT", "OFFSET", "VALUES"):
                frame[1] = "pattern"
        if kind == "bracket" and value == "(":
            before_kind, before = previous[1]
            if before_kind in ("iri", "pname"):
                in_expression = (
                    frame[0] == "expr"
                    or (frame[0] == "{" and frame[1] != "pattern")
                    or (previous[0][0] == "word" and previous[0][1].upper() == "FILTER")
                )
                if in_expression:
                    callee = function_iri(before_kind, before, prefixes)
                    if callee not in XSD_CASTS:
                        return f"The function {before}"
                frames.append(["expr" if in_expression else "list", ""])
            elif before_kind == "word":
                if before.upper() not in CALLABLE_WORDS:
                    return f"The function {before}"
                frames.append(["list" if before == "a" else "expr", ""])
            elif frame[0] == "expr" or (frame[0] == "{" and frame[1] != "pattern"):
                frames.append(["expr", ""])
            else:
                frames.append(["list", ""])
        elif kind == "bracket" and value in ("{", "[", "<<"):
            frames.append([value, "pattern"])
        elif kind == "bracket" and value in CLOSERS and len(frames) > 1:
            frames.pop()
        previous = [previous[1], (kind, value)]
    return None


def function_iri(kind: str, name: str, prefixes: dict[str, str]) -> str | None:
    """Return the IRI a function name stands for, or None when it cannot be known."""
    if kind == "iri":
        return name[1:-1]
    prefix, _, local = name.partition(":")
    namespace = prefixes.get(prefix)
    return namespace + local if namespace is not None else None


def words(text: str) -> frozenset[str]:
    """Return the bare words of a query as written and as its \\u escapes decode."""
    found = survey(text).words
    if "\\u" in text or "\\U" in text:
        found = found | keywords(decode_escapes(text))
    return found


def keywords(text: str) -> set[str]:
    """Return the bare words of a query, upper-cased: keywords and function names."""
    return {value.upper() for kind, value in tokens(text) if kind == "word"}


def query_form(text: str) -> str | None:
    """Return SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword of the query."""
    return survey(text).form


def check_query(text: str, *, max_length: int, max_depth: int) -> str:
    """Refuse what a public endpoint must not run; return the query form."""
    if not text.strip():
        raise Refused(400, "The query is empty.")
    if len(text) > max_length:
        raise Refused(400, f"The query is {len(text)} characters long; the limit is {max_length}.")
    depth, _, form, extension = survey(text)
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
    if extension is None and ("\\u" in text or "\\U" in text):
        extension = first_extension(list(tokens(decode_escapes(text))))
    if extension is not None:
        raise Refused(
            400,
            f"{extension} is not standard SPARQL 1.1: this endpoint runs SPARQL's own"
            " functions and XSD casts, and no engine extensions.",
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
