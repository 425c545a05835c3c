"""Prometheus metrics (prometheus-client), off unless METRICS is set.

METRICS=`app` serves them at /metrics on the server itself; METRICS=`HOST:PORT` on an
address of their own, from the master process, so a scraper needs no route through the
public site. Either way the figures are the whole server's: every worker writes its
values to files in one folder (prometheus-client's multiprocess mode), and a scrape adds
them up, the counts of workers that have since died included. A worker's gauges (queue
depth, threads in use) leave the sum when the worker is gone.

The request layer, the caches and the executor pool report through the functions at the
end of this module, which do nothing while metrics are off; prometheus-client is imported
only when they are on.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .observe import Observer

# The folder prometheus-client's multiprocess mode keeps each process's values in.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
METHODS = frozenset({"GET", "HEAD", "POST", "OPTIONS"})
UNMATCHED = "<unmatched>"  # a path no route takes (404, 405): one label, not the path
# Seconds: a cached answer takes well under 5 ms, a query at most QUERY_TIMEOUT (10 s).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

_metrics: Metrics | None = None


def mode(settings: dict[str, Any]) -> str | None:
    """Where metrics are served: `app`, a `HOST:PORT`, or None when they are off."""
    value = str(settings.get("METRICS", "")).strip()
    if not value or value.lower() in ("off", "no", "0", "false"):
        return None
    if value == "app":
        return value
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"METRICS must be empty, `app` or `HOST:PORT`, not {value!r}")
    return value


def prepare_processes() -> None:
    """Give this process and the workers it forks one folder for their values.

    Called before prometheus-client is first imported, which reads the folder's name. A
    folder named by PROMETHEUS_MULTIPROC_DIR is used, its values files from an earlier run
    removed (they would be added to this run's); else a fresh one is made and removed when
    this process exits.
    """
    if os.environ.get(MULTIPROCESS_DIR):
        folder = Path(os.environ[MULTIPROCESS_DIR])
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink(missing_ok=True)
        return
    folder = tempfile.mkdtemp(prefix="nzsa-metrics-")
    os.environ[MULTIPROCESS_DIR] = folder
    owner = os.getpid()
    # Workers leave through sys.exit too (gunicorn): only the process that made it removes it.
    atexit.register(lambda: os.getpid() == owner and shutil.rmtree(folder, ignore_errors=True))


class Metrics(Observer):
    """The server's metrics; also the gateway's observer of each request."""

    def __init__(self, url_map) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.multiprocess = bool(os.environ.get(MULTIPROCESS_DIR))
        # Single-process (an app made in a test) collects from its own registry.
        self.registry = CollectorRegistry(auto_describe=True)
        self.routes = url_map.bind("localhost")
        registry = self.registry
        self.requests = Counter(
            "nzsa_http_requests", "Requests answered, by route, method and status"
            " (499: the client left first).", ["route", "method", "status"], registry=registry,
        )  # fmt: skip
        self.latency = Histogram(
            "nzsa_http_request_duration_seconds", "Seconds from a request's arrival to its"
            " answer, by route.", ["route"], buckets=LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip
        self.waited = Histogram(
            "nzsa_admission_wait_seconds", "Seconds requests waited for a thread, by lane.",
            ["lane"], buckets=LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip
        self.caches = Counter(
            "nzsa_cache_lookups", "Cache lookups by cache (response, query, render,"
            " render_shared) and result (hit, miss).", ["cache", "result"], registry=registry,
        )  # fmt: skip
        self.restarts = Counter(
            "nzsa_executor_restarts", "Query executors killed and replaced, by reason"
            " (timeout, abandoned, failed).", ["reason"], registry=registry,
        )  # fmt: skip
        self.timeouts = Counter(
            "nzsa_timeouts", "Requests whose body (408) or query (503) ran out of time.",
            ["kind"], registry=registry,
        )  # fmt: skip
        self.refusals = Counter(
            "nzsa_admission_refusals", "Requests refused 503 by admission, by lane and reason"
            " (full: the queue; waited: no thread in QUEUE_WAIT).", ["lane", "reason"],
            registry=registry,
        )  # fmt: skip
        self.store_unavailable = Counter(
            "nzsa_store_unavailable", "Requests answered 503 because the store did not answer.",
            registry=registry,
        )  # fmt: skip
        self.waiting = Gauge(
            "nzsa_admission_queue_depth", "Requests waiting for a thread, by lane.", ["lane"],
            multiprocess_mode="livesum", registry=registry,
        )  # fmt: skip
        self.threads_busy = Gauge(
            "nzsa_admission_threads_busy", "Threads running the app, by lane.", ["lane"],
            multiprocess_mode="livesum", registry=registry,
        )  # fmt: skip

    # --- the gateway's events ---------------------------------------------------------------

    def finished(self, scope: dict, ticket, request_id: str, status: int, sent: int) -> None:
        route = self.route(scope)
        method = scope["method"] if scope["method"] in METHODS else "other"
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(time.monotonic() - ticket.arrived)
        if ticket.ran or ticket.waited:
            self.waited.labels(ticket.lane).observe(ticket.waited)

    def cache(self, name: str, hit: bool) -> None:
        self.caches.labels(name, "hit" if hit else "miss").inc()

    def timed_out(self, kind: str) -> None:
        self.timeouts.labels(kind).inc()

    def refused(self, lane: str, reason: str) -> None:
        self.refusals.labels(lane, reason).inc()

    def queued(self, admission) -> None:  # type: ignore[override]
        for lane, busy in admission.busy.items():
            self.queued_in(lane, admission.queued(lane), busy)

    def queued_in(self, lane: str, waiting: int, busy: int) -> None:
        self.waiting.labels(lane).set(waiting)
        self.threads_busy.labels(lane).set(busy)

    def route(self, scope: dict) -> str:
        """The route a request took, as its rule (`/doc/<path:rest>`): a label of few values."""
        from werkzeug.exceptions import HTTPException
        from werkzeug.routing import RequestRedirect

        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        try:
            rule, _ = self.routes.match(path, method=scope["method"], return_rule=True)
        except RequestRedirect:
            return "<redirect>"
        except HTTPException:
            return UNMATCHED
        return rule.rule

    # --- exposition -------------------------------------------------------------------------

    def exposition(self) -> tuple[bytes, str]:
        """The metrics in Prometheus' text format, and its media type."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.collecting_registry()), CONTENT_TYPE_LATEST

    def collecting_registry(self):
        """The registry a scrape reads: every process's files, or this process's metrics."""
        if not self.multiprocess:
            return self.registry
        from prometheus_client import CollectorRegistry

        registry = CollectorRegistry()
        registry.register(LiveProcesses(os.environ[MULTIPROCESS_DIR]))
        return registry


class LiveProcesses:
    """prometheus-client's multiprocess collector, after forgetting dead workers' gauges.

    Neither server tells us when a worker dies (granian has no hook), so each scrape looks:
    a live-sum gauge file whose process is gone is removed. Counters and histograms of dead
    workers stay, so totals never go down.
    """

    def __init__(self, folder: str):
        self.folder = folder

    def collect(self) -> Iterable:
        from prometheus_client import multiprocess

        for path in Path(self.folder).glob("gauge_live*_*.db"):
            pid = path.stem.rsplit("_", 1)[1]
            if pid.isdigit() and not _alive(int(pid)):
                multiprocess.mark_process_dead(int(pid), self.folder)
        return multiprocess.MultiProcessCollector(None, self.folder).collect()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve_apart(metrics: Metrics, address: str) -> None:
    """Serve the metrics at `HOST:PORT` from this process, in a thread of their own."""
    from prometheus_client import start_http_server

    host, _, port = address.rpartition(":")
    start_http_server(int(port), host.strip("[]"), registry=metrics.collecting_registry())


def enable(url_map) -> Metrics:
    """Start counting in this process (and the workers it forks); return the metrics."""
    global _metrics
    if _metrics is None:
        _metrics = Metrics(url_map)
    return _metrics


# --- what the rest of the server reports ------------------------------------------------------


def cache_looked_up(name: str, hit: bool) -> None:
    """Count a lookup in one of the caches."""
    if _metrics is not None:
        _metrics.cache(name, hit)


def executor_restarted(reason: str) -> None:
    """Count a query executor killed and replaced."""
    if _metrics is not None:
        _metrics.restarts.labels(reason).inc()


def query_timed_out() -> None:
    """Count a query stopped at its time limit."""
    if _metrics is not None:
        _metrics.timed_out("query")


def store_unavailable() -> None:
    """Count a request answered 503 because the store did not answer."""
    if _metrics is not None:
        _metrics.store_unavailable.inc()


def register(app) -> None:
    """Count from the app made here when METRICS is set; with `app`, answer at /metrics."""
    where = mode(app.config)
    if where is None:
        return
    app.extensions["nzsa.metrics"] = enable(app.url_map)
    if where == "app":
        app.add_url_rule("/metrics", "metrics", metrics_page)


def metrics_page():
    """The server's metrics in Prometheus' text format (only with METRICS=app)."""
    from flask import Response, current_app

    body, media_type = current_app.extensions["nzsa.metrics"].exposition()
    return Response(body, content_type=media_type, headers={"Cache-Control": "no-store"})
