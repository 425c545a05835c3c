"""Score candidates for one reconciliation query: names first, then types and properties.

An exact hit on a name (after folding case, diacritics and punctuation) scores by the
kind of name: preferred 100, alternative 95, former 90, a derived acronym 80; the same
name squashed of its spaces two points less; anything else by rapidfuzz's similarity of
the folded names, scaled below every exact hit. `match` is set only when the best
candidate is an exact hit on a listed name, no other candidate is one too, it leads by
a clear margin, and every property given agrees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from . import names
from .index import ACRONYM, ALTERNATIVE, FORMER, PREFERRED, Entity, NameIndex, expand

EXACT = {PREFERRED: 100.0, ALTERNATIVE: 95.0, FORMER: 90.0, ACRONYM: 80.0}
SQUASHED_PENALTY = 2.0
# A fuzzy hit scores at most this much (times the kind's weight), below any exact hit.
FUZZY_CEILING = 0.88
FUZZY_WEIGHT = {PREFERRED: 1.0, ALTERNATIVE: 0.97, FORMER: 0.94, ACRONYM: 0.8}
FUZZY_CUTOFF = 55.0
# Names compared one by one when the query's words find them; past this, rarer words win.
MOST_COMPARED = 5_000
MATCH_MARGIN = 10.0
# With properties, the name gives this share of the score and the properties the rest.
NAME_SHARE = 0.7
STRICTNESS = ("any", "all", "should")


class BadQuery(ValueError):
    """A reconciliation query that does not follow the protocol; the message says how."""


@dataclass
class Query:
    """One reconciliation query, checked."""

    text: str
    types: tuple[str, ...] = ()
    limit: int = 10
    properties: tuple[tuple[str, tuple], ...] = ()  # (property IRI or "wikidata", values)
    strict: str = "any"


@dataclass
class Candidate:
    """An entity with how well it matched."""

    entity: Entity
    name_score: float
    exact: bool = False
    kind: str = ""
    score: float = 0.0
    type_match: bool | None = None
    properties: float | None = None
    features: list = field(default_factory=list)
    match: bool = False


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def parse(raw, default_limit: int, max_limit: int, known_properties) -> Query:
    """Check one query of a batch against the protocol (and our limits); raise BadQuery."""
    if not isinstance(raw, dict):
        raise BadQuery("each query must be a JSON object")
    unknown = set(raw) - {"query", "type", "limit", "properties", "type_strict"}
    if unknown:
        raise BadQuery(f"unknown field {sorted(unknown)[0]!r} in a query")
    text = raw.get("query", "")
    if not isinstance(text, str):
        raise BadQuery("`query` must be a string")
    types = _as_list(raw.get("type", []))
    if not all(isinstance(t, str) and t for t in types):
        raise BadQuery("`type` must be a type id or a list of them")
    limit = raw.get("limit", default_limit)
    if isinstance(limit, bool) or not isinstance(limit, int | float) or limit < 1:
        raise BadQuery("`limit` must be a positive integer")
    strict = raw.get("type_strict", "any")
    if strict not in STRICTNESS:
        raise BadQuery("`type_strict` must be one of any, all, should")
    properties = []
    for item in _as_list(raw.get("properties", [])):
        if not isinstance(item, dict) or "pid" not in item or "v" not in item:
            raise BadQuery("each property must be an object with `pid` and `v`")
        pid = item["pid"]
        if not isinstance(pid, str) or expand(pid) not in known_properties:
            raise BadQuery(f"unknown property {pid!r}: see the property suggest service")
        values = tuple(_as_list(item["v"]))
        for v in values:
            if not isinstance(v, str | int | float | bool | dict):
                raise BadQuery("a property value must be a string, number, boolean or entity")
            if isinstance(v, dict) and not isinstance(v.get("id"), str):
                raise BadQuery("an entity as property value needs an `id`")
        properties.append((expand(pid), values))
    if not text.strip() and not properties:
        raise BadQuery("a query needs `query` or `properties`")
    return Query(
        text.strip(), tuple(expand(t) for t in types), min(int(limit), max_limit),
        tuple(properties), strict,
    )  # fmt: skip


def _by_names(index: NameIndex, text: str, wanted: int) -> dict[int, Candidate]:
    """Return entity position → its best candidate by name."""
    found: dict[int, Candidate] = {}

    def offer(position: int, score: float, exact: bool, kind: str) -> None:
        best = found.get(position)
        if best is None or score > best.name_score:
            entity = index.entities[position]
            found[position] = Candidate(entity, score, exact, kind)

    named = index.entity(text)
    if named is not None:
        offer(index.by_id[text.strip()], 100.0, True, "id")
    key = names.key(text)
    if not key:
        return found
    # A spelling many entities bear (namesakes) offers the first few: enough to see that
    # it is ambiguous, and to fill the page.
    each = max(wanted * 3, 30)
    for at in index.by_key.get(key, ())[:each]:
        name = index.names[at]
        offer(name.entity, EXACT[name.kind], name.kind != ACRONYM, name.kind)
    for at in index.by_squashed.get(key.replace(" ", ""), ())[:each]:
        name = index.names[at]
        offer(name.entity, EXACT[name.kind] - SQUASHED_PENALTY, name.kind != ACRONYM, name.kind)

    # Names sharing a word with the query, rarer words first, compared by similarity;
    # with no word in common (a misspelling), every name. rapidfuzz loops in C++.
    positions: list[int] = []
    for word in sorted(set(key.split()), key=lambda w: len(index.by_word.get(w, ()))):
        positions.extend(index.by_word.get(word, ())[: MOST_COMPARED - len(positions)])
        if len(positions) >= MOST_COMPARED:
            break
    # Each distinct spelling is scored once, however many entities bear it.
    choices = list({index.names[at].key for at in positions} if positions else index.by_key)
    similar: dict[str, float] = {}
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        hits = process.extract(
            key, choices, scorer=scorer, limit=wanted * 3, score_cutoff=FUZZY_CUTOFF
        )
        for choice, score, _ in hits:
            similar[choice] = max(similar.get(choice, 0.0), score)
    for choice, similarity in similar.items():
        for at in index.by_key[choice][:each]:
            name = index.names[at]
            weight = FUZZY_CEILING * FUZZY_WEIGHT[name.kind]
            offer(name.entity, similarity * weight, False, name.kind)
    return found


def _typed(candidate: Candidate, types: tuple[str, ...], strict: str) -> bool:
    have = candidate.entity.all_types
    return all(t in have for t in types) if strict == "all" else any(t in have for t in types)


def _agrees(wanted, values: list[dict]) -> bool:
    """Return whether a value from the query agrees with one of the entity's values."""
    if isinstance(wanted, dict):
        target = str(wanted["id"])
        return any(target in (v.get("id"), v.get("iri")) for v in values)
    if isinstance(wanted, bool):
        wanted = str(wanted).lower()
    target = names.key(str(wanted))
    for value in values:
        shown = value.get("name", value.get("str", value.get("date", "")))
        own = (shown, value.get("id", ""), str(value.get("int", value.get("float", ""))))
        if target and any(names.key(str(text)) == target for text in own if text != ""):
            return True
    return False


def reconcile(
    index: NameIndex,
    query: Query,
    values_of: Callable[[list[Entity], list[str]], dict[str, dict[str, list[dict]]]],
    candidates_for: Callable[[Query], list[Entity]],
) -> list[Candidate]:
    """Return the query's candidates, best first, at most query.limit of them."""
    wanted = query.limit
    if query.text:
        found = list(_by_names(index, query.text, wanted).values())
    else:
        found = [Candidate(entity, 0.0) for entity in candidates_for(query)]
    if query.types:
        for candidate in found:
            candidate.type_match = _typed(candidate, query.types, query.strict)
        if query.strict != "should":
            found = [c for c in found if c.type_match]
    found.sort(key=lambda c: (-c.name_score, c.entity.name))
    # Properties are read for the leading candidates only: enough to reorder the page.
    found = found[: max(wanted * 3, 30)]
    if query.properties:
        pids = [pid for pid, _ in query.properties]
        values = values_of([c.entity for c in found], pids)
        for candidate in found:
            own = values.get(candidate.entity.iri, {})
            agreed = sum(
                any(_agrees(v, own.get(pid, [])) for v in wanted_values)
                for pid, wanted_values in query.properties
            )
            candidate.properties = agreed / len(query.properties)
    for candidate in found:
        score = candidate.name_score
        if candidate.properties is not None:
            name_part = score if query.text else 100.0
            score = NAME_SHARE * name_part + (1 - NAME_SHARE) * 100.0 * candidate.properties
        if candidate.type_match is False:
            score *= 0.8
        candidate.score = round(score, 2)
        candidate.features = _features(candidate)
    found.sort(key=lambda c: (-c.score, c.entity.name, c.entity.id))
    return found[:wanted]


def _features(candidate: Candidate) -> list[dict]:
    features = [
        {"id": "name_similarity", "value": round(candidate.name_score, 2)},
        {"id": "exact_name", "value": candidate.exact},
    ]
    if candidate.type_match is not None:
        features.append({"id": "type_match", "value": candidate.type_match})
    if candidate.properties is not None:
        features.append({"id": "properties_agreeing", "value": round(candidate.properties, 3)})
    return features


def decide(candidates: list[Candidate], query: Query) -> None:
    """Set `match` on the best candidate when it is clearly the one meant."""
    if not candidates:
        return
    best = candidates[0]
    rivals = candidates[1:]
    clear = (
        best.exact
        and not any(r.exact and (r.type_match is not False) for r in rivals)
        and all(best.score - r.score >= MATCH_MARGIN for r in rivals)
        and (best.properties is None or best.properties == 1.0)
        and best.type_match is not False
    )
    best.match = clear
