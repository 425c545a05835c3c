"""Names as a matcher compares them: case, diacritics and punctuation folded away.

"Manatū Aorere", "MANATU AORERE" and "Manatu-Aorere" are one key; "ADMM-Plus",
"ADMM Plus" and "admmplus" share a squashed key; an acronym is made of the initials of a
name's words, so "NZDF" finds "New Zealand Defence Force" even where the data does not
list the acronym.
"""

from __future__ import annotations

import re
import unicodedata

# Apostrophes join a word ("Ministers’" → "ministers"); other punctuation separates words.
APOSTROPHES = re.compile(r"[’'ʼ`´]")
NOT_WORD = re.compile(r"[\W_]+")
# Words an acronym skips: "Ministry of Foreign Affairs and Trade" → "MFAT".
MINOR_WORDS = frozenset({"of", "and", "the", "for", "on", "in", "to", "a", "an", "de"})


def fold(text: str) -> str:
    """Return `text` without diacritics, in lower case, with `&` read as `and`."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold().replace("&", " and ")


def words(text: str) -> list[str]:
    """Return the folded words of `text`, punctuation dropped."""
    return NOT_WORD.sub(" ", APOSTROPHES.sub("", fold(text))).split()


def key(text: str) -> str:
    """Return the key two spellings of one name share: folded words, one space apart."""
    return " ".join(words(text))


def squashed(text: str) -> str:
    """Return the key without spaces, so "ADMM Plus" and "ADMM-Plus" meet "ADMMPlus"."""
    return "".join(words(text))


def acronym(text: str) -> str | None:
    """Return the initials of a name of two or more significant words, else None."""
    significant = [w for w in words(text) if w not in MINOR_WORDS]
    if len(significant) < 2:
        return None
    return "".join(w[0] for w in significant)
