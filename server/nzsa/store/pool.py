"""Long-lived query executor processes, and the time limit that kills a runaway query.

Each server worker process keeps its own small pool; a query borrows one executor, and
if it runs past its deadline the executor is killed (freeing its CPU) and replaced.
A forked child per query cost ~18 ms here; a pipe round trip to a live executor costs
well under a millisecond.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..ops import metrics
from .base import QueryAbandoned, QueryTimeout, StoreError

_HEADER = struct.Struct("!Q")
RESTART_REASONS = {QueryTimeout: "timeout", QueryAbandoned: "abandoned"}
# How often a waiting query checks whether its client is still there, in seconds.
ABANDON_POLL = 0.1


def _wait_slice(deadline: float, abandoned: Callable[[], bool] | None) -> float:
    """Seconds to wait before looking again: until the deadline, or a poll for the client."""
    if abandoned is not None and abandoned():
        raise QueryAbandoned("the client closed its connection")
    wait = deadline - time.monotonic()
    if wait <= 0:
        raise QueryTimeout("the query ran past its time limit")
    return wait if abandoned is None else min(wait, ABANDON_POLL)


class Executor:
    """One executor process and the pipes to it."""

    def __init__(self, location: Path, niceness: int = 0):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nzsa.store.executor", str(location), str(niceness)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )
        self.ready = False

    def call(self, request: dict, deadline: float, abandoned=None) -> tuple:
        """Send one request and wait for its reply until the deadline, or its client leaves."""
        if not self.ready:
            self._read(deadline, abandoned)  # the ("ready",) greeting: the store is open
            self.ready = True
        data = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.process.stdin.write(_HEADER.pack(len(data)) + data)
            self.process.stdin.flush()
        except BrokenPipeError as error:
            raise StoreError("the query executor stopped unexpectedly") from error
        return self._read(deadline, abandoned)

    def _read(self, deadline: float, abandoned=None):
        header = self._read_exactly(_HEADER.size, deadline, abandoned)
        (length,) = _HEADER.unpack(header)
        return pickle.loads(self._read_exactly(length, deadline, abandoned))

    def _read_exactly(self, size: int, deadline: float, abandoned=None) -> bytes:
        fd = self.process.stdout.fileno()
        chunks, remaining = [], size
        while remaining:
            if not select.select([fd], [], [], _wait_slice(deadline, abandoned))[0]:
                continue
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise StoreError("the query executor stopped unexpectedly")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def kill(self) -> None:
        """End the process at once, wherever its query is."""
        self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


class ExecutorPool:
    """A fixed number of executors for one server worker process."""

    def __init__(self, location: Path, size: int, niceness: int = 0):
        self.location, self.size, self.niceness = location, max(size, 1), niceness
        self._idle: queue.SimpleQueue[Executor] = queue.SimpleQueue()
        self._all: set[Executor] = set()
        self._lock = threading.Lock()
        atexit.register(self.close)
        for _ in range(self.size):
            self._start()

    def _start(self) -> None:
        executor = Executor(self.location, self.niceness)
        with self._lock:
            self._all.add(executor)
        self._idle.put(executor)

    def _retire(self, executor: Executor) -> None:
        executor.kill()
        with self._lock:
            self._all.discard(executor)

    def run(self, request: dict, deadline: float, abandoned=None) -> tuple:
        """Run a request on an idle executor; kill it if the deadline passes or its client
        leaves."""
        executor = self._borrow(deadline, abandoned)
        try:
            reply = executor.call(request, deadline, abandoned)
        except BaseException as interrupted:
            # An executor interrupted mid-query (timeout, crash) is never reused.
            self._retire(executor)
            self._start()
            metrics.executor_restarted(RESTART_REASONS.get(type(interrupted), "failed"))
            raise
        self._idle.put(executor)
        return reply

    def _borrow(self, deadline: float, abandoned) -> Executor:
        """Take an idle executor, waiting until the deadline or until the client leaves."""
        while True:
            try:
                wait = _wait_slice(deadline, abandoned)
            except QueryAbandoned:
                raise
            except QueryTimeout:
                raise QueryTimeout("every query executor stayed busy past the time limit") from None
            try:
                return self._idle.get(timeout=wait)
            except queue.Empty:
                pass

    def close(self) -> None:
        """Kill every executor."""
        with self._lock:
            executors, self._all = list(self._all), set()
        for executor in executors:
            executor.kill()
