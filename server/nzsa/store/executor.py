"""A query executor process: runs public queries one at a time, so they can be killed.

Neither pyoxigraph nor `oxigraph serve` can interrupt a running query; the only way to
stop one and free its CPU is to end the process running it. The parent (pool.py) sends
length-prefixed pickled requests on stdin and reads replies on stdout.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
import threading
import time
from typing import IO

import pyoxigraph as ox

from .results import serialize

_HEADER = struct.Struct("!Q")


def send(stream: IO[bytes], message) -> None:
    """Write one framed message."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def receive(stream: IO[bytes]):
    """Read one framed message, or None at end of input."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (length,) = _HEADER.unpack(header)
    return pickle.loads(stream.read(length))


def run(store: ox.Store, request: dict) -> tuple:
    """Run one query request; return ("ok", body, truncated, count) or (error kind, message)."""
    default, named = request["default_graphs"], request["named_graphs"]
    options: dict = {}
    try:
        if default or named:
            # SPARQL 1.1 Protocol 2.1.4: given graph IRIs make up the whole dataset.
            options["default_graph"] = [ox.NamedNode(iri) for iri in default]
            options["named_graphs"] = [ox.NamedNode(iri) for iri in named]
        elif request.get("union", True):
            options["use_default_graph_as_union"] = True
        result = store.query(request["text"], **options)
        body, truncated, count = serialize(result, request["format"], request["max_results"])
    except (SyntaxError, ValueError) as error:
        return ("rejected", str(error))
    except RuntimeError as error:
        # pyoxigraph's evaluation errors, such as a function it does not implement: the
        # query's fault, and the executor stays up for the next one.
        return ("rejected", str(error))
    except OSError as error:
        return ("failed", str(error))
    return ("ok", body, truncated, count)


def _exit_with_parent(parent: int) -> None:
    # A worker that dies leaves its executors to init; they must not keep running queries.
    # (PR_SET_PDEATHSIG would fire when the spawning *thread* ends, which is too early.)
    # pyoxigraph releases the GIL while it evaluates, so this thread runs mid-query.
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def main(argv: list[str]) -> int:
    """Open the store read-only and answer requests until stdin closes."""
    # Stopping is the worker's to decide: a SIGTERM to the whole process group (a terminal,
    # a service manager) must not cut the query it is letting finish. The worker ends
    # this process when it stops (pool.py), or it ends with the worker (below).
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the reply pipe
    store = ox.Store.read_only(argv[1])
    send(replies, ("ready",))
    if len(argv) > 2 and int(argv[2]) > 0:
        # Queries run below the workers: when they take every core, the event loops that
        # replay cached answers and read requests still get the CPU first. Opening the
        # store (a replacement for an executor killed at its time limit) does not wait.
        os.nice(int(argv[2]))
    while (request := receive(requests)) is not None:
        send(replies, run(store, request))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
