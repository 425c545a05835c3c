"""Publish a build atomically: write it in a fresh folder beside the output, then swap.

A build written in place and interrupted (killed, out of disk) left its folder a mix of
old and new files that no longer matched SHA256SUMS, which `nzsa serve --rebuild never`
and /download/ would publish. Now every file is written, checked and synced in a staging
folder first; the output folder is replaced in one step (Linux renameat2
RENAME_EXCHANGE, else two renames that a later build repairs), so a reader or a killed
build only ever finds the old build whole or the new one whole.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..store.disk import STAMP_FILE, STORE_DIR

STAGING = ".building-"  # .NAME.building-XXXX: a build being written
RETIRED = ".retired-"  # .NAME.retired-XXXX: a replaced build being removed
# Made by `nzsa build` or `nzsa serve` in an output folder and worth keeping across builds:
# the releases, each built once from its tag (linking/releases.py).
CARRIED = ("releases",)
_RENAME_EXCHANGE = 2  # linux/fs.h


def output_folder(out_dir: Path | str) -> Path:
    """The real folder a build goes to: a symlink to a folder is followed, not replaced."""
    return Path(out_dir).resolve()


@contextmanager
def staged(out_dir: Path, before_publish: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Yield an empty folder beside `out_dir` to write a build into; publish it on success.

    `before_publish` is called on the complete folder before it replaces the old build
    (`nzsa serve` loads its store there). Builds of one parent folder take turns.
    """
    out_dir = output_folder(out_dir)
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _turn(parent):
        _tidy(parent, out_dir.name)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}{STAGING}", dir=parent))
        try:
            os.chmod(staging, _folder_mode(out_dir))
            yield staging
            _carry(out_dir, staging)
            if before_publish is not None:
                before_publish(staging)
            _sync(staging)
            publish(staging, out_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _turn(parent: Path) -> Iterator[None]:
    """Hold an exclusive lock on the parent folder while a build is staged and published."""
    fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _tidy(parent: Path, name: str) -> None:
    """Remove what killed builds left; put back an output a killed swap left aside."""
    retired = sorted(parent.glob(f".{name}{RETIRED}*"))
    if not (parent / name).exists() and retired:
        # Killed between the two renames of the fallback swap: the old build is whole.
        os.rename(retired.pop(), parent / name)
    for leftover in [*parent.glob(f".{name}{STAGING}*"), *retired]:
        shutil.rmtree(leftover, ignore_errors=True)


def _carry(old: Path, new: Path) -> None:
    """Link into the new build what the old one holds that a build does not remake.

    The releases, and the store: a server that has not yet taken up the new build goes on
    opening the store it serves (a worker's first query, an executor replaced after a
    timeout), and one loaded from the same dataset is not loaded again (store/disk.py
    reloads it when its stamp names another dataset). Hard links: the old build stays
    whole until the swap, and nothing is copied.
    """
    if not old.is_dir():
        return
    for name in (*CARRIED, STORE_DIR, STAMP_FILE):
        source, target = old / name, new / name
        if target.exists() or not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, target, copy_function=os.link, symlinks=True)
        else:
            os.link(source, target)


def _sync(folder: Path) -> None:
    """Flush the build's files to disk before it is published: a crash must not publish
    names pointing at empty files."""
    for path in folder.iterdir():
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def publish(staging: Path, out_dir: Path) -> None:
    """Put the staged build in place of `out_dir` in one step, and remove the old one."""
    parent = out_dir.parent
    if not out_dir.exists():
        os.rename(staging, out_dir)
    elif _exchange(staging, out_dir):
        pass  # the old build is now at `staging`, removed by the caller
    else:
        # Renamed onto an empty folder of a name no other build uses, then replaced.
        aside = tempfile.mkdtemp(prefix=f".{out_dir.name}{RETIRED}", dir=parent)
        os.rename(out_dir, aside)
        os.rename(staging, out_dir)
        shutil.rmtree(aside, ignore_errors=True)
    _sync_folder(parent)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically (renameat2 RENAME_EXCHANGE); False where unsupported."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd = -100
    done = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    if done == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # a file system, or a kernel, without it
    raise OSError(error, os.strerror(error), str(second))


def _folder_mode(out_dir: Path) -> int:
    """The old build's permissions, else those `mkdir` gives (mkdtemp's are private)."""
    if out_dir.is_dir():
        return out_dir.stat().st_mode & 0o7777
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o777 & ~umask


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
