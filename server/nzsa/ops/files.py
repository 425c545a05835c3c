"""Files the app sends (downloads, static files), handed to the event loop to stream.

The gateway offers this class as `wsgi.file_wrapper` (PEP 3333), which werkzeug's
send_file uses; a file answer is then streamed by the event loop, not copied by an app
thread, so a client reading a large download slowly holds no thread.
"""

from __future__ import annotations

import os
from typing import IO


class FileBody:
    """An open file an answer's body comes from (PEP 3333's file_wrapper)."""

    def __init__(self, file: IO[bytes], block_size: int = 8192):
        self.file, self.block_size = file, block_size
        name = getattr(file, "name", None)
        self.path = os.path.abspath(name) if isinstance(name, str) else None

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        block = self.file.read(self.block_size)
        if not block:
            raise StopIteration
        return block

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def seekable(self) -> bool:
        return self.file.seekable()

    def seek(self, offset: int) -> None:
        self.file.seek(offset)

    def tell(self) -> int:
        return self.file.tell()

    def size(self) -> int:
        """Return the file's size in bytes."""
        return os.fstat(self.file.fileno()).st_size

    def close(self) -> None:
        self.file.close()


def file_part(body) -> tuple[FileBody, int, int | None] | None:
    """Return (file, start, length) when an answer's body is a file or a range of one."""
    if isinstance(body, FileBody):
        return body, 0, None
    # werkzeug answers a Range request with its _RangeWrapper around the file.
    inner = getattr(body, "iterable", None)
    start = getattr(body, "start_byte", None)
    if isinstance(inner, FileBody) and isinstance(start, int):
        return inner, start, getattr(body, "byte_range", None)
    return None
