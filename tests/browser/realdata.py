"""A build of the project's own data, made once per test session and shared."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from nzsa.build import build_dataset


@cache
def real_build(base: Path) -> Path:
    """Build the bundled ontology, data and shapes into `base`/real-build, once per session.

    `base` is the session's temporary folder (tmp_path_factory.getbasetemp()), so the
    page tests and the browser tests share one build.
    """
    out = base / "real-build"
    build_dataset(out_dir=out)
    return out
