"""What the gateway reports about each request, to the access log and the metrics.

The base Observer ignores every event; ops/logs.py and ops/metrics.py each implement the
ones they need, and Observers passes every event on to several.
"""

from __future__ import annotations


class Observer:
    """Receive the gateway's events; this one ignores them."""

    def finished(self, scope: dict, ticket, request_id: str, status: int, sent: int) -> None:
        """A request was answered (status 499: its client left first)."""

    def cache(self, name: str, hit: bool) -> None:
        """A cache was consulted."""

    def timed_out(self, kind: str) -> None:
        """A request's body, or its query, ran out of time."""

    def refused(self, lane: str, reason: str) -> None:
        """Admission refused a request: its queue was `full`, or it `waited` too long."""

    def queued(self, admission) -> None:
        """The queues or the threads in use changed."""


class Observers(Observer):
    """Pass every event on to each of several observers."""

    def __init__(self, *observers: Observer):
        self.observers = observers

    def finished(self, *args) -> None:
        for observer in self.observers:
            observer.finished(*args)

    def cache(self, *args) -> None:
        for observer in self.observers:
            observer.cache(*args)

    def timed_out(self, *args) -> None:
        for observer in self.observers:
            observer.timed_out(*args)

    def refused(self, *args) -> None:
        for observer in self.observers:
            observer.refused(*args)

    def queued(self, *args) -> None:
        for observer in self.observers:
            observer.queued(*args)
