"""`nzsa serve`: the publisher behind gunicorn, a production WSGI server.

Options are generated from config.SETTINGS; each also reads its NZSA_* variable.
Options win over variables, variables over defaults.

Building and validation are imported only when REBUILD=auto has to check BUILD_DIR, the
app and gunicorn only when serving: together they are most of a cold start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import config


class BuildRefused(Exception):
    """The build is missing, or could not be made because the data fails validation."""


def prepare_build(settings: dict[str, Any]) -> None:
    """Make sure BUILD_DIR holds an up-to-date, validated build, or refuse to serve."""
    build_dir = Path(settings["BUILD_DIR"])
    if settings["REBUILD"] not in ("auto", "never"):
        raise BuildRefused(f"REBUILD must be `auto` or `never`, not {settings['REBUILD']!r}")
    if settings["REBUILD"] == "auto":
        rebuild_if_stale(build_dir)
    if settings["STORE"] == "oxigraph" and not (build_dir / "nzsa.nq").is_file():
        raise BuildRefused(f"{build_dir / 'nzsa.nq'} not found: run `nzsa build --out {build_dir}`")


def rebuild_if_stale(build_dir: Path) -> None:
    """Rebuild BUILD_DIR when it is missing or its sources changed."""
    # Imported here: REBUILD=never serves without validation's imports (pyshacl, owlrl).
    from . import build
    from .validate.formatters import format_text

    if build.is_current(build_dir):
        return
    print(f"nzsa serve: building {build_dir} (missing or stale)", file=sys.stderr)
    try:
        build.build_dataset(out_dir=build_dir)
    except build.BuildRefused as refused:
        raise BuildRefused(
            "the data fails validation, so it is not published:\n" + format_text(refused.report)
        ) from refused


def register(subparsers) -> None:
    """Add the `serve` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the SPARQL endpoint and Linked Data",
        description="Serve the last `nzsa build` output (rebuilt first if stale) with gunicorn.",
    )
    for setting in config.SETTINGS:
        parser.add_argument(
            setting.option,
            type=setting.type,
            default=None,
            dest=setting.name,
            metavar=setting.name,
            help=f"{setting.help} (${setting.env}; default: {setting.default})",
        )
    parser.set_defaults(handler=run)


def gunicorn_options(settings: dict[str, Any]) -> dict[str, Any]:
    """Translate our settings into gunicorn's."""
    return {
        "bind": f"{settings['HOST']}:{settings['PORT']}",
        "workers": settings["WORKERS"],
        # Threads keep a worker answering while one of its threads waits on a slow query.
        "worker_class": "gthread",
        "threads": settings["THREADS"],
        "preload_app": True,  # the build is checked and loaded once, before the fork
        # The heartbeat only needs to outlive the query limit; queries run in executors.
        "timeout": max(30, int(settings["QUERY_TIMEOUT"] * 3)),
        "graceful_timeout": 10,
        # 8190 is gunicorn's largest finite request line; longer queries must be POSTed.
        "limit_request_line": 8190,
        # Forwarded headers are trusted only through TRUSTED_PROXIES (werkzeug's ProxyFix),
        # never by gunicorn's own default of believing 127.0.0.1.
        "forwarded_allow_ips": "",
        # A log line per request cost ~8% of a cheap request's time (bench/RESULTS.md);
        # a reverse proxy in front usually logs requests already.
        "accesslog": settings["ACCESS_LOG"] or None,
        "errorlog": "-",
        "proc_name": "nzsa",
        # No runtime control socket: one fixed path would collide between instances.
        "control_socket_disable": True,
    }


def serve_with_gunicorn(app, settings: dict[str, Any]) -> None:
    """Run gunicorn's threaded workers, forked from this process, until interrupted."""
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        """gunicorn, configured in code, serving an app that is already built."""

        def load_config(self) -> None:
            for key, value in gunicorn_options(settings).items():
                self.cfg.set(key, value)

        def load(self):
            return app

    Gunicorn().run()


def run(args: argparse.Namespace) -> int:
    """Check the build, create the app once and serve it until interrupted."""
    given = {s.name: getattr(args, s.name) for s in config.SETTINGS}
    overrides = {name: value for name, value in given.items() if value is not None}
    settings = {**config.defaults(), **config.from_environment(), **overrides}
    try:
        prepare_build(settings)
        from .app import create_app  # here, so that `nzsa serve --help` stays quick

        app = create_app(overrides)
    except (BuildRefused, FileNotFoundError, ValueError) as error:
        print(f"nzsa serve: not serving: {error}", file=sys.stderr)
        return 2
    url = f"http://{settings['HOST']}:{settings['PORT']}/"
    print(
        f"nzsa serve: {settings['STORE']} store on {app.config['BUILD_DIR']}; "
        f"listening at {url} (SPARQL at {url}sparql)",
        file=sys.stderr,
        flush=True,
    )
    serve_with_gunicorn(app, settings)
    return 0
