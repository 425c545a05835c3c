"""Admission: which requests get a thread, in what order, and which are turned away.

Each worker process has THREADS threads for the app. A request is put in one of three
lanes: queries (SPARQL, reconciliation), page renders (documents, HTML pages, mementos and
sitemaps not replayed from memory), and cheap requests (static files, downloads).
Queries and renders may each use at most EXPENSIVE_SHARE of the threads, and together
never the last one, so a burst of slow queries cannot take the thread a cached page or a
static file needs. The health probes (/healthz, /readyz) have a fourth lane with
HEALTH_THREADS threads of their own beside THREADS: a probe waits only behind probes.

A request no thread can take waits in its lane's queue, at most QUEUE_DEPTH deep and for
at most QUEUE_WAIT seconds; beyond either it is refused (503 with Retry-After), and a
request whose client has gone while it waited is dropped without being started. Everything
here runs on the worker's event loop (ops/gateway.py), so it needs no lock.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

QUERY, RENDER, CHEAP, HEALTH = "query", "render", "cheap", "health"
LANES = (QUERY, RENDER, CHEAP, HEALTH)
HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
HEALTH_THREADS = 2
# Routes whose answer is rendered from the store (pages/, http/, linking/): every miss of
# the response cache renders, or at least looks up, a description.
RENDERED_PATHS = frozenset({"/", "/page", "/class", "/search", "/ontology", "/shapes",
                            "/about/linking", "/sitemap.xml", "/sitemap-dataset.xml",
                            "/reconcile/preview"})  # fmt: skip
RENDERED_PREFIXES = ("/doc/", "/id/", "/.well-known/genid/", "/class/", "/ontology.", "/shapes.",
                     "/release/", "/timegate/", "/timemap/", "/sitemap-")  # fmt: skip
# Reconciliation matches names against the whole store, as a query does.
QUERY_PATHS = frozenset({"/reconcile", "/reconcile/properties"})
QUERY_PREFIXES = ("/reconcile/suggest/",)


def lane_for(method: str, path: str, query_string: str) -> str:
    """Return the lane of a request from its method, path and query string."""
    if path in HEALTH_PATHS:
        return HEALTH
    if path == "/sparql":
        if method == "POST" or any(name == "query" for name, _ in parse_qsl(query_string)):
            return QUERY
        return CHEAP  # the service description or the query editor
    if path in QUERY_PATHS or path.startswith(QUERY_PREFIXES):
        return QUERY
    if path in RENDERED_PATHS or path.startswith(RENDERED_PREFIXES):
        return RENDER
    return CHEAP


class Overloaded(Exception):
    """The request's lane is full, or no thread became free before its wait deadline."""

    def __init__(self, reason: str, retry_after: int, kind: str):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after
        self.kind = kind  # `full` (the queue) or `waited` (past QUEUE_WAIT), for the metrics


@dataclass
class Ticket:
    """What a request being served knows of its admission."""

    lane: str
    arrived: float = field(default_factory=time.monotonic)
    # Set by the event loop when the client closes its connection; work may stop then.
    abandoned: bool = False
    waited: float = 0.0  # seconds spent in the queue
    ran: bool = False  # whether the app was called

    def left(self) -> bool:
        """Tell whether the client has closed its connection."""
        return self.abandoned

    def deadline(self, limit: float) -> float:
        """Return when a time limit counted from the request's arrival runs out."""
        return self.arrived + limit


@dataclass
class _Waiter:
    arrived: float
    granted: asyncio.Future


class Admission:
    """The lanes, queues and thread counts of one worker process."""

    def __init__(self, threads: int, expensive_share: float, depth: int, wait: float):
        self.threads = max(threads, 1)
        share = min(max(expensive_share, 0.0), 1.0)
        each = max(1, math.floor(self.threads * share))
        # One thread stays free for cheap requests, unless there is only one.
        self.expensive_total = max(1, self.threads - 1)
        self.limits = {QUERY: min(each, self.expensive_total),
                       RENDER: min(each, self.expensive_total), CHEAP: self.threads,
                       HEALTH: HEALTH_THREADS}  # fmt: skip
        self.depth, self.wait = depth, wait
        self.busy = dict.fromkeys(LANES, 0)
        self.queues: dict[str, deque[_Waiter]] = {lane: deque() for lane in LANES}

    @property
    def retry_after(self) -> int:
        """Seconds a refused client should wait before trying again."""
        return max(1, math.ceil(self.wait))

    def queued(self, lane: str) -> int:
        """How many requests wait in a lane."""
        return len(self.queues[lane])

    def _fits(self, lane: str) -> bool:
        if self.busy[lane] >= self.limits[lane]:
            return False
        if lane == HEALTH:
            return True  # threads of its own
        if sum(self.busy.values()) - self.busy[HEALTH] >= self.threads:
            return False
        return lane == CHEAP or self.busy[QUERY] + self.busy[RENDER] < self.expensive_total

    def try_enter(self, lane: str) -> bool:
        """Take a thread for a request in `lane` at once if one is free to it and none waits."""
        if self.queues[lane] or not self._fits(lane):
            return False
        self.busy[lane] += 1
        return True

    async def enter(self, ticket: Ticket) -> None:
        """Wait in the queue for a thread; raise Overloaded if none comes in time."""
        lane = ticket.lane
        if self.try_enter(lane):
            return
        if len(self.queues[lane]) >= self.depth:
            raise Overloaded(f"the {lane} queue is full", self.retry_after, "full")
        loop = asyncio.get_running_loop()
        waiter = _Waiter(ticket.arrived, loop.create_future())
        self.queues[lane].append(waiter)
        remaining = ticket.deadline(self.wait) - time.monotonic()
        try:
            async with asyncio.timeout(max(remaining, 0)):
                await asyncio.shield(waiter.granted)
        except TimeoutError:
            self._withdraw(lane, waiter)
            raise Overloaded(
                f"no thread was free within {self.wait:g} s", self.retry_after, "waited"
            ) from None
        except asyncio.CancelledError:
            self._withdraw(lane, waiter)  # the client left while waiting: never started
            raise
        finally:
            ticket.waited = time.monotonic() - ticket.arrived

    def _withdraw(self, lane: str, waiter: _Waiter) -> None:
        if waiter.granted.done():
            self.leave(lane)  # granted in the same instant: give the thread back
        else:
            waiter.granted.cancel()
            self.queues[lane].remove(waiter)

    def leave(self, lane: str) -> None:
        """Give a request's thread back and start whoever waited longest and now fits."""
        self.busy[lane] -= 1
        while True:
            heads = [(self.queues[ln][0].arrived, ln) for ln in LANES
                     if self.queues[ln] and self._fits(ln)]  # fmt: skip
            if not heads:
                return
            _, chosen = min(heads)
            waiter = self.queues[chosen].popleft()
            self.busy[chosen] += 1
            waiter.granted.set_result(True)
