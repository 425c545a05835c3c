"""Auto-completion: entities, types and properties whose names start with what was typed."""

from __future__ import annotations

from collections.abc import Iterable

from . import names
from .index import Entity, NameIndex, Term


def _closeness(prefix: str, text: str) -> int | None:
    """Return 0 when `text` starts with `prefix`, 1 when a word of it does, else None."""
    if text.startswith(prefix):
        return 0
    if f" {prefix}" in f" {text}":
        return 1
    return None


def entities(index: NameIndex, prefix: str, type_iri: str | None = None) -> list[Entity]:
    """Return entities named (or identified) by something starting with `prefix`."""
    folded = names.key(prefix)
    exact = index.entity(prefix)
    best: dict[int, tuple] = {}
    if exact is not None:
        best[index.by_id[prefix.strip()]] = (-1, 0, "")
    if folded:
        for name in index.names:
            closeness = _closeness(folded, name.key)
            if closeness is None:
                continue
            rank = (closeness, name.kind != "preferred", name.key)
            if name.entity not in best or rank < best[name.entity]:
                best[name.entity] = rank
    found = sorted(best, key=lambda at: (best[at], index.entities[at].name))
    listed = [index.entities[at] for at in found]
    if type_iri:
        listed = [e for e in listed if type_iri in e.all_types]
    return listed


def _terms(terms: Iterable[Term], prefix: str) -> list[Term]:
    folded = names.key(prefix)
    ranked = []
    for term in terms:
        keys = (names.key(term.name), term.id.lower(), names.key(term.id.split(":")[-1]))
        found = [c for key in keys if (c := _closeness(folded, key)) is not None]
        if not folded or found:
            ranked.append((min(found, default=0), term.name.lower(), term))
    return [term for *_, term in sorted(ranked, key=lambda r: r[:2])]


def types(index: NameIndex, prefix: str) -> list[Term]:
    """Return the classes with instances whose name or id starts with `prefix`."""
    return _terms((t for iri, t in index.classes.items() if index.instances.get(iri)), prefix)


def properties(terms: dict[str, Term], prefix: str) -> list[Term]:
    """Return the properties whose name or id starts with `prefix`."""
    return _terms(terms.values(), prefix)
