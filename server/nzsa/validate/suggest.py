"""The closest existing names to an unknown class, property or IRI: "did you mean …?"."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from rdflib import URIRef

# How alike two names must be (difflib's ratio) to be offered.
CUTOFF = 0.75


def closest(
    name: URIRef,
    candidates: Iterable[URIRef],
    show: Callable,
    count: int = 3,
    cutoff: float = CUTOFF,
) -> list[URIRef]:
    """Return the candidates whose shown names are closest to `name`'s, best first."""
    by_shown: dict[str, URIRef] = {}
    for candidate in candidates:
        if candidate != name:
            by_shown.setdefault(show(candidate), candidate)
    matches = difflib.get_close_matches(show(name), list(by_shown), n=count, cutoff=cutoff)
    return [by_shown[match] for match in matches]


def did_you_mean(matches: list[URIRef], show: Callable) -> str:
    """Word the matches as a question to append to a message, or nothing."""
    if not matches:
        return ""
    names = [show(match) for match in matches]
    either = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"; did you mean {either}?"
