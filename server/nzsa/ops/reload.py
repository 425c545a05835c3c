"""Take up new data without a restart: rebuild, validate and swap on SIGHUP.

The server's main process keeps the app its workers fork from (Serving). On SIGHUP, or
when WATCH_INTERVAL finds the sources changed, it checks the sources as at start-up:
BUILD_DIR is rebuilt when stale (in a fresh folder, the store loaded there, then swapped
in whole: build/publish.py). What the check found, and which build to serve, is written
beside BUILD_DIR, where /readyz reads it. Each worker (Follower) sees there within a
second that a new build is to be served, makes an app on it in a thread of its own and
switches to it between two requests; requests already begun finish on the old one.
Workers are not replaced: a granian worker told to stop could close a connection it had
just accepted without answering it. (gunicorn replaces
its workers on SIGHUP all the same, forked from the new app; it loses no connection.)
Sources that fail validation change nothing but the reason given in the log and at
/readyz; the last valid build goes on being served.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .sources import (
    SOURCES,
    SUMS,
    SourcesState,
    digest_of,
    read_served,
    read_state,
    state_file,
    write_state,
)

log = logging.getLogger("nzsa.serve")


class Serving:
    """The app and gateway that the server's next workers fork from; a reload replaces them."""

    def __init__(
        self,
        settings: dict[str, Any],
        overrides: dict[str, Any],
        sources: SourcesState,
        check: Callable[[Callable[[str], None]], SourcesState],
    ):
        """`check(say)` checks the sources and rebuilds BUILD_DIR when it is stale (as
        serve.prepare_build does); it raises when no build can be served."""
        self.settings, self.overrides, self.check = settings, overrides, check
        self.build_dir = Path(settings["BUILD_DIR"])
        self.served = _sums(self.build_dir)
        self._reloading = threading.Lock()
        write_state(self.build_dir, sources, digest_of(self.served))
        self.app = self._app(sources)
        self.gateway = self._gateway(self.app)

    def _app(self, sources: SourcesState):
        from ..app import create_app

        app = create_app(self.overrides)
        app.extensions[SOURCES] = sources
        return app

    def _worker_app(self):
        """A worker's app on the build now in BUILD_DIR, with what the sources last were."""
        return self._app(read_state(self.build_dir) or SourcesState(None, "unknown"))

    def _gateway(self, app):
        from ..serve import drain_seconds
        from .gateway import gateway_for

        gateway = gateway_for(app)
        drain = drain_seconds(self.settings)
        gateway.follower = Follower(self.build_dir, self._worker_app, drain, digest_of(self.served))
        return gateway

    def reload_in_background(self, *_) -> None:
        """Reload in a thread (a signal handler must return at once); one reload at a time."""
        threading.Thread(target=self._reload_once, name="nzsa-reload", daemon=True).start()

    def _reload_once(self) -> None:
        if not self._reloading.acquire(blocking=False):
            log.info("nzsa serve: a reload is already under way")
            return
        try:
            self.reload()
        finally:
            self._reloading.release()

    def reload(self) -> None:
        """Serve a valid change of the sources (or of BUILD_DIR); else keep the data, say why."""
        try:
            self._reload()
        except Exception:  # noqa: BLE001 - whatever fails, the server goes on serving
            # A reload runs in the server's main process (gunicorn's arbiter, granian's
            # master): an error it did not foresee must not stop the site.
            log.exception("nzsa serve: reload failed, the data served is unchanged")

    def _reload(self) -> None:
        log.info("nzsa serve: reloading: checking the sources")
        from ..serve import BuildRefused
        from ..store.base import StoreError

        try:
            sources = self.check(lambda line: log.warning("nzsa serve: %s", line))
        except (BuildRefused, OSError) as error:
            sources = SourcesState(False, str(error).splitlines()[0])
            log.warning("nzsa serve: reload failed, the data served is unchanged: %s", error)
        built = _sums(self.build_dir)
        if built == self.served:
            self.app.extensions[SOURCES] = sources
            write_state(self.build_dir, sources, digest_of(self.served))
            log.info("nzsa serve: reloaded: the build served is unchanged")
            return
        try:
            app = self._app(sources)
        except (FileNotFoundError, ValueError, StoreError) as error:
            reason = f"the new build cannot be served: {error}"
            self.app.extensions[SOURCES] = SourcesState(False, reason)
            write_state(self.build_dir, self.app.extensions[SOURCES], digest_of(self.served))
            log.warning("nzsa serve: reload failed, the data served is unchanged: %s", reason)
            return
        self.served = built
        old, self.app, self.gateway = self.app, app, self._gateway(app)
        # Now the workers switch (Follower), each between two requests.
        write_state(self.build_dir, sources, digest_of(built))
        old.extensions["nzsa"].store.close()
        version = app.extensions["nzsa"].store.version()
        log.info("nzsa serve: reloaded: serving data version %s", version)


class Follower:
    """In a worker: switch to the build the main process says to serve, once it says so.

    A build swapped into BUILD_DIR by a `nzsa build` run beside the server is served only
    after SIGHUP (or WATCH_INTERVAL), as the main process then says.
    """

    INTERVAL = 1.0  # seconds between looks: the cost of a stat, once a second at most

    def __init__(self, build_dir: Path, make_app: Callable[[], Any], drain: float, served):
        self.build_dir, self.make_app, self.drain = build_dir, make_app, drain
        self.served = served  # the digest of the build this worker's app serves
        self.state = _stamp(state_file(build_dir))
        self._next = 0.0
        self._making = False

    def poll(self, gateway) -> None:
        """Look (at most once a second) for word of a new build; called on the event loop."""
        now = time.monotonic()
        if now < self._next or self._making:
            return
        self._next = now + self.INTERVAL
        state = _stamp(state_file(self.build_dir))
        if state == self.state:
            return
        self.state, served = state, read_served(self.build_dir)
        if served is not None and served != self.served:
            self._making = True
            loop = asyncio.get_running_loop()
            making = loop.run_in_executor(None, self.make_app)
            making.add_done_callback(lambda done: self._switch(gateway, done, served, loop))

    def _switch(self, gateway, done: asyncio.Future, served: str, loop) -> None:
        from ..store.base import StoreError

        self._making, self.served = False, served
        try:
            app = done.result()
        except (FileNotFoundError, ValueError, StoreError, OSError) as error:
            log.warning("nzsa serve: the new build cannot be served, keeping the old: %s", error)
            return
        old = gateway.app
        gateway.app, gateway.replay = app, app.extensions.get("nzsa.replay")
        log.info("nzsa serve: serving data version %s", app.extensions["nzsa"].store.version())
        # Requests begun on the old app finish on it; its store closes once they are done.
        close = old.extensions["nzsa"].store.close
        loop.call_later(self.drain, lambda: threading.Thread(target=close, daemon=True).start())


def _stamp(path: Path) -> tuple | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size


def _sums(build_dir: Path) -> str | None:
    """What tells one build from another: its SHA256SUMS."""
    try:
        return (build_dir / SUMS).read_text(encoding="utf-8")
    except OSError:
        return None


def watch(interval: float, fingerprint: Callable[[], object]) -> threading.Thread | None:
    """Every `interval` seconds, send this process SIGHUP if the fingerprint changed."""
    if interval <= 0:
        return None

    def loop() -> None:
        seen = fingerprint()
        while not stop.wait(interval):
            now = fingerprint()
            if now != seen:
                seen = now
                log.info("nzsa serve: the sources changed")
                os.kill(os.getpid(), signal.SIGHUP)

    stop = threading.Event()
    thread = threading.Thread(target=loop, name="nzsa-watch", daemon=True)
    thread.start()
    return thread


def sources_fingerprint() -> object:
    """The name, size and time of each file of the project's ontology, data and shapes:
    changes with any edit, addition or removal (evidence texts included)."""
    from ..project import find_root

    root = find_root()
    stamps = []
    for folder in ("ontology", "data", "shapes"):
        for path in sorted((root / folder).rglob("*")):
            try:
                info = path.stat()
            except OSError:
                continue
            if path.is_file():
                stamps.append((str(path), info.st_size, info.st_mtime_ns))
    return tuple(stamps)
