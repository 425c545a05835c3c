"""A small HTTP/1.1 load generator on one event loop, that keeps every answer's outcome.

wrk counts statuses and latencies; the fault suite also needs to know, per request, whether
a 503 carried Retry-After and whether a connection was cut after the request was sent or
refused before it. Each user is a coroutine with one keep-alive connection, sending its
requests one after another; uvloop keeps the client's own cost low (it shares the machine
with the server, which RESULTS.md says beside each figure).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# What a request may be: the connection refused, or cut once the request was sent.
REFUSED, CUT, TIMEOUT = "refused", "cut", "timeout"


@dataclass(frozen=True)
class Request:
    """One request to send: method, path with its query, headers, body; its kind for figures."""

    kind: str
    path: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass
class Outcome:
    kind: str
    status: int | str  # an HTTP status, or REFUSED, CUT or TIMEOUT
    seconds: float
    sent_at: float  # monotonic time the request was sent
    retry_after: bool = False


@dataclass
class Tally:
    """Every outcome of a run."""

    outcomes: list[Outcome] = field(default_factory=list)

    def of(self, *kinds: str) -> list[Outcome]:
        return [o for o in self.outcomes if not kinds or o.kind in kinds]

    def statuses(self, *kinds: str) -> Counter:
        return Counter(o.status for o in self.of(*kinds))

    def percentile(self, share: float, *kinds: str) -> float | None:
        """Latency (ms) at `share` of the answered requests of these kinds."""
        times = sorted(o.seconds for o in self.of(*kinds) if isinstance(o.status, int))
        if not times:
            return None
        return times[min(int(len(times) * share), len(times) - 1)] * 1000

    def server_errors(self, *kinds: str) -> list[Outcome]:
        """Answers 5xx other than a 503 with Retry-After."""
        return [
            o
            for o in self.of(*kinds)
            if isinstance(o.status, int)
            and o.status >= 500
            and not (o.status == 503 and o.retry_after)
        ]

    def summary(self, *kinds: str) -> dict:
        statuses = self.statuses(*kinds)
        return {
            "requests": sum(statuses.values()),
            "statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
            "p50_ms": _round(self.percentile(0.50, *kinds)),
            "p99_ms": _round(self.percentile(0.99, *kinds)),
            "bad_5xx": len(self.server_errors(*kinds)),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class Connection:
    """One keep-alive connection, opened again whenever the server closes it."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: Request) -> tuple[int | str, bool]:
        """Send a request and read its answer: (status or failure, whether Retry-After came)."""
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port), self.timeout
                )
        except (OSError, TimeoutError):
            self.close()
            return REFUSED, False
        head = [f"{request.method} {request.path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in request.headers]
        if request.body or request.method == "POST":
            head.append(f"Content-Length: {len(request.body)}")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body
        try:
            self.writer.write(data)
            return await asyncio.wait_for(self._answer(request.method), self.timeout)
        except TimeoutError:
            self.close()
            return TIMEOUT, False
        except (OSError, RuntimeError, asyncio.IncompleteReadError, ValueError):
            # RuntimeError: uvloop's answer to writing on a socket the server has closed.
            self.close()
            return CUT, False

    async def _answer(self, method: str) -> tuple[int, bool]:
        reader = self.reader
        status_line = await reader.readuntil(b"\r\n")
        if not status_line.strip():
            raise asyncio.IncompleteReadError(b"", None)
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            pass
        elif b"content-length" in headers:
            await reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await reader.read()  # until the server closes
            headers[b"connection"] = b"close"
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, b"retry-after" in headers

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def user(
    base: str,
    requests: Iterator[Request],
    until: float,
    tally: Tally,
    timeout: float = 30.0,
    pause: float = 0.0,
) -> None:
    """Send requests one after another on one connection until `until` (monotonic)."""
    parts = urlsplit(base)
    connection = Connection(parts.hostname, parts.port or 80, timeout)
    try:
        while time.monotonic() < until:
            request = next(requests, None)
            if request is None:
                return
            sent_at = time.monotonic()
            status, retry_after = await connection.send(request)
            seconds = time.monotonic() - sent_at
            tally.outcomes.append(Outcome(request.kind, status, seconds, sent_at, retry_after))
            if status == REFUSED:
                await asyncio.sleep(0.05)  # the server is not listening: do not spin
            elif pause:
                await asyncio.sleep(pause)
    finally:
        connection.close()


def rotation(items: list[Request], offset: int = 0) -> Iterator[Request]:
    """Cycle through a list of requests from a given offset."""
    return itertools.islice(itertools.cycle(items), offset % max(len(items), 1), None)


def unique(make: Callable[[int], Request], start: int = 0) -> Iterator[Request]:
    """An endless run of requests no cache has seen: make(0), make(1), ..."""
    return (make(n) for n in itertools.count(start))


def users(
    base: str, concurrency: int, items: list[Request], seconds: float, tally: Tally, **options
) -> list:
    """Coroutines of `concurrency` users rotating over `items` for `seconds`."""
    until = time.monotonic() + seconds
    step = max(len(items) // max(concurrency, 1), 1)
    return [
        user(base, rotation(items, n * step), until, tally, **options) for n in range(concurrency)
    ]


def each_once(base: str, concurrency: int, items: list[Request], tally: Tally) -> list:
    """Coroutines of `concurrency` users sending every request of `items` once between them."""
    until = time.monotonic() + 3600
    return [user(base, iter(items[n::concurrency]), until, tally) for n in range(concurrency)]


def run(*coroutines) -> None:
    """Run coroutines to their end on a fresh event loop (uvloop when installed).

    The loop runs in a thread of its own: the caller's thread may already run one
    (Playwright's sync API keeps a loop running in the test session's main thread).
    """
    failed: list[BaseException] = []

    def loop() -> None:
        try:
            import uvloop

            runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
        except ImportError:
            runner = asyncio.Runner()
        try:
            with runner:
                runner.run(_gather(coroutines))
        except BaseException as error:  # handed to the caller's thread
            failed.append(error)

    thread = threading.Thread(target=loop, name="loadgen")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


async def _gather(coroutines) -> None:
    await asyncio.gather(*coroutines)
