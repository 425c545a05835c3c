"""The ASGI front of the publisher: read each request whole, admit it, run the app in a thread.

Both HTTP servers speak ASGI to this gateway (granian's `asginl` interface, gunicorn's
asgi worker), so reading a request never occupies an app thread: a client that sends its
body slowly waits on the event loop, and is answered 408 once BODY_TIMEOUT has passed
since its headers arrived. A body larger than MAX_BODY_BYTES is refused (413) as soon as
it is declared or counted. Answers kept by the response cache are replayed on the loop
without a thread; every other request is admitted (ops/admission.py) and then runs the
WSGI app in one of the worker's THREADS threads. While it waits or runs, the gateway
listens for its client leaving and marks the request abandoned, so its query stops.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any
from urllib.parse import unquote_to_bytes

from ..http.replay import PROBE
from . import admission
from .admission import Admission, Overloaded, Ticket
from .files import FileBody, file_part
from .logs import REQUEST_ID, AccessLog
from .observe import Observer, Observers

# A request id a client may choose (X-Request-Id); anything else is replaced by ours.
CHOSEN_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")
FILE_BLOCK = 256 * 1024
REPLAY_HEADERS_KEPT = 4096


@dataclass
class Answer:
    """What the app (or the gateway itself) answers: status, headers, body."""

    status: int
    headers: list[tuple[str, str]]
    chunks: list[bytes] = field(default_factory=list)
    file: tuple[FileBody, int, int | None] | None = None  # (file, start, length) to stream
    kept: Any = None  # the response cache's answer this one replays


class RequestTooSlow(Exception):
    """The body did not arrive within the body timeout."""


class BodyTooLarge(Exception):
    """The body is larger than the limit."""


class ClientGone(Exception):
    """The client closed its connection before its request was read."""


def plain(status: int, message: str, extra: Iterable[tuple[str, str]] = ()) -> Answer:
    """A short plain-text answer the gateway writes itself."""
    body = (message + "\n").encode()
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        *extra,
    ]
    return Answer(status, headers, [body])


def too_large(limit: int) -> Answer:
    """The 413 for a body over the limit; the connection closes rather than read the rest."""
    message = f"The request body is larger than {limit} bytes."
    return plain(413, message, [("Connection", "close")])


def wsgi_environ(scope: dict, body: bytes) -> dict[str, Any]:
    """Translate an ASGI HTTP scope into a WSGI environ (PEP 3333), as a WSGI server would."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    # WSGI's PATH_INFO is the percent-decoded path as bytes, read as latin-1.
    path = unquote_to_bytes(raw_path.split(b"?", 1)[0]).decode("latin-1")
    root = scope.get("root_path", "").encode().decode("latin-1")
    server = scope.get("server") or ("127.0.0.1", 80)
    client = scope.get("client") or ("", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root,
        "PATH_INFO": path[len(root) :] if root and path.startswith(root) else path,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": "HTTP/" + scope.get("http_version", "1.1"),
        "REMOTE_ADDR": str(client[0]),
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": FileBody,
    }
    for raw_name, raw_value in scope["headers"]:
        key = _environ_key(raw_name)
        if key is None:
            continue
        value = raw_value.decode("latin-1")
        environ[key] = environ[key] + "," + value if key in environ else value
    if body and "CONTENT_LENGTH" not in environ:
        environ["CONTENT_LENGTH"] = str(len(body))  # the chunked body, now whole
        environ.pop("HTTP_TRANSFER_ENCODING", None)
    return environ


@functools.lru_cache(maxsize=1024)
def _environ_key(raw_name: bytes) -> str | None:
    """The environ key of a header name, or None for one WSGI servers drop."""
    name = raw_name.decode("latin-1").upper()
    if "_" in name:
        return None  # X_Forwarded_For must not pass for X-Forwarded-For (gunicorn drops it)
    if name in ("CONTENT-TYPE", "CONTENT-LENGTH"):
        return name.replace("-", "_")
    return "HTTP_" + name.replace("-", "_")


def encode_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """WSGI headers as ASGI's (lower-case name, value) byte pairs."""
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers]


def declared_length(scope: dict) -> int | None:
    """The Content-Length a request declares, or None (no body, or chunked)."""
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            return int(value) if value.strip().isdigit() else None
    return None


def has_body(scope: dict) -> bool:
    """Whether a request may carry a body: a non-zero length, or chunked."""
    for name, value in scope["headers"]:
        lowered = name.lower()
        if lowered == b"content-length" and value.strip() not in (b"", b"0"):
            return True
        if lowered == b"transfer-encoding":
            return True
    return False


async def read_body(receive: Callable, limit: int, deadline: float) -> bytes:
    """Receive the whole body by the deadline; refuse it once it grows past the limit."""
    parts, size = [], 0
    while True:
        # Waited on rather than cancelled at the deadline: on Python 3.11 a cancellation
        # racing a server's own wait_for() can be lost (gunicorn's receive), and with it
        # the deadline.
        pending = asyncio.ensure_future(receive())
        done, _ = await asyncio.wait({pending}, timeout=max(deadline - time.monotonic(), 0))
        if not done:
            pending.cancel()
            raise TimeoutError
        message = pending.result()
        if message["type"] == "http.disconnect":
            raise ClientGone()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge()
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


def call_app(app: Callable, environ: dict) -> Answer:
    """Run a WSGI app on one request in this thread; collect its answer."""
    environ["nzsa.ticket"].ran = True
    token = REQUEST_ID.set(environ["HTTP_X_REQUEST_ID"])
    try:
        return _collect(app, environ)
    finally:
        REQUEST_ID.reset(token)


def _collect(app: Callable, environ: dict) -> Answer:
    started: list = []
    chunks: list[bytes] = []

    def start_response(status: str, headers: list, exc_info=None):
        # Nothing is sent before the app returns, so a late error may replace the headers.
        started[:] = [status, headers]
        return chunks.append

    body = app(environ, start_response)
    streamed = file_part(body)
    if streamed is None:
        try:
            chunks.extend(chunk for chunk in body if chunk)
        finally:
            if hasattr(body, "close"):
                body.close()
    status, headers = started
    return Answer(int(status.split(" ", 1)[0]), list(headers), chunks, streamed)


class Gateway:
    """The ASGI app: the WSGI publisher behind read timeouts, admission and a thread pool."""

    def __init__(self, app, settings: dict[str, Any], replay=None, observer=None):
        self.app = app  # the Flask app; app.wsgi_app is its middleware and handlers
        self.settings = settings
        self.replay = replay
        self.observer: Observer = observer or Observer()
        self._admission: Admission | None = None
        self._threads: ThreadPoolExecutor | None = None
        # Replayed answers' headers, encoded: (answer, headers) by the answer's id.
        self._replay_headers: dict[int, tuple[Any, list]] = {}
        # Switches the app to a new build (ops/reload.py); None: the app never changes.
        self.follower = None

    def _worker_state(self) -> tuple[Admission, ThreadPoolExecutor]:
        # Made in the worker on its first request: the gateway is built before the fork.
        if self._admission is None:
            threads = self.settings["THREADS"]
            self._admission = Admission(
                threads,
                self.settings["EXPENSIVE_SHARE"],
                self.settings["QUEUE_DEPTH"],
                self.settings["QUEUE_WAIT"],
            )
            self._threads = ThreadPoolExecutor(
                max_workers=threads + admission.HEALTH_THREADS, thread_name_prefix="nzsa"
            )
        return self._admission, self._threads

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Callable, send: Callable) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        """Let the threads finish; called as the worker stops."""
        if self._threads is not None:
            self._threads.shutdown(wait=True)

    async def _http(self, scope: dict, receive: Callable, send: Callable) -> None:
        if self.follower is not None:
            self.follower.poll(self)
        ticket = Ticket(admission.lane_for(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1")
        ))  # fmt: skip
        request_id = self._request_id(scope)
        watcher: asyncio.Future | None = None
        try:
            body, answer = await self._read(scope, receive, ticket)
            if answer is None:
                environ = wsgi_environ(scope, body)
                environ["HTTP_X_REQUEST_ID"] = request_id
                environ["nzsa.ticket"] = ticket
                answer = self._replayed(environ)
            if answer is None:
                # From here on, the only message left to receive is the client leaving.
                watcher = asyncio.ensure_future(_watch_for_leaving(receive, ticket))
                answer = await self._run(environ, ticket, watcher)
            sent = await self._send(scope, send, answer, request_id)
        except ClientGone:
            answer, sent = None, 0
        finally:
            if watcher is not None:
                watcher.cancel()
        self.observer.finished(scope, ticket, request_id, answer.status if answer else 499, sent)

    def _request_id(self, scope: dict) -> str:
        for name, value in scope["headers"]:
            if name.lower() == b"x-request-id":
                given = value.decode("latin-1")
                if CHOSEN_ID.fullmatch(given):
                    return given
        return os.urandom(16).hex()

    async def _read(
        self, scope: dict, receive: Callable, ticket: Ticket
    ) -> tuple[bytes, Answer | None]:
        """Read the whole body; or the 408 or 413 to send when it is too slow or too big."""
        limit = self.settings["MAX_BODY_BYTES"]
        if not has_body(scope):
            return b"", None
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            return b"", too_large(limit)
        try:
            deadline = ticket.arrived + self.settings["BODY_TIMEOUT"]
            return await read_body(receive, limit, deadline), None
        except TimeoutError:
            self.observer.timed_out("body")
            message = "The request body did not arrive in time."
            return b"", plain(408, message, [("Connection", "close")])
        except BodyTooLarge:
            return b"", too_large(limit)

    def _replayed(self, environ: dict) -> Answer | None:
        """The answer the response cache keeps for this request, if any.

        The middleware in front of the cache settles what its key holds (the root, the
        query string) or refuses the request outright (a Host it does not serve): both
        are answered here, on the event loop, without a thread.
        """
        if self.replay is None:
            return None
        probe = {**environ, PROBE: True}
        started: list = []
        body = self.app.wsgi_app(
            probe, lambda status, headers, *_: started.extend((status, headers))
        )
        if started:
            return Answer(int(started[0].split(" ", 1)[0]), list(started[1]), list(body))
        kept = probe[PROBE]
        self.observer.cache("response", kept is not None)
        if kept is None:
            return None
        return Answer(int(kept.status.split(" ", 1)[0]), list(kept.headers), [kept.body], kept=kept)

    async def _run(self, environ: dict, ticket: Ticket, watcher: asyncio.Future) -> Answer:
        """Admit the request, then run the app on it in a thread."""
        lanes, threads = self._worker_state()
        if not lanes.try_enter(ticket.lane):
            refusal = await self._wait_turn(lanes, ticket, watcher)
            if refusal is not None:
                return refusal
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(threads, call_app, self.app, environ)
        finally:
            lanes.leave(ticket.lane)
            self.observer.queued(lanes)

    async def _wait_turn(self, lanes: Admission, ticket: Ticket, watcher) -> Answer | None:
        """Wait in the lane's queue; None once admitted, else the 503 to send."""
        entering = asyncio.ensure_future(lanes.enter(ticket))
        self.observer.queued(lanes)
        try:
            await asyncio.wait({entering, watcher}, return_when=asyncio.FIRST_COMPLETED)
            if not entering.done():
                entering.cancel()  # the client left while waiting: never started
                await asyncio.gather(entering, return_exceptions=True)
                raise ClientGone()
            entering.result()
            return None
        except Overloaded as refusal:
            self.observer.refused(ticket.lane, refusal.kind)
            message = f"The server is busy: {refusal}. Try again later."
            return plain(503, message, [("Retry-After", str(refusal.retry_after))])
        finally:
            self.observer.queued(lanes)

    def _headers(self, answer: Answer, request_id: str) -> list[tuple[bytes, bytes]]:
        """The answer's headers as ASGI wants them; a replayed answer's are encoded once."""
        own = (b"x-request-id", request_id.encode("latin-1"))
        kept = answer.kept
        if kept is None:
            return [*encode_headers(answer.headers), own]
        entry = self._replay_headers.get(id(kept))
        if entry is None or entry[0] is not kept:
            if len(self._replay_headers) >= REPLAY_HEADERS_KEPT:
                self._replay_headers.clear()
            entry = self._replay_headers[id(kept)] = (kept, encode_headers(answer.headers))
        return [*entry[1], own]

    async def _send(self, scope: dict, send: Callable, answer: Answer, request_id: str) -> int:
        """Send an answer; return the body bytes sent."""
        headers = self._headers(answer, request_id)
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        if answer.file is None:
            body = b"".join(answer.chunks)
            await send({"type": "http.response.body", "body": body})
            return len(body)
        return await _send_file(scope, send, answer.chunks, *answer.file)


async def _watch_for_leaving(receive: Callable, ticket: Ticket) -> None:
    """Mark the request abandoned when its client closes the connection."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            ticket.abandoned = True
            return


async def _send_file(scope, send, head: list[bytes], file: FileBody, start: int, length):
    """Stream (part of) a file from the event loop, so a slow reader holds no thread."""
    sent = 0
    try:
        for chunk in head:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            sent += len(chunk)
        pathsend = "http.response.pathsend" in scope.get("extensions", {})
        if pathsend and start == 0 and length is None and file.path is not None:
            await send({"type": "http.response.pathsend", "path": file.path})
            return sent + file.size()
        file.seek(start)
        remaining = length
        while remaining is None or remaining > 0:
            block = file.read(FILE_BLOCK if remaining is None else min(FILE_BLOCK, remaining))
            if not block:
                break
            sent += len(block)
            if remaining is not None:
                remaining -= len(block)
            await send({"type": "http.response.body", "body": block, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return sent
    finally:
        file.close()


def gateway_for(app) -> Gateway:
    """Put the gateway in front of a publisher made by create_app."""
    observers: list[Observer] = [AccessLog(app.config)]
    if "nzsa.metrics" in app.extensions:
        observers.append(app.extensions["nzsa.metrics"])
    return Gateway(app, app.config, app.extensions.get("nzsa.replay"), Observers(*observers))
