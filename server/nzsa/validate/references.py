"""Stage 3: every IRI under the base that is used as an object is described as a subject."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import OWL, RDF, URIRef

from ..load import Project
from ..vocab import BASE_IRI
from .causes import DANGLING
from .findings import ERROR, Finding
from .locate import Locator
from .renamed import Before, earlier
from .show import Shower
from .suggest import NameIndex, closest, did_you_mean

# Objects that name versions or other documents of the ontology, not things described.
NOT_REFERENCES = frozenset(
    {
        OWL.versionIRI,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
        OWL.imports,
    }
)


def _renamed(iri: URIRef, befores: list[Before], described: set, show) -> str:
    """Say where `iri` was described before and which new IRI looks like its new name."""
    was = next((before for before in befores if iri in before.iris), None)
    if was is None:
        return ""
    new = [s for s in described if isinstance(s, URIRef) and s not in was.iris]
    prefix = str(iri).rsplit("/", 1)[0] + "/"
    alike = [s for s in new if str(s).startswith(prefix)]
    # One new IRI of the same kind is the likely new name; among several, the closest.
    matches = alike if len(alike) == 1 else closest(iri, alike, show, count=1, cutoff=0.5)
    guess = f" to {show(matches[0])}" if matches else ""
    return (
        f"; renamed{guess}? it was described at {was.name}: point the references at its new "
        "IRI, and keep the old one with owl:deprecated true and dcterms:isReplacedBy "
        "(docs/MODELLING.md)"
    )


def _dangling(triple: tuple, described: set, in_data: bool, only: set | None) -> bool:
    """Tell whether a triple points to an IRI of ours that nothing describes."""
    s, p, o = triple
    # Classes of instances are checked (as declared terms) by the terms stage.
    if p in NOT_REFERENCES or (p == RDF.type and in_data):
        return False
    if only is not None and s not in only:
        return False
    return isinstance(o, URIRef) and o.startswith(BASE_IRI) and o not in described


def check_references(
    project: Project,
    locator: Locator,
    root: Path | None = None,
    everything: Callable[[], set] | None = None,
    only: set | None = None,
) -> list[Finding]:
    """Report references to IRIs of ours that nothing describes (dangling links).

    `root` is the project in git whose earlier revisions tell renamed IRIs (none: not asked).
    `everything` gives every subject of the project when `project` holds only part of it
    (validate --changed-since): names are suggested from all of them, and only the
    references of the subjects in `only` are checked.
    """
    described = set(project.asserted.subjects())
    ours: list | None = None
    findings: list[Finding] = []
    data = set(project.sources.data)
    befores: list[Before] | None = None
    hints: dict[URIRef, str] = {}
    for path in project.sources.ontology + project.sources.data:
        graph = project.graphs[path]
        show = Shower(graph)
        index: NameIndex | None = None  # of shown names: `show` is this file's
        seen = set()
        # Sorted for the findings' order, once the few dangling references are picked out.
        for s, p, o in sorted(t for t in graph if _dangling(t, described, path in data, only)):
            if (s, o) not in seen:
                seen.add((s, o))
                if o not in hints:
                    if befores is None:
                        befores = earlier(root) if root else []
                    if ours is None:
                        every = everything() if everything else described
                        ours = [
                            s for s in every if isinstance(s, URIRef) and s.startswith(BASE_IRI)
                        ]
                        every_described = every
                    if index is None:
                        index = NameIndex(ours, show)
                    matches = index.closest(o)
                    hints[o] = _renamed(o, befores, every_described, show) or did_you_mean(
                        matches, show
                    )
                message = f"{show(p)} points to {show(o)}, which nothing describes{hints[o]}"
                line = locator.indexes[path].line_of_value(s, o)
                findings.append(
                    Finding(ERROR, "references", message, path, line, s, p, o, kind=DANGLING)
                )
    return findings
