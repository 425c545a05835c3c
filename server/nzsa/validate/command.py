"""`nzsa validate`: check the ontology, data and shapes, and say where anything is wrong."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..load import ROLE_FOLDERS, default_sources, load_project, project_root, sources_from_paths
from .findings import INFO, STAGES, Finding, Report
from .formatters import FORMATTERS, summary
from .reasoning import REASONERS
from .run import validate

DESCRIPTION = f"""\
Validate the knowledge graph in stages: {", ".join(STAGES)}.

PATHs are Turtle files, folders (the *.ttl directly inside) or project roots
(folders holding ontology/, data/, shapes/). A file in a folder
named ontology/ is ontology, in shapes/ is shapes, anywhere else is data; --ontology
and --shapes give those roles to files in other folders. Without PATHs or options,
the project's own ontology/*.ttl, data/*.ttl and shapes/*.ttl are checked: the project
is --project DIR, else $NZSA_ROOT, else the nearest folder at or above the working
directory with ontology/, data/ and shapes/ (or a pyproject.toml with [tool.nzsa]).

Evidence text copies (nzsa:textCopy) are read relative to --root, by default the
folder above the data/ folder that describes each source document.

With --since-release, every IRI that a release tag (v*) of the project's git
repository described must still be described, or be retired with owl:deprecated true
and dcterms:isReplacedBy or skos:changeNote (docs/MODELLING.md).

Exit status: 0 conforms, 1 violations (or nothing to check), 2 usage or parse error.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `validate` subcommand."""
    parser = subparsers.add_parser(
        "validate",
        help="check the ontology, data and shapes",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument(
        "--ontology",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="treat this file or folder as ontology (repeatable)",
    )
    parser.add_argument(
        "--shapes",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="treat this file or folder as SHACL shapes (repeatable)",
    )
    parser.add_argument(
        "--root", type=Path, metavar="DIR", help="the folder evidence text copies are relative to"
    )
    parser.add_argument(
        "--format",
        choices=sorted(FORMATTERS),
        default="text",
        help="text (default, grouped by file and subject), github (CI annotations) "
        "or turtle (the SHACL validation report)",
    )
    parser.add_argument(
        "--reasoner",
        choices=REASONERS,
        default=REASONERS[0],
        help="rules (default: the OWL 2 RL rules the ontology's axioms need, run on "
        "pyoxigraph) or owlrl (every OWL 2 RL rule; same findings, slower)",
    )
    parser.add_argument(
        "--since-release",
        action="store_true",
        help="also fail when an IRI published in an earlier release tag (v*) is gone "
        "without owl:deprecated true and dcterms:isReplacedBy or skos:changeNote",
    )
    parser.add_argument(
        "--changed-since",
        metavar="REV",
        help="check only what the change since git revision REV can affect (its subjects, "
        "what points at them, the objects it links); the findings are those a full "
        "validation gives for them. A change to the ontology or shapes is checked in full",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate and print the report; return the exit status."""
    if args.paths or args.ontology or args.shapes:
        try:
            sources = sources_from_paths(args.paths, args.ontology, args.shapes)
        except FileNotFoundError as error:
            print(f"nzsa validate: {error}", file=sys.stderr)
            return 2
    else:
        sources = default_sources()
    report = validate(
        sources, root=args.root, reasoner=args.reasoner, changed_since=args.changed_since
    )
    if args.since_release and report.project is not None:
        if args.changed_since:
            # Release IRIs are looked up in the whole graph, not the part a change touched.
            report.project = load_project(report.project.sources)
        add_stability(report, stability_root(args))
    sys.stdout.write(FORMATTERS[args.format](report))
    if args.format == "turtle":
        # Keep stdout pure Turtle; people still see the counts.
        print(summary(report), file=sys.stderr)
    return report.exit_code


def stability_root(args: argparse.Namespace) -> Path:
    """Return the project whose release tags --since-release compares with."""
    roots = [p for p in args.paths if p.is_dir() and any((p / r).is_dir() for r in ROLE_FOLDERS)]
    return roots[0].resolve() if roots else project_root()


def add_stability(report: Report, root: Path) -> None:
    """Add the IRI stability findings (imported only when asked: it reads git)."""
    from ..linking.releases import release_tags
    from ..maintain.stability import STAGE, check_stability

    if not release_tags(root):
        note = f"no release tag (v*) in {root}: no published IRIs to compare with"
        report.findings.append(Finding(INFO, STAGE, note))
    report.findings += check_stability(root, report.project)
    report.stages_run += (STAGE,)
