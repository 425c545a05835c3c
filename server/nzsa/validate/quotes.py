"""Where a quote departs from its source: the closest passage and the first character apart.

A quote that was retyped, not copied, usually differs in one character a reader cannot
see: a straight ' for a typographic ’, a hyphen for a dash, a non-breaking space.
rapidfuzz finds the passage of the source most like the quote; difflib then finds the
first character where they part.
"""

from __future__ import annotations

import difflib
import unicodedata

from rapidfuzz import fuzz

# Below this likeness (0-100) the source holds no passage worth showing.
LIKENESS = 60
# Characters of context shown before and after the difference.
BEFORE, AFTER = 30, 30


def _name(text: str, at: int) -> str:
    if at < 0 or at >= len(text):
        return "nothing"
    char = text[at]
    return f"{char!r} (U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')})"


def _parting(quote: str, window: str) -> tuple[int, int]:
    """Return where quote and window part, beside the longest run they share."""
    matcher = difflib.SequenceMatcher(None, quote, window, autojunk=False)
    a, b, size = matcher.find_longest_match(0, len(quote), 0, len(window))
    k, m = a - 1, b - 1
    while k >= 0 and m >= 0 and quote[k] == window[m]:
        k, m = k - 1, m - 1
    if k >= 0:
        return k, m
    k, m = a + size, b + size
    while k < len(quote) and m < len(window) and quote[k] == window[m]:
        k, m = k + 1, m + 1
    return k, m


def explain(quote: str, text: str) -> str:
    """Word, over a few lines, where `quote` departs from the closest passage of `text`.

    Both are whitespace-normalised already.
    """
    alignment = fuzz.partial_ratio_alignment(quote, text)
    if alignment is None or alignment.score < LIKENESS:
        return "no passage of the source comes close to it"
    start = max(0, alignment.dest_start - len(quote))
    window = text[start : alignment.dest_end + len(quote)]
    k, m = _parting(quote, window)
    pad = min(BEFORE, k, m)  # as much context before the difference on both lines
    ours, theirs = quote[k - pad : k + AFTER], window[m - pad : m + AFTER]
    return (
        f"the closest passage of the source differs at character {k + 1} of the quote:\n"
        f"  quote:  {ours}\n"
        f"  source: {theirs}\n"
        f"          {' ' * pad}^ the quote has {_name(quote, k)}, the source {_name(window, m)}"
    )
