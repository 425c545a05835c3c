"""A bounded, thread-safe cache of rendered documents, keyed by the store's version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class RenderCache:
    """Keep the most recently used renderings; a new store version makes old keys unused."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return the cached value for `key`, making (and keeping) it on a miss."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[return-value]
        # Render outside the lock: two threads may both render a cold key, which is
        # cheaper than serialising every render behind one lock.
        value = make()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


class AnswerCache:
    """Keep recent answers up to a total of `budget` bytes; bigger answers are not kept."""

    def __init__(self, budget: int):
        self.budget, self.used = budget, 0
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """Return the answer kept for `key`, or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any, size: int) -> None:
        """Keep an answer (with a `body`) of `size` bytes, dropping the least recently used."""
        if size > self.budget // 16:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self.used += size
            while self.used > self.budget:
                _, old = self._items.popitem(last=False)
                self.used -= len(old.body)
