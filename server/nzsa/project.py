"""Find the project, as git and ruff do: the one place every command asks for its root.

The root is, in order: the folder given by `--project DIR` (which sets NZSA_ROOT for the
process and the servers it forks), else $NZSA_ROOT, else the nearest folder at or above the
working directory that holds `ontology/`, `data/` and `shapes/`, or a `pyproject.toml`
with a `[tool.nzsa]` table. The table may name the three folders, relative to the root:

    [tool.nzsa]
    ontology = "ontology"
    data = "data"
    shapes = "shapes"

Every default path (the sources, the build folder, the release tags) is under the root,
never under the installed package.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ENV = "NZSA_ROOT"
ROLES = ("ontology", "data", "shapes")
BUILD = "build"


class NoProject(Exception):
    """No project at or above the working directory, or the one named is not a folder."""

    @classmethod
    def above(cls, start: Path) -> NoProject:
        return cls(f"no nzsa project here or above {start}; pass PATH or --project")


@dataclass(frozen=True)
class Layout:
    """A project's root and the folders of its three roles."""

    root: Path
    ontology: Path
    data: Path
    shapes: Path

    @property
    def build(self) -> Path:
        """The default output of `nzsa build` and input of `nzsa serve`."""
        return self.root / BUILD

    def folder(self, role: str) -> Path:
        return getattr(self, role)


def _table(folder: Path) -> dict | None:
    """Return the `[tool.nzsa]` table of the folder's pyproject.toml, if it has one."""
    try:
        with (folder / "pyproject.toml").open("rb") as file:
            config = tomllib.load(file)
    except (FileNotFoundError, NotADirectoryError, tomllib.TOMLDecodeError):
        return None
    table = config.get("tool", {}).get("nzsa")
    return table if isinstance(table, dict) else None


def layout_of(root: Path) -> Layout:
    """Return the folders of the project at `root`, as its `[tool.nzsa]` table names them."""
    table = _table(root) or {}
    folders = {role: root / str(table.get(role, role)) for role in ROLES}
    return Layout(root, **folders)


def is_project(folder: Path) -> bool:
    """Tell whether `folder` is a project root: a `[tool.nzsa]` table, or the three folders."""
    return _table(folder) is not None or all((folder / role).is_dir() for role in ROLES)


def find_root(start: Path | None = None) -> Path:
    """Return the root named by $NZSA_ROOT, else the nearest project at or above `start`."""
    configured = os.environ.get(ENV)
    if configured:
        root = Path(configured).resolve()
        if not root.is_dir():
            raise NoProject(f"{ENV}={configured} is not a folder")
        return root
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if is_project(folder):
            return folder
    raise NoProject.above(start)


def find_layout(start: Path | None = None) -> Layout:
    """Return the layout of the project found by `find_root`."""
    return layout_of(find_root(start))


def use_project(folder: Path) -> Path:
    """Make `folder` the project of this process and of any it starts (`--project DIR`)."""
    root = folder.resolve()
    if not root.is_dir():
        raise NoProject(f"--project {folder}: no such folder")
    os.environ[ENV] = str(root)
    return root
