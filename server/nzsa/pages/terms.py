"""Names for people: labels of IRIs, readable dates, and links read the other way."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD

from ..vocab import SCHEMA

# Label properties, best first; English is preferred within each.
LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name)

# How a link reads from its object's page, where "is <label> of" would read badly.
INVERSES = {
    "http://www.w3.org/ns/org#memberOf": "has member",
    "http://www.w3.org/ns/org#subOrganizationOf": "has sub-organisation",
    "http://www.w3.org/ns/org#hasSubOrganization": "is sub-organisation of",
    "http://www.w3.org/ns/org#member": "is member in",
    "http://www.w3.org/ns/org#organization": "is organisation in",
    "http://www.w3.org/ns/org#role": "is role in",
    "http://www.w3.org/ns/prov#wasQuotedFrom": "is quoted in",
    "http://www.w3.org/2004/02/skos/core#inScheme": "has concept",
    "http://www.w3.org/2004/02/skos/core#broader": "has narrower",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": "has instance",
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "has subclass",
}

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def local_name(iri: str) -> str:
    """Return the last segment of an IRI, after '#' or '/'."""
    return re.split(r"[#/]", str(iri).rstrip("/#"))[-1]


def humanise(iri: str) -> str:
    """Return a readable name made from an IRI's local name (`startDate` → `start date`)."""
    name = local_name(iri)
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("-", " ").replace("_", " ")
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def label(graph: Graph, iri, fallback: bool = True) -> str | None:
    """Return a resource's best label in `graph`: English first, then any, then its name."""
    for prop in LABELS:
        values = [v for v in graph.objects(iri, prop) if isinstance(v, Literal)]
        if values:
            english = [v for v in values if (v.language or "").lower().startswith("en")]
            return str(sorted(english or values)[0])
    return humanise(iri) if fallback and isinstance(iri, URIRef) else None


PREPOSITIONS = {"by", "in", "from", "to", "with", "on", "at", "for", "into", "about", "within"}


def inverse(predicate: str, predicate_label: str) -> str:
    """Return how a link reads from its object's page, for a property with no inverse.

    "member of" → "has member", "has part" → "part of", a noun ("funder") → "funder of";
    a verb or a phrase ending in a preposition cannot be turned round safely, so it
    reads "<label> (inverse)" rather than "is administers of".
    """
    if str(predicate) in INVERSES:
        return INVERSES[str(predicate)]
    text = predicate_label.strip()
    words = text.split()
    if not words:
        return "(inverse)"
    if len(words) > 1 and words[-1] == "of":
        return "has " + " ".join(words[:-1])
    if len(words) > 1 and words[0] == "has":
        return " ".join(words[1:]) + " of"
    if _verb_like(words[0]) or words[-1] in PREPOSITIONS or words[0] == "is":
        return f"{text} (inverse)"
    return f"{text} of"


def _verb_like(word: str) -> bool:
    """Tell whether a property label's first word reads as a verb ("administers", "led")."""
    word = word.lower()
    if word in {"led", "held", "made", "paid", "brought", "took"}:
        return True
    if word.endswith("ed") and len(word) > 4:
        return True
    return word.endswith("s") and not word.endswith(("ss", "us", "is", "ics"))


def show_date(value: Literal) -> str:
    """Return an xsd date, year-month or year as people write it ("June 2017")."""
    text = str(value)
    try:
        if value.datatype == XSD.date:
            year, month, day = text[:10].split("-")
            return f"{int(day)} {MONTHS[int(month) - 1]} {year}"
        if value.datatype == XSD.gYearMonth:
            year, month = text[:7].split("-")
            return f"{MONTHS[int(month) - 1]} {year}"
    except (ValueError, IndexError):
        pass  # an ill-formed date is shown as written
    return text


PERIODS = {"Y": "year", "M": "month", "W": "week", "D": "day"}


def show_duration(value: Literal) -> str:
    """Return an xsd:duration in words where it is a simple one ("P1Y" → "1 year")."""
    match = re.fullmatch(r"P(\d+)([YMWD])", str(value))
    if not match:
        return str(value)
    count, unit = int(match.group(1)), PERIODS[match.group(2)]
    return f"{count} {unit}{'' if count == 1 else 's'}"


def show_period(value: Literal) -> str:
    """Return how often an amount recurs ("P1Y" → "a year", "P2Y" → "every 2 years")."""
    match = re.fullmatch(r"P(\d+)([YMWD])", str(value))
    if not match:
        return f"per {value}"
    count, unit = int(match.group(1)), PERIODS[match.group(2)]
    return f"a {unit}" if count == 1 else f"every {count} {unit}s"


def show_number(value: Literal) -> str:
    """Return a number with thousands separators, without a pointless ".0"."""
    try:
        number = float(value)
    except ValueError:
        return str(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}"


def iso_start(value: Literal) -> str | None:
    """Return the first day an xsd date, year-month or year covers (`2003` → `2003-01-01`)."""
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", text):
        return text[:10]
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return text + "-01"
    if re.fullmatch(r"\d{4}", text):
        return text + "-01-01"
    return None
