"""`nzsa diff [REV_A [REV_B]]`: what a change does to the published graph, for review."""

from __future__ import annotations

import argparse
import sys

from ..linking.releases import GitError
from ..load import project_root
from .diff_report import FORMATS
from .published import published
from .revisions import DEFAULT_BASE_BRANCH, project_at, revisions
from .semantic_diff import semantic_diff

DESCRIPTION = f"""\
Compare what two revisions of the project publish, as `nzsa build` would publish it:
the facts added, removed and changed, grouped by the resource they are about and named
by their labels; a fact node (a membership, a partnership ...) shown as one fact with
its evidence quote and source; blank nodes compared by their content, so re-serialising
a file (`nzsa fmt`) shows no change. Then the entailed (inferred) statements that
appear or disappear, and the validation findings that appear or disappear.

REV_A and REV_B are git revisions (a commit, branch or tag). Default: REV_A the merge
base of HEAD with `{DEFAULT_BASE_BRANCH}`, REV_B the working tree as it is (untracked
files included).

--format markdown writes a pull-request comment; --format json a document whose shape
the README describes. Exit status: 0 compared, 2 a revision git does not know.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `diff` subcommand."""
    parser = subparsers.add_parser(
        "diff",
        help="the semantic difference of the published graph between two revisions",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("rev_a", nargs="?", metavar="REV_A", help="older revision")
    parser.add_argument("rev_b", nargs="?", metavar="REV_B", help="newer revision")
    parser.add_argument(
        "--format", choices=sorted(FORMATS), default="text", help="text (default), markdown, json"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compare the two revisions and print the difference; return the exit status."""
    root = project_root()
    try:
        old, new = revisions(root, args.rev_a, args.rev_b)
        with project_at(root, old) as folder:
            before = published(folder)
        with project_at(root, new) as folder:
            after = published(folder)
    except GitError as error:
        print(f"nzsa diff: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(FORMATS[args.format](semantic_diff(before, after), old, new))
    return 0
