"""IRI stability: an IRI published in a release never vanishes silently.

Every IRI under the base that an earlier release tag described (as a subject of its
ontology or data) must still be described now: in use (typed), or retired with
`owl:deprecated true` and either `dcterms:isReplacedBy` its successor (renamed, merged) or
`skos:changeNote` saying why it was withdrawn, as docs/MODELLING.md asks and the server
answers (301 or 410, linking/retired.py). A deprecated IRI lacking both is reported by
the shape nzsash:DeprecatedShape, so it is not reported twice here.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS, SKOS

from ..linking.releases import GitError, Release, checkout, release_tags
from ..load import ParseError, Project, default_sources, parse_files
from ..validate.findings import ERROR, WARNING, Finding
from ..vocab import BASE_IRI, GENID

STAGE = "stability"
RETIRE_HINT = (
    "keep it with owl:deprecated true and dcterms:isReplacedBy the IRI that replaces it "
    '(renamed), or with owl:deprecated true and skos:changeNote "why"@en (withdrawn); '
    "see docs/MODELLING.md"
)


@dataclass(frozen=True)
class Published:
    """An IRI as the first release that described it published it."""

    iri: URIRef
    tag: str
    file: str  # the file that described it then, relative to the project root
    label: str | None


def is_published_name(node) -> bool:
    """Say whether a node is an IRI of ours that others may link to (not a skolem IRI)."""
    text = str(node)
    return isinstance(node, URIRef) and text.startswith(BASE_IRI) and not text.startswith(GENID)


def _label(graph: Graph, iri: URIRef) -> str | None:
    for predicate in (SKOS.prefLabel, RDFS.label):
        value = graph.value(iri, predicate)
        if isinstance(value, Literal):
            return str(value)
    return None


def released_graphs(root: Path, release: Release) -> dict[str, Graph]:
    """Return the ontology and data files of a release, by path relative to the project."""
    with checkout(root, release.commit) as project:
        sources = default_sources(project)
        graphs = parse_files(sources.ontology + sources.data)
        return {path.relative_to(project).as_posix(): graph for path, graph in graphs.items()}


def published_iris(root: Path) -> tuple[dict[URIRef, Published], list[str]]:
    """Return every IRI any release tag described, with the first release that did.

    Also return the tags that could not be read (not parseable then), so that a caller
    can say so rather than pass silently.
    """
    published: dict[URIRef, Published] = {}
    unreadable = []
    for release in release_tags(root):
        try:
            graphs = released_graphs(root, release)
        except (ParseError, GitError) as error:
            unreadable.append(f"{release.tag}: {error}")
            continue
        for file, graph in graphs.items():
            for subject in set(graph.subjects()):
                if is_published_name(subject) and subject not in published:
                    published[subject] = Published(
                        subject, release.tag, file, _label(graph, subject)
                    )
    return published, unreadable


def is_kept(graph: Graph, iri: URIRef) -> bool:
    """Say whether a published IRI is still in use, or retired as MODELLING.md says."""
    if (iri, OWL.deprecated, None) in graph:
        return True  # its replacement or reason is nzsash:DeprecatedShape's to check
    return (iri, RDF.type, None) in graph


def _candidates(graph: Graph, gone: Published, published: dict[URIRef, Published]) -> list[str]:
    """Return IRIs that are new since the releases and look like `gone` renamed."""
    new = {
        s
        for s in set(graph.subjects())
        if is_published_name(s) and s not in published and (s, OWL.deprecated, None) not in graph
    }
    same_label = sorted(s for s in new if gone.label and _label(graph, s) == gone.label)
    if same_label:
        return same_label
    # Compare the names within the same folder (organisation/, nzsa: terms ...), not the
    # whole IRIs, whose long common start would make any two look alike.
    folder, name = _split(gone.iri)
    siblings = {_split(s)[1]: s for s in new if _split(s)[0] == folder}
    return [siblings[c] for c in difflib.get_close_matches(name, list(siblings), n=3, cutoff=0.6)]


def _split(iri: URIRef) -> tuple[str, str]:
    """Split an IRI into its namespace and local name (after the last `/` or `#`)."""
    text = str(iri)
    cut = max(text.rfind("/"), text.rfind("#")) + 1
    return text[:cut], text[cut:]


def check_stability(root: Path, project: Project) -> list[Finding]:
    """Report every IRI an earlier release published that is now gone without retirement."""
    published, unreadable = published_iris(root)
    findings = [
        Finding(WARNING, STAGE, f"release {problem}; its IRIs were not checked")
        for problem in unreadable
    ]
    graph = project.asserted
    show = graph.namespace_manager.normalizeUri
    for iri, first in sorted(published.items()):
        if is_kept(graph, iri):
            continue
        state = "is no longer described" if (iri, None, None) in graph else "is gone"
        message = f"published in {first.tag}, {state}: {RETIRE_HINT}"
        candidates = _candidates(graph, first, published)
        if candidates:
            message += ". Renamed to " + " or ".join(show(c) for c in candidates) + "?"
        file = root / first.file
        findings.append(
            Finding(ERROR, STAGE, message, file if file.is_file() else None, subject=iri)
        )
    return findings


def replacement_of(graph: Graph, iri: URIRef) -> URIRef | None:
    """Return what a retired IRI says replaces it, if anything."""
    value = graph.value(iri, DCTERMS.isReplacedBy)
    return value if isinstance(value, URIRef) else None
