"""gunicorn's asgi worker, with a time limit on a connection's first request headers.

gunicorn's asgi worker reads requests on its event loop, so a slow client holds no
thread; but it waits for the headers of a connection's first request without end (later
requests are bounded by its keep-alive timer). This worker closes a connection whose
first request line and headers have not arrived within HEADER_TIMEOUT, as granian does.
"""

from __future__ import annotations

from gunicorn.asgi.protocol import ASGIProtocol
from gunicorn.workers import gasgi


class BoundedProtocol(ASGIProtocol):
    """An HTTP/1 connection that must send its first request's headers in time."""

    header_timeout = 10.0

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._headers_due = self.worker.loop.call_later(self.header_timeout, self._headers_late)

    def _on_headers_complete(self):
        self._headers_due.cancel()
        return super()._on_headers_complete()

    def _headers_late(self) -> None:
        # What the keep-alive timer does: close, and wake the connection's task to end.
        self._keepalive_timeout()

    def connection_lost(self, exc) -> None:
        self._headers_due.cancel()
        super().connection_lost(exc)


def bounded_worker(header_timeout: float) -> type:
    """Return gunicorn's asgi worker class, its connections bounded by `header_timeout`."""
    protocol = type("BoundedProtocol", (BoundedProtocol,), {"header_timeout": header_timeout})

    class BoundedWorker(gasgi.ASGIWorker):
        """gunicorn's asgi worker making BoundedProtocol connections."""

        def init_process(self) -> None:
            # The worker names its protocol class in its module; this process runs only it.
            gasgi.ASGIProtocol = protocol
            super().init_process()

    return BoundedWorker
