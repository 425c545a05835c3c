"""What identifies this release of the code, so that renderings change when it does."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from . import __version__

PACKAGE = Path(__file__).parent
RENDERING_SUFFIXES = {".py", ".html", ".js", ".css", ".json", ".jsonld"}


@functools.cache
def code_version() -> str:
    """Hash the package's own code and templates, once per process.

    Documents are cached and validated (ETag) per data version; a new template or
    renderer must give them new ETags too, or clients and the shared cache keep old pages.
    """
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in RENDERING_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(PACKAGE)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
