"""Stage 2 (terms), continued: every literal is published as written, by the dumps and the store.

The build writes the dumps with rdflib, but the SPARQL endpoint and the Linked Data pages
answer from pyoxigraph, which keeps a typed literal as its value and gives it back in
canonical form with a primitive datatype: "11"^^xsd:positiveInteger comes back as
"11"^^xsd:integer, "2700000.0"^^xsd:decimal as "2700000"^^xsd:decimal, "x"@en-NZ as "x"@en-nz.
rdflib's Turtle writer (nzsa.ttl, nzsa.trig) in turn writes "2700000"^^xsd:decimal as
2700000.0. A literal that either rewrites would make the dumps and the endpoint disagree, so
it is refused: counts are xsd:integer with sh:minInclusive 1 in the shapes, whole amounts
xsd:integer (docs/MODELLING.md).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import XSDToPython

from ..load import Project
from ..store.terms import to_oxigraph
from .findings import ERROR, Finding
from .locate import Locator

_SUBJECT = "urn:nzsa:literal:"
_PREDICATE = "urn:nzsa:value"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING, _DECIMAL, _INTEGER = _XSD + "string", _XSD + "decimal", _XSD + "integer"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# A literal as the dumps write it: lexical form, datatype IRI, language tag (or None).
Form = tuple[str, str, str | None]


def written(literal: Literal) -> Form:
    """Return the form rdflib writes into the dumps (nzsa.nq is rdflib's N-Triples)."""
    if literal.language:
        return str(literal), _LANG_STRING, literal.language
    return str(literal), str(literal.datatype or _STRING), None


def _read(literal: ox.Literal) -> Form:
    return literal.value, literal.datatype.value, literal.language or None


def _by_subject(triples: Iterable) -> dict[int, Form]:
    return {int(t.subject.value[len(_SUBJECT) :]): _read(t.object) for t in triples}


def store_forms(literals: list[Literal]) -> list[Form]:
    """Return each literal as pyoxigraph's store gives it back (raises ValueError if it cannot)."""
    store = ox.Store()
    predicate = ox.NamedNode(_PREDICATE)
    store.extend(
        ox.Quad(ox.NamedNode(f"{_SUBJECT}{i}"), predicate, to_oxigraph(literal), ox.DefaultGraph())
        for i, literal in enumerate(literals)
    )
    back = _by_subject(store)
    return [back[i] for i in range(len(literals))]


def turtle_forms(literals: list[Literal]) -> list[Form]:
    """Return each literal as it reads back from rdflib's Turtle writer (nzsa.ttl, nzsa.trig).

    pyoxigraph reads the text as written, except that it lowercases language tags, which the
    Turtle writer leaves alone: those keep their case here.
    """
    # Each literal as the writer spells it (its TurtleSerializer.label calls this), one a
    # line: serializing a graph of them all sorted and grouped every subject first.
    text = "".join(
        f"<{_SUBJECT}{i}> <{_PREDICATE}> {literal._literal_n3(use_plain=True)} .\n"
        for i, literal in enumerate(literals)
    )
    back = _by_subject(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))
    forms = []
    for i, literal in enumerate(literals):
        value, datatype, language = back[i]
        if language and literal.language and language == literal.language.lower():
            language = literal.language
        forms.append((value, datatype, language))
    return forms


def _show(form: Form, graph: Graph) -> str:
    """Write a literal as the Turtle files spell it: "11"^^xsd:integer, "x"@en."""
    value, datatype, language = form
    text = str(ox.Literal(value))
    if language:
        return f"{text}@{language}"
    try:
        return f"{text}^^{graph.namespace_manager.normalizeUri(URIRef(datatype))}"
    except ValueError:
        return f"{text}^^<{datatype}>"


def _advice(stored: Form, graph: Graph) -> str:
    """Say how to write a literal so that the store and the dumps both keep it."""
    value, datatype, _ = stored
    if datatype == _DECIMAL and "." not in value:
        # The store drops a whole decimal's ".0"; the Turtle writer puts it back.
        return f"write a whole number as an xsd:integer, {_show((value, _INTEGER, None), graph)}"
    return f"write it as {_show(stored, graph)}"


# How to write the values of the datatypes people type by hand.
_FORMS = {
    XSD.date: "a date that exists, as YYYY-MM-DD",
    XSD.dateTime: "a date and time, as YYYY-MM-DDThh:mm:ss",
    XSD.gYear: "a year, as YYYY",
    XSD.gYearMonth: "a month, as YYYY-MM",
    XSD.integer: "a whole number, digits only",
    XSD.positiveInteger: "a whole number above 0, digits only",
    XSD.nonNegativeInteger: "a whole number, 0 or more, digits only",
    XSD.decimal: "a number such as 12.5, with no thousands separators",
    XSD.boolean: "true or false",
}
_DATES = (XSD.date, XSD.dateTime, XSD.gYear, XSD.gYearMonth)


def ill_typed(literal: Literal, graph: Graph) -> str | None:
    """Say why a literal's text is not a value of its datatype, or None if it is."""
    if not literal.ill_typed:
        return None
    datatype = _show(("", str(literal.datatype), None), graph).split("^^", 1)[1]
    message = f"{str(literal)!r} is not a valid {datatype}"
    reason = None
    if literal.datatype in _DATES:
        try:
            XSDToPython[literal.datatype](str(literal))
        except (ValueError, TypeError) as error:
            reason = str(error)
    if reason:
        message += f" ({reason})"
    form = _FORMS.get(literal.datatype)
    return message + (f": write {form}" if form else "")


def check_literals(project: Project, locator: Locator) -> list[Finding]:
    """Report ill-typed literals, and literals the store or the Turtle dumps would change."""
    occurrences = []  # (path, subject, predicate, literal)
    findings: list[Finding] = []
    for path in project.sources.all:
        for s, p, o in sorted(t for t in project.graphs[path] if isinstance(t[2], Literal)):
            wrong = ill_typed(o, project.graphs[path])
            if wrong:
                line = locator.indexes[path].line_of_value(s, o)
                findings.append(Finding(ERROR, "terms", wrong, path, line, s, p, o))
                continue
            try:
                to_oxigraph(o)
            except ValueError as error:
                message = f"the store cannot hold the literal {o.n3()}: {error}"
                line = locator.indexes[path].line_of(s)
                findings.append(Finding(ERROR, "terms", message, path, line, s, p, o))
                continue
            occurrences.append((path, s, p, o))
    literals = [o for _, _, _, o in occurrences]
    checked = zip(occurrences, store_forms(literals), turtle_forms(literals), strict=True)
    for (path, s, p, o), in_store, in_dump in checked:
        graph, form = project.graphs[path], written(o)
        if in_store != form:
            problem = f"the store would give {_show(form, graph)} back as {_show(in_store, graph)}"
        elif in_dump != form:
            problem = (
                f"the Turtle dumps would write {_show(form, graph)} as {_show(in_dump, graph)}"
            )
        else:
            continue
        advice = _advice(in_store, graph)
        message = f"{problem}, so the dumps and the SPARQL endpoint would disagree: {advice}"
        line = locator.indexes[path].line_of(s)
        findings.append(Finding(ERROR, "terms", message, path, line, s, p, o))
    return findings
