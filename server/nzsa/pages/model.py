"""Turn the triples about one resource into what its page shows, in reading order."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS, XSD

from ..http.addresses import base_iri
from ..vocab import NZSA, ORG, PROV, SCHEMA
from . import terms
from .classes import class_href
from .site import href, segment

NAMES = {SKOS.prefLabel, SKOS.altLabel, NZSA.formerName, RDFS.label, DCTERMS.title, SCHEMA.name}
DESCRIPTIONS = (DCTERMS.description, SKOS.definition, RDFS.comment, SCHEMA.description)
NOTES = {SKOS.editorialNote, SKOS.note, SKOS.scopeNote, SKOS.historyNote}
EXTERNAL = {SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs, RDFS.seeAlso, SCHEMA.sameAs}
EVIDENCE = {NZSA.evidence, PROV.wasDerivedFrom}
DATES = (NZSA.startDate, NZSA.endDate, NZSA.date, NZSA.asOf, NZSA.temporalQualifier)
FACT_ROOTS = {NZSA.Fact, ORG.Membership}
DATE_TYPES = {XSD.date, XSD.gYear, XSD.gYearMonth, XSD.dateTime}


@dataclass
class Value:
    """One object or subject on a page: a linked resource or a literal."""

    text: str
    href: str | None = None
    iri: str | None = None
    lang: str | None = None
    kind: str | None = None
    facts: list[Fact] = field(default_factory=list)
    # A value node (an amount, say) shown in place: its properties, each as a Value.
    parts: list[tuple[str, Value]] = field(default_factory=list)
    inline: bool = False


@dataclass
class Evidence:
    quote: str
    source: Value | None
    page_url: str | None


@dataclass
class Fact:
    """A qualified relation node, seen from one of its participants."""

    iri: str
    kind: str
    href: str | None
    others: list[tuple[str, Value]]
    qualifiers: list[tuple[str, Value]]
    evidence: list[Evidence]


@dataclass
class Row:
    """One property (or inverse property) and its values."""

    predicate: str
    label: str
    href: str | None
    values: list[Value]


@dataclass
class Page:
    iri: str
    label: str
    types: list[Value]
    descriptions: list[str]
    alt_names: list[str]
    former_names: list[str]
    notes: list[str]
    dates: list[tuple[str, str]]
    relations: list[Row]
    attributes: list[Row]
    incoming: list[Row]
    facts: list[Fact]
    evidence: list[Evidence]
    external: list[Value]
    is_fact: bool
    named_facts: int = 0  # facts on the page listed by name only, not shown whole


def _english_first(values) -> list[str]:
    values = sorted(values, key=lambda v: (not (v.language or "en").startswith("en"), str(v)))
    return [str(v) for v in values]


def value(graph: Graph, term, depth: int = 0) -> Value:
    """Return how a term is shown: a resource by its label and link, a literal as written.

    A value node (blank or skolemised, not evidence) is shown in place as its
    properties, never as a link to its hash IRI.
    """
    if isinstance(term, Literal):
        if term.datatype in DATE_TYPES:
            return Value(terms.show_date(term))
        if term.datatype == XSD.anyURI:
            return Value(str(term), href=str(term))
        if term.datatype == XSD.duration:
            return Value(terms.show_duration(term))
        return Value(str(term), lang=term.language)
    if is_value_node(graph, term):
        return inline(graph, term, depth)
    if isinstance(term, BNode):
        return Value(terms.label(graph, term, fallback=False) or "(unnamed node)")
    return Value(terms.label(graph, term), href=href(term), iri=str(term), kind=segment(term))


def is_genid(term) -> bool:
    """Tell whether a term is a skolemised blank node (under `/.well-known/genid/`)."""
    return isinstance(term, URIRef) and str(term).startswith(base_iri() + ".well-known/genid/")


def is_value_node(graph: Graph, term) -> bool:
    """Tell whether a node is shown in place: blank or skolemised, described, not evidence."""
    if not (isinstance(term, BNode) or is_genid(term)):
        return False
    if NZSA.Evidence in set(graph.objects(term, RDF.type)) or graph.value(term, NZSA.quote):
        return False
    return any(p != RDF.type for p in graph.predicates(term))


# Shown as one phrase for an amount ("NZD 2,700,000 a year"); other properties as parts.
AMOUNT = (SCHEMA.currency, SCHEMA.value, NZSA.period)


def inline(graph: Graph, node, depth: int = 0) -> Value:
    """Return a value node as text (an amount as a phrase) and its other properties."""
    amount = graph.value(node, SCHEMA.value)
    text = ""
    skip = {RDF.type}
    if isinstance(amount, Literal):
        currency, period = graph.value(node, SCHEMA.currency), graph.value(node, NZSA.period)
        words = [str(currency) if currency is not None else "", terms.show_number(amount)]
        if isinstance(period, Literal):
            words.append(terms.show_period(period))
        text = " ".join(w for w in words if w)
        skip |= set(AMOUNT)
    parts = []
    if depth < 2:
        parts = [
            (terms.label(graph, p), value(graph, o, depth + 1))
            for p, o in sorted(graph.predicate_objects(node))
            if p not in skip and o != node
        ]
    if not text:
        types = [t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef)]
        text = terms.label(graph, sorted(types)[0]) if types and not parts else ""
    return Value(text, parts=parts, inline=True)


def _class(graph: Graph, cls: URIRef) -> Value:
    """Return a type as shown on a page: by its label, linked to its class page."""
    return Value(terms.label(graph, cls), href=class_href(cls), iri=str(cls))


def _classes(graph: Graph, node) -> set:
    """Return a node's types and, as far as the graph knows, their superclasses."""
    seen, todo = set(), list(graph.objects(node, RDF.type))
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.add(cls)
            todo.extend(graph.objects(cls, RDFS.subClassOf))
    return seen


def is_fact(graph: Graph, node) -> bool:
    return bool(_classes(graph, node) & FACT_ROOTS)


def evidence(graph: Graph, node) -> list[Evidence]:
    """Return the quotes and sources a fact or entity rests on."""
    found = []
    # nzsa:evidence ⊑ prov:wasDerivedFrom: with inference one node is reached by both.
    items = {item for prop in EVIDENCE for item in graph.objects(node, prop)}
    for item in sorted(items):
        quote = graph.value(item, NZSA.quote) or graph.value(item, PROV.value)
        if quote is None:
            continue
        source = graph.value(item, PROV.wasQuotedFrom)
        page_url = graph.value(source, SCHEMA.url) if source is not None else None
        found.append(
            Evidence(
                str(quote),
                value(graph, source) if source is not None else None,
                str(page_url) if page_url else None,
            )
        )
    unique = {(e.quote, e.source.iri if e.source else None): e for e in found}
    return sorted(unique.values(), key=lambda e: (e.quote, e.source.iri if e.source else ""))


def _kind(graph: Graph, node) -> str:
    """Return the most specific type label of a fact node (a class the ontology names)."""
    own = [
        t for t in graph.objects(node, RDF.type) if str(t).startswith(str(NZSA)) and t != NZSA.Fact
    ]
    candidates = own or list(graph.objects(node, RDF.type))
    return terms.label(graph, sorted(candidates)[0]) if candidates else "fact"


def fact(graph: Graph, node, this) -> Fact:
    """Return a fact node as seen from `this`: the other parties and the qualifiers."""
    others, qualifiers = [], []
    # Dates in their natural order (start before end), then the rest by property.
    order = {p: i for i, p in enumerate(DATES)}
    for p, o in sorted(graph.predicate_objects(node), key=lambda po: (order.get(po[0], 99), po)):
        if p == RDF.type or p in EVIDENCE or o == this:
            continue
        pair = (terms.label(graph, p), value(graph, o))
        is_party = isinstance(o, URIRef) and segment(o) not in (None, "role", "area", "source")
        (others if is_party else qualifiers).append(pair)
    return Fact(
        str(node),
        _kind(graph, node),
        href(node),
        _without_echoes(graph, node, others),
        _without_echoes(graph, node, qualifiers),
        evidence(graph, node),
    )


def _without_echoes(graph: Graph, node, pairs: list) -> list:
    """Drop values that a reused super-property repeats (schema:startDate beside ours)."""
    stated = list(graph.predicate_objects(node))
    ours = {
        v.iri or v.text
        for p, o in stated
        if str(p).startswith(str(NZSA)) or str(p).startswith(str(ORG))
        for v in [value(graph, o)]
    }
    # The first property stated under each name; each name worked out once, not per pair.
    named: dict = {}
    for p in dict.fromkeys(p for p, _ in stated):
        named.setdefault(terms.label(graph, p), p)
    kept, seen = [], set()
    for name, v in pairs:
        key = v.iri or v.text
        predicate = named.get(name)
        native = predicate is not None and str(predicate).startswith((str(NZSA), str(ORG)))
        if (key in ours and not native) or (name, key) in seen:
            continue
        seen.add((name, key))
        kept.append((name, v))
    return kept


def by_name(v: Value) -> tuple:
    """Sort by name, then by what tells equal names apart: the order never the store's."""
    return (v.text.lower(), v.text, v.iri or "", v.lang or "")


def _rows(graph: Graph, pairs, label_of) -> list[Row]:
    by_predicate: dict = {}
    for predicate, term in pairs:
        by_predicate.setdefault(predicate, []).append(term)
    rows = [
        Row(
            str(p),
            label_of(p),
            href(p),
            sorted((value(graph, t) for t in ts), key=by_name),
        )
        for p, ts in by_predicate.items()
    ]
    return sorted(rows, key=lambda r: (r.label.lower(), r.label, r.predicate))


def build(
    graph: Graph, iri: URIRef, incoming_only: set | None = None, facts_in_full: set | None = None
) -> Page:
    """Return the page of `iri` from the triples in `graph`.

    `incoming_only`, when given, names the (subject, predicate) links into `iri` that this
    page shows (describe()'s page of them); otherwise every link in the graph is shown.
    `facts_in_full`, when given, names the facts shown whole; the page's other facts are
    listed under their link like any other resource.
    """
    outgoing = [(p, o) for p, o in graph.predicate_objects(iri)]
    incoming = [
        (p, s)
        for s, p in graph.subject_predicates(iri)
        if incoming_only is None or (s, p) in incoming_only
    ]
    # Facts point at the resource, or it at them (inverse links such as `attendeeIn`).
    fact_nodes = sorted(
        {s for p, s in incoming if is_fact(graph, s)}
        | {o for p, o in outgoing if isinstance(o, URIRef) and is_fact(graph, o)}
    )
    if facts_in_full is not None:
        fact_nodes = [node for node in fact_nodes if node in facts_in_full]
    facts = {node: fact(graph, node, iri) for node in fact_nodes}

    skip = NAMES | set(DESCRIPTIONS) | NOTES | EXTERNAL | EVIDENCE | set(DATES) | {RDF.type}
    relations = [
        (p, o)
        for p, o in outgoing
        if p not in skip and not isinstance(o, Literal) and o not in facts
    ]
    attributes = [(p, o) for p, o in outgoing if p not in skip and isinstance(o, Literal)]
    # A link in is shown under its inverse property's name; it is left out where the
    # inverse link itself is already listed under Relations (the reasoner adds both).
    shown_out = set(relations)
    names: dict = {}
    plain_incoming = []
    for p, s in incoming:
        if s in facts or p in EVIDENCE or isinstance(s, BNode) or is_genid(s):
            continue
        inverses = _inverses(graph, p)
        if any((q, s) in shown_out for q in inverses):
            continue
        named = [q for q in inverses if q != p and terms.label(graph, q, fallback=False)]
        key = named[0] if named else p
        names[key] = terms.label(graph, key) if named else terms.inverse(p, terms.label(graph, p))
        plain_incoming.append((key, s))

    def plabel(p):
        return terms.label(graph, p)

    page = Page(
        iri=str(iri),
        label=terms.label(graph, iri),
        types=sorted(
            (_class(graph, t) for t in graph.objects(iri, RDF.type) if isinstance(t, URIRef)),
            key=by_name,
        ),
        descriptions=[d for p in DESCRIPTIONS for d in _english_first(graph.objects(iri, p))],
        alt_names=_english_first(graph.objects(iri, SKOS.altLabel)),
        former_names=_english_first(graph.objects(iri, NZSA.formerName)),
        notes=[n for p in sorted(NOTES) for n in _english_first(graph.objects(iri, p))],
        dates=[(plabel(p), value(graph, o).text) for p in DATES for o in graph.objects(iri, p)],
        relations=_rows(graph, relations, plabel),
        attributes=_rows(graph, attributes, plabel),
        incoming=_rows(graph, plain_incoming, names.__getitem__),
        facts=[],
        evidence=evidence(graph, iri),
        external=sorted(
            (value(graph, o) for p in EXTERNAL for o in graph.objects(iri, p)),
            key=lambda v: v.text,
        ),
        is_fact=is_fact(graph, iri),
    )
    page.alt_names = [n for n in page.alt_names if n not in page.former_names]
    _attach(page, facts)
    return page


def _inverses(graph: Graph, p) -> list:
    """Return a property's inverses, stated either way round (itself if symmetric)."""
    found = set(graph.objects(p, OWL.inverseOf)) | set(graph.subjects(OWL.inverseOf, p))
    if (p, RDF.type, OWL.SymmetricProperty) in graph:
        found.add(p)
    return sorted(q for q in found if isinstance(q, URIRef))


def _attach(page: Page, facts: dict) -> None:
    """Show each fact beside the link it qualifies; list the rest on their own.

    A fact naming the same party as several links goes beside the one whose wording
    shares most with the fact's kind ("has member" for a Membership).
    """
    used = set()
    for node, f in facts.items():
        parties = {v.iri for _, v in f.others}
        candidates = [
            (row, item)
            for row in page.relations + page.incoming
            for item in row.values
            if item.iri in parties
        ]
        if candidates:
            row, item = max(candidates, key=lambda c: _overlap(c[0].label, f.kind))
            item.facts.append(f)
            used.add(node)
    page.facts = [f for node, f in facts.items() if node not in used]


def _overlap(a: str, b: str) -> int:
    """Return how much wording two phrases share: per word, its longest common start.

    Starts shorter than four letters do not count, so "funds" meets "funding" and
    "administered" meets "administration", but "has" meets nothing.
    """

    def common(x: str, y: str) -> int:
        n = 0
        while n < min(len(x), len(y)) and x[n] == y[n]:
            n += 1
        return n if n >= 4 else 0

    words_b = [w for w in b.lower().split() if len(w) > 2]
    return sum(max((common(w, v) for v in words_b), default=0) for w in a.lower().split())
