"""Checksums of the output and a manifest of the inputs, so a server can tell a stale build."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from .. import __version__
from ..checksums import MANIFEST, SUMS, sha256
from ..load import Sources

__all__ = ["MANIFEST", "SUMS", "sha256"]


def _name(path: Path, root: Path | None) -> str:
    if root:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.resolve().as_posix()


def input_hashes(
    sources: Sources, texts: tuple[Path, ...] = (), root: Path | None = None
) -> dict[str, str]:
    """Return the SHA-256 of every build input (RDF files and evidence texts), by name."""
    return {_name(p, root): sha256(p) for p in sorted(set(sources.all) | set(texts))}


def write_manifest(
    out_dir: Path, inputs: Mapping[str, str], triples: Mapping[str, int], files: list[str]
) -> None:
    """Write manifest.json: the generator, the inputs' hashes, the graphs' sizes, the files."""
    manifest = {
        "generator": f"nzsa {__version__}",
        "inputs": dict(sorted(inputs.items())),
        "triples": dict(triples),
        "files": sorted(files),
    }
    text = json.dumps(manifest, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    (out_dir / MANIFEST).write_text(text, encoding="utf-8")


def read_manifest(out_dir: Path) -> dict | None:
    """Return the manifest of a build, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_sums(out_dir: Path, names: list[str]) -> None:
    """Write SHA256SUMS in `sha256sum` format over the named files; written last."""
    lines = [f"{sha256(out_dir / name)}  {name}\n" for name in sorted(names)]
    (out_dir / SUMS).write_text("".join(lines), encoding="utf-8")
