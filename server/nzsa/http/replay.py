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

    def lookup(self, environ: dict) -> Replay | None:
        """Return the answer kept for this request, if any (the gateway asks before routing)."""
        if not self._replayable(environ):
            return None
        return self.answers.get(tuple(environ.get(name) for name in KEY))

    def __call__(self, environ: dict, start_response: Callable):
        if not self._replayable(environ):
            return self.wsgi_app(environ, start_response)
        try:
            version = self.version()
        except StoreError:
            # The app answers for a store that cannot say its version (503, 502 ...).
            return self.wsgi_app(environ, start_response)
        key = (version, *(environ.get(name) for name in KEY))
        kept: Replay | None = self.answers.get(key)
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
