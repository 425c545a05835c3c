"""The `nzsa` command line: each subcommand lives in its own module and registers here."""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

# Modules that expose `register(subparsers)`; each adds one subcommand.
SUBCOMMANDS = ("nzsa.validate.command", "nzsa.build", "nzsa.serve")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nzsa", description="Validate, build and serve the nzsa knowledge graph."
    )
    parser.add_argument("--version", action="version", version=f"nzsa {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in SUBCOMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if not module_name.startswith(error.name or "-"):
                raise
            continue  # a subcommand not built yet
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
