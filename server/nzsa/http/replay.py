"""Whole answers to GET requests, replayed from memory before Flask sees the request.

The store is read-only, so while its version holds, the answer to a GET is the answer to
every equal GET: the same path and query, and the same value of every header an answer
depends on. The version is part of the key: a remote store's data can change under us.
Routing, negotiating, checking a query and serialising cost most of a cheap request;
replaying skips all of them (bench/RESULTS.md). An answer the app marks
`Cache-Control: no-store` (a query calling RAND() or NOW()) is never kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..store.base import StoreError
from .cache import BoundedCache

# Everything in a request that can change its answer, once canonical.py has settled the
# root (scheme, host, script root) and the query string: negotiation reads Accept,
# revalidation the conditionals. Forwarded headers are already applied, or ignored.
KEY = (
    "REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "wsgi.url_scheme",
    "HTTP_HOST", "HTTP_ACCEPT",
    "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
    "HTTP_RANGE", "HTTP_IF_RANGE",
)  # fmt: skip
KEPT_STATUSES = ("200", "303", "304")
# The gateway (ops/gateway.py) asks, on its event loop, only whether an answer is kept: it
# sets this key in a copy of the request's environ and calls the middleware in front of
# this one (proxies, canonical.py), which settle the key's values; the kept answer, or
# None, comes back under the same key, and nothing further runs.
PROBE = "nzsa.replay.probe"


@dataclass(frozen=True)
class Replay:
    """One answer as the app sent it."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes


def keepable(status: str, headers: Iterable[tuple[str, str]], largest: int) -> bool:
    """Return whether an answer may be replayed: a success or redirect, small, shareable."""
    if not status.startswith(KEPT_STATUSES):
        return False
    named = {name.lower(): value for name, value in headers}
    control = named.get("cache-control", "").lower()
    if "no-store" in control or "private" in control or "set-cookie" in named:
        return False
    length = named.get("content-length")
    if length is None:
        return status.startswith("304")  # no body; streamed bodies of unknown size are not kept
    return length.isdigit() and int(length) <= largest


class ResponseReplay:
    """WSGI middleware: replay kept answers to equal GET and HEAD requests."""

    def __init__(self, wsgi_app: Callable, budget: int, version: Callable[[], str]):
        self.wsgi_app, self.version = wsgi_app, version
        self.answers = BoundedCache(budget) if budget > 0 else None

    def __call__(self, environ: dict, start_response: Callable):
        if not self._replayable(environ):
            if PROBE in environ:
                environ[PROBE] = None
                return []
            return self.wsgi_app(environ, start_response)
        try:
            version = self.version()
        except StoreError:
            # The app answers for a store that cannot say its version (503, 502 ...).
            if PROBE in environ:
                environ[PROBE] = None
                return []
            return self.wsgi_app(environ, start_response)
        key = (version, *(environ.get(name) for name in KEY))
        kept: Replay | None = self.answers.get(key)
        if PROBE in environ:
            environ[PROBE] = kept
            return []
        if kept is not None:
            start_response(kept.status, list(kept.headers))
            return [kept.body]
        sent: list = []

        def remember(status: str, headers: list, *exc_info):
            sent[:] = [status, headers]
            return start_response(status, headers, *exc_info)

        body = self.wsgi_app(environ, remember)
        if not sent or not keepable(sent[0], sent[1], self.answers.largest):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self.answers.put(key, Replay(sent[0], tuple(sent[1]), data))
        return [data]

    def _replayable(self, environ: dict) -> bool:
        # A request with a body is answered by the app: its size limit, its content.
        return (
            self.answers is not None
            and environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and environ.get("CONTENT_LENGTH") in (None, "", "0")
            and "HTTP_TRANSFER_ENCODING" not in environ
        )
