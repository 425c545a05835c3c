"""Build the publishable dataset: named graphs, dumps in every format, VoID, checksums."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ..linking import wikidata
from ..load import (
    Project,
    Sources,
    default_sources,
    merge,
    project_root,
    root_of,
    skolem_names,
    skolemise,
)
from ..validate import Report, validate
from ..validate.reasoning import inferred
from ..vocab import GENID, NZSA, Graphs
from . import dumps, void
from .dumps import LIGHT
from .manifest import (
    MANIFEST,
    SUMS,
    input_hashes,
    read_manifest,
    sha256,
    write_manifest,
    write_sums,
)
from .publish import output_folder, staged

# docs/MODELLING.md, "Build output": the asserted ontology + data in four graph formats.
ASSERTED_DUMPS = ("nzsa.ttl", "nzsa.nt", "nzsa.jsonld", "nzsa.rdf")
DATASET_DUMPS = ("nzsa.trig", "nzsa.nq")
GRAPH_NAMES = {
    "ontology": Graphs.ONTOLOGY,
    "data": Graphs.DATA,
    "inferred": Graphs.INFERRED,
    "shapes": Graphs.SHAPES,
}


class BuildRefused(Exception):
    """Validation failed, so nothing was built."""

    def __init__(self, report: Report):
        self.report = report
        super().__init__(f"validation failed with {len(report.errors)} errors")


@dataclass
class BuildResult:
    """What a build wrote: the folder, each file's SHA-256, each graph's size."""

    out_dir: Path
    files: dict[str, str] = field(default_factory=dict)
    triples: dict[str, int] = field(default_factory=dict)
    report: Report | None = None


def sources_root(sources: Sources) -> Path:
    """Return the project the sources belong to: their role folders' parent, else the found one."""
    roots = [root_of(p) for p in sources.all]
    return next((r for r in roots if r is not None), project_root())


def text_copies(project: Project, root: Path) -> tuple[Path, ...]:
    """Return the evidence text files the data names, as build inputs."""
    paths = {root / str(copy) for copy in project.asserted.objects(None, NZSA.textCopy)}
    return tuple(sorted(p for p in paths if p.is_file()))


def publishable_graphs(report: Report) -> dict[URIRef, Graph]:
    """Return the four named graphs, blank nodes skolemised alike across them."""
    project = report.project
    asserted = project.asserted
    # One naming for ontology, data and inferred, so that a node is the same IRI in each.
    names = skolem_names(asserted)
    ontology = skolemise(project.ontology, names, store=LIGHT)
    data = skolemise(project.data, names, store=LIGHT)
    entailed = skolemise(inferred(asserted, report.closure), names, store=LIGHT)
    # Two blank nodes with equal content get one name: drop what that makes asserted.
    for triple in list(entailed):
        if triple in ontology or triple in data:
            entailed.remove(triple)
    shapes = skolemise(project.shapes, store=LIGHT)
    graphs = {
        Graphs.ONTOLOGY: ontology,
        Graphs.DATA: data,
        Graphs.INFERRED: entailed,
        Graphs.SHAPES: shapes,
    }
    for graph in graphs.values():
        graph.bind("genid", GENID, override=False)
    return graphs


def write_dataset(
    graphs: dict[URIRef, Graph], out_dir: Path, wikidata_ids: set[str] = frozenset()
) -> list[str]:
    """Write every dump of the named graphs into `out_dir`; return the file names.

    `wikidata_ids` are the checked Wikidata ids the QuickStatements may name.
    """
    asserted = merge((graphs[Graphs.ONTOLOGY], graphs[Graphs.DATA]), store=LIGHT)
    named = list(graphs.items())
    dumps.write_turtle(asserted, out_dir / "nzsa.ttl")
    dumps.write_ntriples(asserted, out_dir / "nzsa.nt")
    dumps.write_sorted(asserted, out_dir / "nzsa.jsonld", ox.RdfFormat.JSON_LD)
    dumps.write_sorted(asserted, out_dir / "nzsa.rdf", ox.RdfFormat.RDF_XML)
    texts = dumps.turtle_texts(named)
    dumps.write_trig(texts, out_dir / "nzsa.trig")
    dumps.write_nquads(named, out_dir / "nzsa.nq")
    for name, file in void.GRAPH_FILES.items():
        (out_dir / file).write_text(texts[name], encoding="utf-8")
    dumps.write_ntriples(wikidata.linkset(asserted), out_dir / wikidata.LINKSET_FILE)
    written = [*ASSERTED_DUMPS, *DATASET_DUMPS, *void.GRAPH_FILES.values(), wikidata.LINKSET_FILE]
    sizes = {name: (out_dir / name).stat().st_size for name in written}
    statements = wikidata.quickstatements(asserted, wikidata_ids)
    (out_dir / wikidata.QUICKSTATEMENTS_FILE).write_text(statements, encoding="utf-8")
    described = void.describe(asserted, graphs, sizes)
    dumps.write_turtle(described, out_dir / "void.ttl")
    return [*written, wikidata.QUICKSTATEMENTS_FILE, "void.ttl"]


def build_dataset(
    sources: Sources | None = None,
    out_dir: Path | str = "build",
    report: Report | None = None,
    before_publish: Callable[[Path], None] | None = None,
) -> BuildResult:
    """Validate, then write the publishable dataset into `out_dir`, all at once.

    Raises BuildRefused (with the report) when validation fails. Pass a `report` from
    `validate(sources)` to reuse its reasoning instead of validating again. The files are
    written beside `out_dir` and swapped into place (publish.py): `before_publish` may
    prepare the complete folder first.
    """
    sources = sources if sources is not None else default_sources()
    report = report if report is not None else validate(sources)
    if not report.conforms or report.project is None:
        raise BuildRefused(report)
    out_dir = output_folder(out_dir)
    graphs = publishable_graphs(report)
    id_list = wikidata.id_list(sources.data)
    root = sources_root(sources)
    triples = {key: len(graphs[name]) for key, name in GRAPH_NAMES.items()}
    # The id list is an input like the evidence texts: a change to it makes a build stale.
    extra = (id_list,) if id_list else ()
    inputs = input_hashes(sources, text_copies(report.project, root) + extra, root)
    with staged(out_dir, before_publish) as staging:
        written = write_dataset(graphs, staging, wikidata.listed_ids(id_list))
        write_manifest(staging, inputs, triples, [*written, MANIFEST, SUMS])
        write_sums(staging, [*written, MANIFEST])
        files = {name: sha256(staging / name) for name in [*written, MANIFEST]}
    return BuildResult(out_dir, files, triples, report)


def is_current(out_dir: Path | str, sources: Sources | None = None) -> bool:
    """Tell whether `out_dir` holds a complete build of exactly these inputs."""
    out_dir = Path(out_dir)
    sources = sources if sources is not None else default_sources()
    manifest = read_manifest(out_dir)
    if manifest is None or not all((out_dir / f).is_file() for f in manifest.get("files", [])):
        return False
    root = sources_root(sources)
    recorded: dict[str, str] = manifest.get("inputs", {})
    current = input_hashes(sources, (), root)
    # The other recorded inputs are the evidence texts: the RDF names them, so only
    # their content can change without the RDF changing.
    texts = tuple(root / name for name in recorded if name not in current)
    if not all(path.is_file() for path in texts):
        return False
    return input_hashes(sources, texts, root) == recorded
