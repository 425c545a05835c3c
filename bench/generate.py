"""Synthetic graphs of any size, made from our own ontology, data and build.

The bundled data is copied k times under new IRIs (`<slug>-c<k>`): every copy holds the
same classes, fact nodes and evidence (quotes from the same source texts), so it is
valid against the same shapes. Hubs that real growth would share rather than repeat —
countries, places, threats, cooperation areas, roles, schemes and source documents —
stay single, so they gather incoming links from every copy, as they would.

Two outputs per size:
- a project folder (ontology/ and shapes/ as they are, data/synthetic.ttl, the source
  texts), for timing `nzsa validate` and `nzsa build`;
- a build folder whose nzsa.nq maps the bundled build's graphs (ontology, data,
  inferred, shapes) the same way, for serving: the inferred graph of copy k is what the
  reasoner inferred for the bundled data, renamed, so no reasoner run is needed at 1M.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pyoxigraph as ox

ID = "https://w3id.org/nzsa/id/"
GENID = "https://w3id.org/nzsa/.well-known/genid/"
DATA_GRAPH = ox.NamedNode("https://w3id.org/nzsa/graph/data")
HUBS = frozenset({"country", "place", "threat", "area", "role", "scheme", "source"})
# Stands for the copy number k in the one copy rendered as a template.
MARKER = "NZSACOPYK"
LABELS = frozenset(
    {
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2004/02/skos/core#altLabel",
        "http://www.w3.org/2000/01/rdf-schema#label",
    }
)


def _is_copied_iri(iri: str) -> bool:
    if not iri.startswith(ID):
        return False
    return iri[len(ID) :].split("/", 1)[0] not in HUBS


class Copier:
    """Rename the copied terms of the bundled build's quads for copy k."""

    def __init__(self, quads: list[ox.Quad]):
        # A skolemised node (evidence) belongs to whoever links to it in the data graph.
        owner = {
            q.object.value: q.subject.value
            for q in quads
            if q.graph_name == DATA_GRAPH
            and isinstance(q.object, ox.NamedNode)
            and q.object.value.startswith(GENID)
        }
        self.copied = {iri for iri, who in owner.items() if _is_copied_iri(who)}

    def copied_term(self, term) -> bool:
        return isinstance(term, ox.NamedNode) and (
            _is_copied_iri(term.value) or term.value in self.copied
        )

    def rename(self, term, k: int | str):
        if self.copied_term(term):
            return ox.NamedNode(f"{term.value}-c{k}")
        return term

    def quad(self, q: ox.Quad, k: int | str) -> ox.Quad | None:
        """Return copy k of a quad, or None when it holds no copied term (kept once)."""
        if not any(self.copied_term(t) for t in (q.subject, q.predicate, q.object)):
            return q if k == 0 else None
        if k == 0:
            return q
        if q.graph_name == DATA_GRAPH and not self.copied_term(q.subject):
            return None  # a hub's own statements (a source's publisher) are made once
        obj = self.rename(q.object, k)
        if (
            q.predicate.value in LABELS
            and isinstance(obj, ox.Literal)
            and self.copied_term(q.subject)
        ):
            obj = ox.Literal(f"{obj.value} {k}", language=obj.language)
        return ox.Quad(self.rename(q.subject, k), q.predicate, obj, q.graph_name)


def copies_for(target: int, copier: Copier, quads: list[ox.Quad]) -> int:
    """Return how many copies give about `target` triples in the data graph."""
    data = [q for q in quads if q.graph_name == DATA_GRAPH]
    shared = sum(1 for q in data if copier.quad(q, 1) is None)
    return max(1, round((target - shared) / max(len(data) - shared, 1)))


def _data_turtle(q: ox.Quad) -> str:
    # Skolemised evidence goes back to being a blank node, as people write it.
    terms = []
    for t in (q.subject, q.predicate, q.object):
        if isinstance(t, ox.NamedNode) and t.value.startswith(GENID):
            terms.append("_:g" + t.value[len(GENID) :].replace("-", "_"))
        else:
            terms.append(str(t))
    return " ".join(terms) + " .\n"


def generate(bundled_build: Path, project_root: Path, target: int, out: Path) -> dict:
    """Write out/project and out/build for about `target` data triples; return counts."""
    quads = list(ox.parse(path=str(bundled_build / "nzsa.nq"), format=ox.RdfFormat.N_QUADS))
    copier = Copier(quads)
    copies = copies_for(target, copier, quads)
    shutil.rmtree(out, ignore_errors=True)
    project, build = out / "project", out / "build"
    (project / "data").mkdir(parents=True)
    build.mkdir(parents=True)
    for role in ("ontology", "shapes"):
        shutil.copytree(project_root / role, project / role)
    shutil.copytree(project_root / "data" / "sources", project / "data" / "sources")
    shutil.copy(project_root / "data" / "wikidata-ids.csv", project / "data")
    first, first_data = _render(copier, quads, 0)
    # Copies 1.. differ only in k: render one with a marker in its place, then substitute.
    template, template_data = _render(copier, quads, MARKER)
    if MARKER in (bundled_build / "nzsa.nq").read_text(encoding="utf-8"):
        raise ValueError(f"{MARKER} occurs in the bundled build")
    counts = {"copies": copies, "data": 0, "quads": 0}
    with (
        (build / "nzsa.nq.part").open("w", encoding="utf-8") as nq,
        (project / "data" / "synthetic.ttl").open("w", encoding="utf-8") as ttl,
    ):
        for k in range(copies):
            lines, data = (first, first_data) if k == 0 else (template, template_data)
            text, turtle = "".join(lines), "".join(data)
            if k:
                text, turtle = text.replace(MARKER, str(k)), turtle.replace(MARKER, str(k))
            nq.write(text)
            ttl.write(turtle)
            counts["quads"] += len(lines)
            counts["data"] += len(data)
    # Named only when whole: the harness takes an existing nzsa.nq as generated.
    (build / "nzsa.nq.part").rename(build / "nzsa.nq")
    return counts


def _render(copier: Copier, quads: list[ox.Quad], k: int | str) -> tuple[list[str], list[str]]:
    """Return copy k's N-Quads lines and its data graph's Turtle lines."""
    lines, data = [], []
    for q in quads:
        copy = copier.quad(q, k)
        if copy is None:
            continue
        lines.append(str(copy) + " .\n")
        if copy.graph_name == DATA_GRAPH:
            data.append(_data_turtle(copy))
    return lines, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundled-build", type=Path, required=True)
    parser.add_argument("--root", type=Path, default=Path("."))
    parser.add_argument("--triples", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(generate(args.bundled_build, args.root, args.triples, args.out))


if __name__ == "__main__":
    main()
