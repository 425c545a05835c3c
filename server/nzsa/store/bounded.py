"""Public queries whose cost is bounded by the result cap, which may skip the executors.

An executor exists to stop a query that runs too long: pyoxigraph cannot interrupt one.
A SELECT of one triple pattern, with no FILTER, DISTINCT, ORDER BY, aggregate, path or
subquery, is answered by one scan of one index, and every step of the scan yields a row
(the union of the graphs holds each triple a few times at most). Stopped at the result
cap, it reads at most MAX_RESULTS + 1 rows, however big the store: milliseconds at
10,000 rows, the same at 1M triples as at 10k. Such queries (lookups) run in the server
process, sparing the pipe to an executor and back (~0.5 ms of a ~1 ms answer).

The test is on the query's tokens (guard.tokens) and accepts only this grammar:

    (PREFIX pname: <iri> | BASE <iri>)*
    SELECT (?var+ | *) WHERE? { term term term .? } (LIMIT n | OFFSET n)*

where a term is an IRI, a prefixed name, a variable, `a` as predicate, or a string (with
a language tag or datatype) as object,
no variable or blank node named twice in the pattern (a filter on the scan), and OFFSET
at most MAX_OFFSET (an offset is rows read and thrown away). Anything else,
including a FROM clause, goes to an executor as before.
"""

from __future__ import annotations

from ..guard import tokens

# The largest OFFSET a query run in process may have: rows skipped are rows read.
MAX_OFFSET = 10_000
_TERMS = frozenset({"iri", "pname", "var"})


def one_pattern(text: str) -> bool:
    """Return whether a query is a SELECT of one triple pattern (see the module)."""
    found = list(tokens(text))
    at = 0
    while at < len(found) and found[at][0] == "word" and found[at][1].upper() in ("PREFIX", "BASE"):
        if found[at][1].upper() == "PREFIX":
            if not (_kind(found, at + 1) == "pname" and found[at + 1][1].endswith(":")):
                return False
            at += 1
        if _kind(found, at + 1) != "iri":
            return False
        at += 2
    if not _word(found, at, "SELECT"):
        return False
    at += 1
    if _kind(found, at) == "other" and found[at][1] == "*":
        at += 1
    else:
        start = at
        while _kind(found, at) == "var":
            at += 1
        if at == start:
            return False
    if _word(found, at, "WHERE"):
        at += 1
    if _text(found, at) != "{":
        return False
    pattern = found[at + 1 : at + 4]
    at += 4
    if len(pattern) < 3 or not _is_triple(pattern):
        return False
    if pattern[2][0] == "string":
        at = _after_literal(found, at)
    if _text(found, at) == ".":
        at += 1
    if _text(found, at) != "}":
        return False
    at += 1
    while at < len(found):
        keyword = found[at][1].upper() if found[at][0] == "word" else ""
        if keyword not in ("LIMIT", "OFFSET"):
            return False
        at += 1
        # The tokeniser reads digits one by one; the engine refuses "1 0" itself.
        digits = ""
        while _kind(found, at) == "other" and found[at][1].isdigit():
            digits += found[at][1]
            at += 1
        if not digits or (keyword == "OFFSET" and int(digits) > MAX_OFFSET):
            return False
    return True


def _after_literal(found, at: int) -> int:
    """Return where a string object's language tag or datatype ends (`at` if none)."""
    if _kind(found, at) == "langtag":
        return at + 1
    caret = _text(found, at) == "^" and _text(found, at + 1) == "^"
    if caret and _kind(found, at + 2) in ("iri", "pname"):
        return at + 3
    return at


def _is_triple(pattern: list[tuple[str, str]]) -> bool:
    (s_kind, _), (p_kind, p_text), (o_kind, o_text) = pattern
    subject = s_kind in _TERMS
    predicate = p_kind in _TERMS or (p_kind == "word" and p_text == "a")
    # An object may be a string (with its tag or datatype) as well.
    obj = o_kind in _TERMS or o_kind == "string"
    # A variable (or blank node) named twice is a filter on the scan: `?x ?p ?x` reads
    # every triple to find the few that link a node to itself.
    named = [text for kind, text in pattern if kind == "var" or text.startswith("_:")]
    return subject and predicate and obj and len(named) == len({n[1:] for n in named})


def _kind(found, at: int) -> str:
    return found[at][0] if at < len(found) else ""


def _text(found, at: int) -> str:
    return found[at][1] if at < len(found) else ""


def _word(found, at: int, word: str) -> bool:
    return _kind(found, at) == "word" and found[at][1].upper() == word
