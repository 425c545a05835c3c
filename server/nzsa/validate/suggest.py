"""The closest existing names to an unknown class, property or IRI: "did you mean …?"."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rapidfuzz import fuzz, process
from rdflib import URIRef

# How alike two names must be (the normalised Indel similarity, 0–1) to be offered.
CUTOFF = 0.75


class NameIndex:
    """Candidates by the names they are shown with, made once for many questions.

    At 1M triples there are ~200k IRIs of ours: difflib took 20 s to search them for
    each dangling reference, most of a validation's time; rapidfuzz takes milliseconds.
    """

    def __init__(self, candidates: Iterable[URIRef], show: Callable):
        self.show = show
        self.by_shown: dict[str, URIRef] = {}
        for candidate in candidates:
            self.by_shown.setdefault(show(candidate), candidate)
        self.names = sorted(self.by_shown)  # ties go to the first: the same every run

    def closest(self, name: URIRef, count: int = 3, cutoff: float = CUTOFF) -> list[URIRef]:
        """Return the candidates whose shown names are closest to `name`'s, best first."""
        matches = process.extract(
            self.show(name), self.names, scorer=fuzz.ratio, limit=count + 1,
            score_cutoff=cutoff * 100,
        )  # fmt: skip
        found = [self.by_shown[match] for match, _score, _at in matches]
        return [candidate for candidate in found if candidate != name][:count]


def closest(
    name: URIRef,
    candidates: Iterable[URIRef],
    show: Callable,
    count: int = 3,
    cutoff: float = CUTOFF,
) -> list[URIRef]:
    """Return the candidates whose shown names are closest to `name`'s, best first."""
    return NameIndex((c for c in candidates if c != name), show).closest(name, count, cutoff)


def did_you_mean(matches: list[URIRef], show: Callable) -> str:
    """Word the matches as a question to append to a message, or nothing."""
    if not matches:
        return ""
    names = [show(match) for match in matches]
    either = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f"; did you mean {either}?"
