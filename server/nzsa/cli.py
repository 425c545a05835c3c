"""The `nzsa` command line: each subcommand lives in its own module and registers here.

Only the module of the subcommand being run is imported: each one's imports (validation,
the web app, a server) take a good part of a second, and `nzsa serve` should start quickly.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from . import __version__
from .project import NoProject, use_project

# Each module adds its own subcommand with `register(subparsers)`.
SUBCOMMANDS = {
    "validate": "nzsa.validate.command",
    "build": "nzsa.build",
    "serve": "nzsa.serve",
    "w3id": "nzsa.linking.w3id",
    "fmt": "nzsa.maintain.fmt",
    "release": "nzsa.maintain.release",
    "diff": "nzsa.maintain.diff",
}


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; given a `command`, the other subcommands are names only."""
    parser = argparse.ArgumentParser(
        prog="nzsa", description="Validate, build and serve the nzsa knowledge graph."
    )
    parser.add_argument("--version", action="version", version=f"nzsa {__version__}")
    _add_project_option(parser)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        if command in (None, name):
            importlib.import_module(module).register(subparsers)
        else:
            subparsers.add_parser(name)
        _add_project_option(subparsers.choices[name])
    return parser


def _add_project_option(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a subcommand's parser must not reset a `--project` given before it.
    parser.add_argument(
        "--project",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DIR",
        help="the project's root folder (default: $NZSA_ROOT, else the nearest folder at or "
        "above the working directory with ontology/, data/ and shapes/)",
    )


def command_in(argv: list[str]) -> str | None:
    """The subcommand named in argv, if any; of the top level's options only --project
    takes a value."""
    named = []
    for i, word in enumerate(argv):
        if not word.startswith("-") and (i == 0 or argv[i - 1] != "--project"):
            named.append(word)
    return named[0] if named and named[0] in SUBCOMMANDS else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = make_parser(command_in(argv)).parse_args(argv)
    try:
        if getattr(args, "project", None):
            use_project(args.project)
        return args.handler(args)
    except NoProject as error:
        print(f"nzsa {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
