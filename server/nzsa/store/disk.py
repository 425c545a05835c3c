"""The embedded store's on-disk directory, loaded once from a build's nzsa.nq.

Every server worker and query executor opens the same directory read-only, so the data
is parsed once per build rather than once per process.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox

DATASET_FILE = "nzsa.nq"
STORE_DIR = "oxigraph"
STAMP_FILE = "oxigraph.sha256"


def dataset_digest(build_dir: Path) -> str:
    """Return the SHA-256 of the build's nzsa.nq, from SHA256SUMS when the build wrote it."""
    sums = build_dir / "SHA256SUMS"
    dataset = build_dir / DATASET_FILE
    if sums.is_file() and sums.stat().st_mtime >= dataset.stat().st_mtime:
        for line in sums.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if name.strip().lstrip("*") == DATASET_FILE:
                return digest.strip()
    hasher = hashlib.sha256()
    with dataset.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def ensure_store(build_dir: Path) -> tuple[Path, str]:
    """Make sure build_dir/oxigraph holds nzsa.nq; return its location and the data digest."""
    build_dir = Path(build_dir).resolve()
    if not (build_dir / DATASET_FILE).is_file():
        raise FileNotFoundError(f"{build_dir / DATASET_FILE} not found: run `nzsa build` first")
    location, stamp = build_dir / STORE_DIR, build_dir / STAMP_FILE
    # Several servers may start on one build at once: one loads, the others wait for it.
    with (build_dir / ".oxigraph.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        digest = dataset_digest(build_dir)
        current = stamp.read_text().strip() if stamp.is_file() else ""
        if current != digest or not location.is_dir():
            _load(build_dir / DATASET_FILE, location)
            stamp.write_text(digest + "\n")
    return location, digest


def _load(dataset: Path, location: Path) -> None:
    loading = location.with_name(location.name + ".loading")
    shutil.rmtree(loading, ignore_errors=True)
    store = ox.Store(str(loading))
    store.bulk_load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    store.flush()
    del store
    gc.collect()  # pyoxigraph closes RocksDB when the store object is freed
    # Swap directories so readers never see a half-loaded store.
    old = location.with_name(location.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if location.exists():
        location.rename(old)
    loading.rename(location)
    shutil.rmtree(old, ignore_errors=True)
