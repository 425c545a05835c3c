"""`nzsa w3id`: the .htaccess that w3id.org serves for the base IRI's registration.

w3id.org (https://github.com/perma-id/w3id.org) is an Apache httpd whose redirects are one
.htaccess per registered folder, here `nzsa/`. It only redirects; the server behind it
negotiates. So a thing IRI answers 303 See Other straight to its document at the server
(which negotiates, answers 301 or 410 for retired IRIs, or 404), the ontology and shapes
303 to their negotiated documents, the SPARQL endpoint 307 (a POSTed query stays a
POST), and everything else 302 to the same path: the server's address may change, the
IRIs may not. Apache keeps the query string on every redirect.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .. import config

W3ID = "https://w3id.org/"

DESCRIPTION = """\
Write the .htaccess for the base IRI's registration at w3id.org (the folder the base IRI
names, `nzsa/` for https://w3id.org/nzsa/), redirecting to the server at TARGET: thing
IRIs 303 to their documents, the ontology and shapes 303, the SPARQL endpoint 307, the
rest (dumps, VoID, pages) 302. To register, open a pull request on the w3id.org
repository adding the file as `nzsa/.htaccess` (see the README).

Exit status: 0 written, 2 usage error (a base IRI not under https://w3id.org/, a TARGET
that is not an absolute http(s) URL).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `w3id` subcommand."""
    parser = subparsers.add_parser(
        "w3id",
        help="write the w3id.org .htaccess that redirects the IRIs to this server",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--target",
        required=True,
        metavar="URL",
        help="the public root URL of `nzsa serve`, e.g. https://nzsa.example.org/",
    )
    parser.add_argument(
        "--base-iri",
        default=config.BY_NAME["BASE_IRI"].default,
        metavar="IRI",
        help="the registered IRI namespace (default: %(default)s)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="where to write it (default: standard output)"
    )
    parser.set_defaults(handler=run)


def folder_of(base_iri: str) -> str:
    """Return the w3id.org folder a base IRI registers (`nzsa` for https://w3id.org/nzsa/)."""
    if not base_iri.startswith(W3ID) or not base_iri.endswith("/"):
        raise ValueError(f"the base IRI {base_iri} is not a folder under {W3ID}")
    folder = base_iri[len(W3ID) : -1]
    if not folder or any(not part for part in folder.split("/")):
        raise ValueError(f"the base IRI {base_iri} names no folder under {W3ID}")
    return folder


def checked_target(target: str) -> str:
    """Return the server's root URL with a trailing slash; refuse anything else."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"the target {target!r} is not an absolute http(s) URL")
    if any(c in target for c in " \"'\\\n\r\t$"):
        raise ValueError(f"the target {target!r} holds characters a rewrite rule cannot")
    return target if target.endswith("/") else target + "/"


def htaccess(base_iri: str, target: str) -> str:
    """Write the .htaccess redirecting the folder of `base_iri` to the server at `target`."""
    folder, root = folder_of(base_iri), checked_target(target)
    return f"""\
# {base_iri} — the {folder} registration: redirects to the server that publishes it.
# Written by `nzsa w3id --target {root}`. The server negotiates formats (Accept) and
# answers 303, 301 and 410 itself; these rules only send each IRI to its address there.
Options +FollowSymLinks
RewriteEngine on

# Things and skolemised nodes: 303 See Other to their document (Cool URIs §4.3).
RewriteRule ^id/(.+)$ {root}doc/$1 [R=303,L]
RewriteRule ^\\.well-known/genid/(.+)$ {root}doc/.well-known/genid/$1 [R=303,L]

# The ontology and the shapes, whose terms are fragments of these IRIs.
RewriteRule ^(ontology|shapes)(\\.[a-z]+)?$ {root}$1$2 [R=303,L]

# The SPARQL endpoint: 307, so that a POSTed query is POSTed again.
RewriteRule ^sparql$ {root}sparql [R=307,L]

# Everything else (documents, dumps, VoID, sitemaps, pages) at the same path.
RewriteRule ^(.*)$ {root}$1 [R=302,L]
"""


def run(args: argparse.Namespace) -> int:
    """Write the .htaccess; return the exit status."""
    try:
        text = htaccess(args.base_iri, args.target)
    except ValueError as error:
        print(f"nzsa w3id: {error}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
        print(f"nzsa w3id: wrote {args.out}", file=sys.stderr)
    return 0
