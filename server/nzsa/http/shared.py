"""Renderings shared by a server's workers through BUILD_DIR/rendered, pruned to a budget.

Each worker has its own memory cache; sharing renderings on disk makes each document
rendered once per build rather than once per worker and restart. A file is named by the
hash of what made its rendering (data version, root, document, page, format), never by
request text, and only renderings of documents that exist are written. The folder stays
under SHARED_CACHE_BYTES: after writing an eighth of it, a worker removes the least
recently used files (a read marks a file used) down to three quarters of the budget.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from pathlib import Path

from ..ops import metrics
from .representation import make_etag


class SharedRenderings:
    """A folder of renderings that every worker reads and writes, kept under a budget."""

    def __init__(self, folder: Path | None, budget: int):
        self.folder = folder if budget > 0 else None
        self.budget = budget
        # The first write prunes: the folder may hold an earlier run's renderings.
        self._written = budget // 8
        self._lock = threading.Lock()

    def read(self, key: tuple) -> tuple[tuple[str, ...], bytes] | None:
        """Return the links and body another worker rendered for `key`, or None."""
        if self.folder is None:
            return None
        path = self.folder / make_etag(*key)
        try:
            links, _, body = path.read_bytes().partition(b"\n")
            os.utime(path)  # used now: pruning removes the least recently used first
            kept = tuple(json.loads(links)), body
        except (OSError, ValueError):
            kept = None
        metrics.cache_looked_up("render_shared", kept is not None)
        return kept

    def write(self, key: tuple, links: tuple[str, ...], body: bytes) -> None:
        """Keep a rendering for the other workers, pruning the folder past its budget."""
        if self.folder is None:
            return
        path = self.folder / make_etag(*key)
        data = json.dumps(links).encode() + b"\n" + body
        try:
            self.folder.mkdir(exist_ok=True)
            partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
            partial.write_bytes(data)
            partial.replace(path)  # atomic: readers see all of it or nothing
        except OSError:
            return  # a read-only build folder: each worker keeps its own renderings
        with self._lock:
            self._written += len(data)
            due = self._written >= self.budget // 8
            if due:
                self._written = 0
        if due:
            self.prune()

    def prune(self) -> None:
        """Remove the least recently used renderings down to three quarters of the budget."""
        files = []
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    try:
                        stat = entry.stat()
                    except FileNotFoundError:
                        continue  # another worker removed it
                    files.append((stat.st_mtime, stat.st_size, entry.path))
        except OSError:
            return
        total = sum(size for _, size, _ in files)
        if total <= self.budget:
            return
        for _, size, path in sorted(files):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # or another worker did
            total -= size
            if total <= self.budget * 3 // 4:
                break
