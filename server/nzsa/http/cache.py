"""Bounded, thread-safe caches, measured by all they hold: keys, values and headers.

Each entry counts the bytes of its key and its value: every string and bytes object at
its size in memory (sys.getsizeof), through tuples, mappings and dataclasses, and an
rdflib graph at its measured cost per triple. A client's long query string or path so
fills a cache no faster than a long answer would (a key of 60 kB once cost 60 kB while
the cache counted only the answer's 3 kB).
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from rdflib import Graph

from ..formats import Format
from ..ops import metrics

T = TypeVar("T")
# An OrderedDict slot and the tuple that holds a value with its size (tracemalloc).
ENTRY_BYTES = 200
# An rdflib Graph per triple, its indexes included (tracemalloc, 5,000 triples).
TRIPLE_BYTES = 2048


def footprint(value: Any) -> int:
    """Return an upper estimate of the memory a key or a value holds, in bytes."""
    if value is None or isinstance(value, (bool, int, float, Format)):
        return 0  # small, or shared with the media-type table
    if isinstance(value, (str, bytes)):
        return sys.getsizeof(value)
    if isinstance(value, Graph):
        return len(value) * TRIPLE_BYTES
    if isinstance(value, Mapping):
        items = value.items()
        return sys.getsizeof(value) + sum(footprint(k) + footprint(v) for k, v in items)
    if isinstance(value, (tuple, list, set, frozenset)):
        return sys.getsizeof(value) + sum(footprint(v) for v in value)
    if dataclasses.is_dataclass(value):
        fields = dataclasses.fields(value)
        return sys.getsizeof(value) + sum(footprint(getattr(value, f.name)) for f in fields)
    return sys.getsizeof(value)


class BoundedCache:
    """Keep the most recently used entries up to `budget` bytes; bigger ones are not kept."""

    def __init__(self, budget: int, name: str = ""):
        self.budget, self.used = max(budget, 0), 0
        self.name = name  # counted in the metrics under this name, when it has one
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def largest(self) -> int:
        """Return the size of the largest entry kept: one in 16 of the budget."""
        return self.budget // 16

    def lookup(self, key: Hashable) -> tuple[bool, Any]:
        """Return whether `key` is kept, and its value."""
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
        if self.name:
            metrics.cache_looked_up(self.name, item is not None)
        return (False, None) if item is None else (True, item[0])

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value kept for `key`, else `default`."""
        found, value = self.lookup(key)
        return value if found else default

    def put(self, key: Hashable, value: Any) -> None:
        """Keep a value, dropping the least recently used entries past the budget."""
        if not self.largest:  # a cache turned off: measuring the value would be wasted work
            return
        size = ENTRY_BYTES + footprint(key) + footprint(value)
        if size > self.largest:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (value, size)
            self.used += size
            while self.used > self.budget:
                _, (_, dropped) = self._items.popitem(last=False)
                self.used -= dropped

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return the value kept for `key`, making (and keeping) it on a miss."""
        found, value = self.lookup(key)
        if found:
            return value
        # Made outside the lock: two threads may both make a cold key, which is cheaper
        # than serialising every rendering behind one lock.
        value = make()
        self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._items)
