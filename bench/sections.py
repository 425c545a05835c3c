"""Sections of RESULTS.md that a run of their own writes, and a full `bench/run` keeps."""

from __future__ import annotations

from pathlib import Path


def marks(name: str) -> tuple[str, str]:
    """The comments that open and close a named section."""
    return f"<!-- {name}: begin -->", f"<!-- {name}: end -->"


def keep(old: str, new: str, name: str) -> str:
    """Return `new` with the named section of `old` appended, unless `new` has its own."""
    begin, end = marks(name)
    if begin not in old or begin in new:
        return new
    section = old[old.index(begin) : old.index(end) + len(end)]
    return new.rstrip("\n") + "\n\n" + section + "\n"


def write(path: Path, section: str, name: str) -> None:
    """Put a named section into RESULTS.md, replacing the one there."""
    begin, end = marks(name)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if begin in text:
        # The section's own last newline would add a blank line at every rewrite.
        rest = text[text.index(end) + len(end) :]
        text = text[: text.index(begin)] + section.rstrip("\n") + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
