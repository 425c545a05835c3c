"""The `nzsa` command line: each subcommand lives in its own module and registers here."""

from __future__ import annotations

import argparse
import sys

from . import __version__, build, serve
from .validate import command as validate_command

# Each module adds its own subcommand with `register(subparsers)`.
SUBCOMMANDS = (validate_command, build, serve)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nzsa", description="Validate, build and serve the nzsa knowledge graph."
    )
    parser.add_argument("--version", action="version", version=f"nzsa {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
