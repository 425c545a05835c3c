"""The `nzsa` command line: each subcommand lives in its own module and registers here.

Only the module of the subcommand being run is imported: each one's imports (validation,
the web app, a server) take a good part of a second, and `nzsa serve` should start quickly.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

# Each module adds its own subcommand with `register(subparsers)`.
SUBCOMMANDS = {
    "validate": "nzsa.validate.command",
    "build": "nzsa.build",
    "serve": "nzsa.serve",
    "w3id": "nzsa.linking.w3id",
    "fmt": "nzsa.maintain.fmt",
}


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; given a `command`, the other subcommands are names only."""
    parser = argparse.ArgumentParser(
        prog="nzsa", description="Validate, build and serve the nzsa knowledge graph."
    )
    parser.add_argument("--version", action="version", version=f"nzsa {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in SUBCOMMANDS.items():
        if command in (None, name):
            importlib.import_module(module).register(subparsers)
        else:
            subparsers.add_parser(name)
    return parser


def command_in(argv: list[str]) -> str | None:
    """The subcommand named in argv, if any; the top level takes no option values."""
    named = [word for word in argv if not word.startswith("-")]
    return named[0] if named and named[0] in SUBCOMMANDS else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = make_parser(command_in(argv)).parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
