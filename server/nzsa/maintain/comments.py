"""Find the comments of a Turtle text: the block at its head is kept, others would be lost.

A comment starts at `#` outside an IRI, a string and an escape, and runs to the end
of the line (https://www.w3.org/TR/turtle/#sec-grammar-comments).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Comment:
    line: int
    text: str
    # True when only comments and blank lines come before it.
    at_head: bool


def _string_end(text: str, start: int) -> int:
    """Return the index just past the string literal opening at `start`."""
    quote = text[start]
    delimiter = quote * 3 if text.startswith(quote * 3, start) else quote
    i = start + len(delimiter)
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(delimiter, i):
            return i + len(delimiter)
        else:
            i += 1
    return len(text)


def find_comments(text: str) -> list[Comment]:
    """List the comments of a Turtle text with their line numbers."""
    found: list[Comment] = []
    head = True
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#":
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            found.append(Comment(text.count("\n", 0, i) + 1, text[i:end], head))
            i = end
        elif char.isspace():
            i += 1
        else:
            head = False
            if char in "\"'":
                i = _string_end(text, i)
            elif char == "<":
                end = text.find(">", i)
                i = len(text) if end < 0 else end + 1
            elif char == "\\":
                i += 2
            else:
                i += 1
    return found


def head_block(text: str) -> str:
    """Return the comment lines at the head of a Turtle text, one per line ("" if none)."""
    return "".join(c.text.rstrip() + "\n" for c in find_comments(text) if c.at_head)
