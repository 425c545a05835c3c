"""The embedded store's on-disk directory, loaded once from a build's nzsa.nq.

Every server worker and query executor opens the same directory read-only, so the data
is parsed once per build rather than once per process. The build's VoID description
(void.ttl) goes in too, in its own named graph, so that the endpoint can say what it
serves; it is written after nzsa.nq because it states the dump's size and so cannot be
inside it.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox

from ..vocab import Graphs
from . import ranks

DATASET_FILE = "nzsa.nq"
DESCRIPTION_FILE = "void.ttl"
STORE_DIR = "oxigraph"
STAMP_FILE = "oxigraph.sha256"


def file_digest(build_dir: Path, name: str) -> str:
    """Return the SHA-256 of a build file, from SHA256SUMS when the build wrote it."""
    sums = build_dir / "SHA256SUMS"
    path = build_dir / name
    if sums.is_file() and sums.stat().st_mtime >= path.stat().st_mtime:
        for line in sums.read_text(encoding="utf-8").splitlines():
            digest, _, listed = line.partition("  ")
            if listed.strip().lstrip("*") == name:
                return digest.strip()
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def dataset_digest(build_dir: Path) -> str:
    """Return the SHA-256 of what the store holds: nzsa.nq, and void.ttl where there is one."""
    digest = file_digest(build_dir, DATASET_FILE)
    if not (build_dir / DESCRIPTION_FILE).is_file():
        return digest
    both = digest + " " + file_digest(build_dir, DESCRIPTION_FILE)
    return hashlib.sha256(both.encode("ascii")).hexdigest()


def ensure_store(build_dir: Path, rank_from: int | None = None) -> tuple[Path, str]:
    """Make sure build_dir/oxigraph holds nzsa.nq; return its location and the data digest.

    With `rank_from`, also that build_dir/ranks.sqlite ranks the lists of resources with
    more own triples or incoming links than that (ranks.py).
    """
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
            _load(build_dir, location)
            stamp.write_text(digest + "\n")
        ranked = build_dir / ranks.RANKS_FILE
        if rank_from is not None and not ranks.is_current(ranked, digest, rank_from):
            ranks.build(location, ranked, digest, rank_from)
    return location, digest


def _load(build_dir: Path, location: Path) -> None:
    loading = location.with_name(location.name + ".loading")
    shutil.rmtree(loading, ignore_errors=True)
    store = ox.Store(str(loading))
    store.bulk_load(path=str(build_dir / DATASET_FILE), format=ox.RdfFormat.N_QUADS)
    description = build_dir / DESCRIPTION_FILE
    if description.is_file():
        store.bulk_load(
            path=str(description),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(str(Graphs.DESCRIPTION)),
        )
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
