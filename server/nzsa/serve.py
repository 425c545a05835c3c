"""`nzsa serve`: the publisher behind a production HTTP server, granian or gunicorn.

Options are generated from config.SETTINGS; each also reads its NZSA_* variable.
Options win over variables, variables over defaults.

Either server gets the app created once, here, and forks its workers from this process;
the store opens itself in each worker on first use. Both speak ASGI to the gateway
(ops/gateway.py), which reads each request on the worker's event loop and runs the WSGI
app in the worker's threads, so no slow client can hold a thread. Building and validation are
imported only when REBUILD=auto has to check BUILD_DIR, and each server only when chosen:
together they are most of a cold start.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import multiprocessing
import signal
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from . import config
from .ops import logs
from .ops.reload import Serving, sources_fingerprint, watch
from .ops.sources import SourcesState, one_line, unchecked, whole_build
from .project import find_layout, find_root, layout_of

# Seconds a stopping worker has beyond the longest a request may take (waiting for a
# thread, then its query) to finish its requests before it is killed.
DRAIN_MARGIN = 5
# granian's per-connection read buffer, which also bounds the request line and headers
# (431 beyond it): room for the longest URI it accepts (64 KiB) and ordinary headers.
HTTP1_BUFFER_BYTES = 80 * 1024


log = logging.getLogger("nzsa.serve")


class BuildRefused(Exception):
    """The build is missing, or could not be made because the data fails validation."""


class CannotListen(Exception):
    """The server could not bind its address (in use, or not permitted)."""


def build_dir_of(settings: dict[str, Any], given: set[str]) -> Path:
    """Return BUILD_DIR: as given (relative to the working directory), else the project's build/."""
    if "BUILD_DIR" in given:
        return Path(settings["BUILD_DIR"]).resolve()
    return find_layout().build


def prepare_build(settings: dict[str, Any], say: Callable[[str], None] = print) -> SourcesState:
    """Make sure BUILD_DIR holds a validated build, up to date when the sources are valid;
    say what the sources are, or refuse to serve."""
    build_dir = Path(settings["BUILD_DIR"])
    if settings["REBUILD"] not in ("auto", "never"):
        raise BuildRefused(f"REBUILD must be `auto` or `never`, not {settings['REBUILD']!r}")
    sources = unchecked()
    if settings["REBUILD"] == "auto":
        root = find_root()
        prepare = _load_store if settings["STORE"] == "oxigraph" else None
        sources = rebuild_if_stale(build_dir, root, say, prepare)
        from .linking.releases import build_releases

        build_releases(root, build_dir, say=lambda line: print("nzsa serve:", line))
    if settings["STORE"] == "oxigraph" and not (build_dir / "nzsa.nq").is_file():
        raise BuildRefused(f"{build_dir / 'nzsa.nq'} not found: run `nzsa build --out {build_dir}`")
    return sources


def _load_store(folder: Path) -> None:
    """Load the embedded store in a new build's folder before it is swapped in."""
    from .store.disk import ensure_store

    ensure_store(folder)


def rebuild_if_stale(
    build_dir: Path, root: Path, say: Callable[[str], None] = print, prepare=None
) -> SourcesState:
    """Rebuild BUILD_DIR from the project at `root` when it is missing or its sources
    changed; when they fail validation, keep the last valid build if there is one, and
    say why in one line."""
    # Imported here: REBUILD=never serves without validation's imports (pyshacl, owlrl).
    from . import build
    from .load import default_sources
    from .validate.formatters import format_text

    sources = default_sources(root)
    if not sources.data:
        raise BuildRefused(f"no data to publish: no Turtle files in {layout_of(root).data}")
    if build.is_current(build_dir, sources):
        return SourcesState(True, "valid; the build is up to date")
    say(f"building {build_dir} (missing or stale)")
    try:
        build.build_dataset(sources, out_dir=build_dir, before_publish=prepare)
    except build.BuildRefused as refused:
        reason = one_line(refused.report)
        fault = whole_build(build_dir)
        if fault is not None:
            raise BuildRefused(
                f"the data fails validation, so it is not published, and there is no earlier"
                f" build to serve ({fault}):\n" + format_text(refused.report)
            ) from refused
        say(f"the sources fail validation ({reason}); serving the last valid build, {build_dir}")
        return SourcesState(False, reason)
    return SourcesState(True, "valid; built from them")


def _say(line: str) -> None:
    print(f"nzsa serve: {line}", file=sys.stderr)


def drain_seconds(settings: dict[str, Any]) -> int:
    """Seconds a stopping worker may take to finish its requests: longer than any may take."""
    return math.ceil(settings["QUEUE_WAIT"] + settings["QUERY_TIMEOUT"]) + DRAIN_MARGIN


def register(subparsers) -> None:
    """Add the `serve` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the SPARQL endpoint and Linked Data",
        description="Serve the last `nzsa build` output (rebuilt first if stale) with granian"
        " or gunicorn.",
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


# --- granian ---------------------------------------------------------------------------------


def granian_options(settings: dict[str, Any]) -> dict[str, Any]:
    """Translate our settings into granian's."""
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    return {
        # granian itself trusts no X-Forwarded-* header: only werkzeug's ProxyFix does,
        # for TRUSTED_PROXIES proxies.
        "address": settings["HOST"],
        "port": settings["PORT"],
        # ASGI without lifespan: the gateway reads requests on the worker's event loop.
        "interface": Interfaces.ASGINL,
        # HTTP/1 only, as gunicorn: HTTP/2 would allow 16 MB of headers per request.
        "http": HTTPModes.http1,
        "websockets": False,  # the gateway answers none; saying so spares a log line
        "http1_settings": HTTP1Settings(
            header_read_timeout=int(settings["HEADER_TIMEOUT"] * 1000),
            max_buffer_size=HTTP1_BUFFER_BYTES,
        ),
        "workers": settings["WORKERS"],
        "respawn_failed_workers": True,
        "workers_kill_timeout": drain_seconds(settings),
        # The gateway logs requests, and granian's own messages go where ours go (ops/logs.py).
        "log_access": False,
        "log_dictconfig": logs.dict_config(settings),
    }


def serve_with_granian(serving: Serving, settings: dict[str, Any]) -> None:
    """Run granian's ASGI workers, forked from this process, until SIGTERM or SIGINT;
    on SIGHUP, reload the data and replace the workers one by one."""
    from granian import Granian

    # Forked workers inherit the app made here; under any other start method (Python
    # 3.14's default) granian would spawn fresh interpreters that cannot receive it.
    multiprocessing.set_start_method("fork", force=True)
    server = Granian("nzsa", **granian_options(settings))
    # SIGHUP reloads the data in the workers as they run (ops/reload.py), rather than
    # granian's respawning them: a stopping worker may drop a connection just accepted.
    server.on_startup(lambda: signal.signal(signal.SIGHUP, serving.reload_in_background))
    try:
        server.serve(
            # granian's own ASGI worker (a private method), wrapped.
            spawn_target=granian_worker(Granian._spawn_asgi_worker, serving),
            target_loader=lambda: serving.gateway,
            wrap_loader=False,
        )
    except RuntimeError as error:
        # granian reports a socket it cannot bind as a RuntimeError naming the OS error.
        if "(os error" not in str(error):
            raise
        reason = str(error).splitlines()[0]
        address = f"{settings['HOST']}:{settings['PORT']}"
        raise CannotListen(f"cannot listen at {address}: {reason}") from None


def granian_worker(serve_worker: Callable[..., None], serving: Serving) -> Callable[..., None]:
    """Wrap a granian worker's serving: SIGINT left to the master, threads and executors
    ended after."""

    def serve_then_close(*args, **kwargs) -> None:
        leave_interrupts_to_the_master()
        app, gateway = serving.app, serving.gateway  # as they were when this worker forked
        try:
            serve_worker(*args, **kwargs)
        finally:
            gateway.close()
            # Worker processes leave through os._exit, which runs no atexit handler.
            app.extensions["nzsa"].store.close()

    return serve_then_close


def leave_interrupts_to_the_master() -> None:
    """Block SIGINT in a worker, and so in the executors it starts: the master stops them.

    Ctrl-C in a terminal signals the whole process group. A granian 2.8 worker that got
    it as well as the master's SIGTERM could hang until killed, and executors printed
    KeyboardInterrupt tracebacks.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


# --- gunicorn --------------------------------------------------------------------------------


def gunicorn_options(settings: dict[str, Any]) -> dict[str, Any]:
    """Translate our settings into gunicorn's."""
    from .ops.gunicorn_worker import bounded_worker

    return {
        "bind": f"{settings['HOST']}:{settings['PORT']}",
        "workers": settings["WORKERS"],
        # The asgi worker reads requests on its event loop; the gateway runs the app in
        # THREADS threads of its own.
        "worker_class": bounded_worker(settings["HEADER_TIMEOUT"]),
        "preload_app": True,  # the build is checked and loaded once, before the fork
        # The heartbeat only needs to outlive the query limit; queries run in executors.
        "timeout": max(30, int(settings["QUERY_TIMEOUT"] * 3)),
        "graceful_timeout": drain_seconds(settings),
        # 8190 is gunicorn's largest finite request line; longer queries must be POSTed.
        "limit_request_line": 8190,
        # Forwarded headers are trusted only through TRUSTED_PROXIES (werkzeug's ProxyFix),
        # never by gunicorn's own default of believing 127.0.0.1.
        "forwarded_allow_ips": "",
        # The gateway logs requests, and gunicorn's own messages go where ours go (ops/logs.py).
        "accesslog": None,
        "errorlog": "-",
        "logconfig_dict": logs.dict_config(settings),
        "proc_name": "nzsa",
        "post_fork": lambda arbiter, worker: leave_interrupts_to_the_master(),
        # No runtime control socket: one fixed path would collide between instances.
        "control_socket_disable": True,
    }


def serve_with_gunicorn(serving: Serving, settings: dict[str, Any]) -> None:
    """Run gunicorn's ASGI workers, forked from this process, until interrupted; on
    SIGHUP, reload the data and replace the workers."""
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):
        """gunicorn, configured in code, serving an app that is already built."""

        def load_config(self) -> None:
            for key, value in gunicorn_options(settings).items():
                self.cfg.set(key, value)

        def load(self):
            return serving.gateway

        def reload(self) -> None:
            # gunicorn's SIGHUP: reload, then fork new workers from what load() returns.
            super().reload()
            serving.reload()
            self.callable = None

    Gunicorn().run()


def serve_metrics_apart(app, address: str) -> None:
    """Serve the metrics at their own address from this process, the workers' parent."""
    from .ops import metrics

    try:
        metrics.serve_apart(app.extensions["nzsa.metrics"], address)
    except OSError as error:
        raise CannotListen(f"cannot serve metrics at {address}: {error}") from None
    log.info("nzsa serve: metrics at http://%s/metrics", address)


SERVERS: dict[str, Callable[[Serving, dict[str, Any]], None]] = {
    "granian": serve_with_granian,
    "gunicorn": serve_with_gunicorn,
}


def run(args: argparse.Namespace) -> int:
    """Check the build, create the app once and serve it until interrupted."""
    given = {s.name: getattr(args, s.name) for s in config.SETTINGS}
    overrides = {name: value for name, value in given.items() if value is not None}
    environment = config.from_environment()
    settings = {**config.defaults(), **environment, **overrides}
    serve_with = SERVERS.get(settings["SERVER"])
    try:
        build_dir = build_dir_of(settings, {*environment, *overrides})
        settings["BUILD_DIR"] = overrides["BUILD_DIR"] = str(build_dir)
        if serve_with is None:
            raise ValueError(f"SERVER must be `granian` or `gunicorn`, not {settings['SERVER']!r}")
        sources = prepare_build(settings, say=_say)
        from .ops import metrics

        metrics_at = metrics.mode(settings)
        if metrics_at is not None:
            metrics.prepare_processes()  # before the app's metrics exist, and the fork
        serving = Serving(settings, overrides, sources, partial(prepare_build, settings))
    except (BuildRefused, FileNotFoundError, ValueError) as error:
        print(f"nzsa serve: not serving: {error}", file=sys.stderr)
        return 2
    logs.configure(settings)
    from .store.base import StoreError, StoreUnavailable

    try:
        # Say plainly, before listening, what the store is, or why it cannot serve.
        store = serving.app.extensions["nzsa"].store.check()
    except StoreUnavailable as error:
        # It may come up later (a restart, a start-up order): answer 503 until it does.
        store = f"{settings['STORE']} store, not answering yet"
        log.warning("nzsa serve: warning: %s; answering 503 until it answers", error)
    except StoreError as error:
        print(f"nzsa serve: not serving: {error}", file=sys.stderr)
        return 2
    url = f"http://{settings['HOST']}:{settings['PORT']}/"
    log.info("nzsa serve: %s; listening at %s (SPARQL at %ssparql)", store, url, url)
    watch(settings["WATCH_INTERVAL"], sources_fingerprint)
    # What the app holds now is shared with the workers forked next. Frozen, it is out of
    # the collector's reach there: a collection would write to those objects and so copy
    # the pages they share with this process into each worker (copy-on-write).
    gc.freeze()
    try:
        if metrics_at not in (None, "app"):
            serve_metrics_apart(serving.app, metrics_at)
        serve_with(serving, settings)
    except CannotListen as error:
        print(f"nzsa serve: {error}", file=sys.stderr)
        return 1
    return 0
