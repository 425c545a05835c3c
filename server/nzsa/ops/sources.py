"""Whether the sources validate, and whether a build folder holds one whole build.

`nzsa serve` checks the sources at start-up and at each reload; when they fail, it goes
on serving the last valid build and says why, once in its log and at /readyz. The state
is made in the server's main process and reaches each worker as it is forked.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..checksums import MANIFEST, SUMS, sha256

SOURCES = "nzsa.sources"  # the app's extension that holds the SourcesState


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class SourcesState:
    """What the last check of the sources found: valid, failing (and why), or unchecked."""

    valid: bool | None  # None: not checked (REBUILD=never serves BUILD_DIR as it is)
    reason: str
    checked: str = field(default_factory=_now)

    def as_json(self) -> dict:
        return asdict(self)


def state_file(build_dir: Path) -> Path:
    """Where the main process tells its workers what the sources are: beside BUILD_DIR."""
    build_dir = Path(build_dir).resolve()
    return build_dir.with_name(f".{build_dir.name}.sources.json")


def write_state(build_dir: Path, state: SourcesState, served: str | None = None) -> bool:
    """Tell the workers what the sources are and which build to serve (`served`: a
    digest of its SHA256SUMS), atomically: a worker reads the old state or the new, whole.

    False when the folder is not writable (a read-only deployment): the workers then say
    what the app they forked from knew.
    """
    path = state_file(build_dir)
    partial = path.with_name(f"{path.name}.{os.getpid()}")
    try:
        text = json.dumps({**state.as_json(), "served": served})
        partial.write_text(text + "\n", encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
        with contextlib.suppress(OSError):
            path.unlink()  # never leave an older state to be read as the current one
        return False
    return True


def read_state(build_dir: Path) -> SourcesState | None:
    """What the main process last said about the sources, if anything."""
    try:
        data = json.loads(state_file(build_dir).read_text(encoding="utf-8"))
        return SourcesState(data["valid"], str(data["reason"]), str(data["checked"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_served(build_dir: Path) -> str | None:
    """The digest of the build the main process last told its workers to serve."""
    try:
        served = json.loads(state_file(build_dir).read_text(encoding="utf-8"))["served"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return served if isinstance(served, str) else None


def digest_of(sums: str | None) -> str | None:
    """A short name for a build: the SHA-256 of its SHA256SUMS."""
    return None if sums is None else hashlib.sha256(sums.encode("utf-8")).hexdigest()


def unchecked() -> SourcesState:
    """The state when the sources are not checked at all."""
    return SourcesState(None, "not checked: REBUILD=never serves BUILD_DIR as it is")


def one_line(report) -> str:
    """A validation report in one line: how many errors, and the first."""
    # Imported here: serving a build as it is never needs validation's imports.
    from ..validate.formatters import display_path

    errors = report.errors
    first = errors[0]
    where = ":".join(str(part) for part in (display_path(first.file), first.line) if part)
    where = where + ": " if where else ""
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    # A message may go on over lines (a quote's closest passage): its first says what.
    message = first.message.splitlines()[0]
    return f"{len(errors)} validation errors; first: {where}{message}{more}"


def whole_build(build_dir: Path) -> str | None:
    """Why `build_dir` does not hold one whole build, or None when it does.

    Whole: SHA256SUMS lists files that are there and match, among them every file the
    manifest lists.
    """
    try:
        sums = (build_dir / SUMS).read_text(encoding="utf-8")
        listed = json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"{build_dir} holds no build (no readable {SUMS} and {MANIFEST})"
    for line in sums.splitlines():
        digest, _, name = line.partition("  ")
        path = build_dir / name
        if not path.is_file() or sha256(path) != digest:
            return f"{path} does not match {SUMS}"
    missing = [name for name in listed if not (build_dir / name).is_file()]
    return f"{build_dir} lacks {', '.join(missing)}" if missing else None
