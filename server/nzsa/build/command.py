"""`nzsa build --out DIR`: validate, then write the publishable dataset."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..linking.releases import RELEASES, build_releases
from ..load import default_sources, project_root, sources_from_paths
from ..project import BUILD
from ..validate.formatters import format_text
from .dataset import BuildRefused, build_dataset, sources_root

DESCRIPTION = """\
Validate the ontology, data and shapes (as `nzsa validate` does) and, when they
conform, write the publishable dataset into DIR: nzsa.trig and nzsa.nq (named graphs
ontology, data, inferred, shapes); nzsa.ttl, nzsa.nt, nzsa.jsonld, nzsa.rdf (ontology
+ data as asserted); inferred.ttl, ontology.ttl, shapes.ttl; void.ttl (VoID and DCAT);
wikidata-links.nt and wikidata.qs (the Wikidata links, and QuickStatements linking back);
manifest.json (the inputs' hashes and graph sizes); SHA256SUMS. Output is byte-for-byte
deterministic. PATHs are as for `nzsa validate` (default: the project's own files).

Without PATHs, each release tag of the project's git repository (v1.0.0 ...) is also
built, once, into DIR/releases/<tag>/, for the mementos `nzsa serve` answers.

Exit status: 0 built, 1 validation failed (nothing written), 2 usage error.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `build` subcommand."""
    parser = subparsers.add_parser(
        "build",
        help="write the publishable dataset, its VoID description and checksums",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: build/ in the project)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Build and say what was written; return the exit status."""
    try:
        sources = sources_from_paths(args.paths) if args.paths else default_sources()
    except FileNotFoundError as error:
        print(f"nzsa build: {error}", file=sys.stderr)
        return 2
    # The project's build/, never the working directory's or the installed package's.
    out_dir = args.out or sources_root(sources) / BUILD
    started = time.monotonic()
    try:
        result = build_dataset(sources, out_dir)
    except BuildRefused as refused:
        sys.stderr.write(format_text(refused.report))
        print("nzsa build: validation failed, nothing built", file=sys.stderr)
        return 1
    sizes = ", ".join(f"{name} {count}" for name, count in result.triples.items())
    elapsed = time.monotonic() - started
    count = len(result.files) + 1  # and SHA256SUMS
    print(f"nzsa build: wrote {count} files to {out_dir} ({sizes} triples) in {elapsed:.1f}s")
    if not args.paths:
        kept = build_releases(project_root(), out_dir, say=lambda line: print("nzsa build:", line))
        if kept:
            tags = ", ".join(r.tag for r in kept)
            print(f"nzsa build: {len(kept)} releases in {out_dir / RELEASES} ({tags})")
    return 0
