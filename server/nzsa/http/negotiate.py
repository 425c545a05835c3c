"""Choose a representation from a suffix or the `Accept` header, or refuse with 406.

Werkzeug parses `Accept` and its q-values (RFC 9110 §12.5.1); this module only says what
is on offer and in which order of preference.
"""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import NotAcceptable

from ..formats import BY_NAME, Format

# What a described resource, the ontology or the shapes are offered as, best first:
# Turtle wins a tie (`*/*`, `text/*`) because most clients without a browser want data.
DOCUMENT_FORMATS: tuple[Format, ...] = tuple(
    BY_NAME[name] for name in ("turtle", "html", "jsonld", "rdfxml", "ntriples")
)


class NoAcceptableFormat(NotAcceptable):
    """Nothing on offer matches `Accept`; the offer goes into the 406 body and headers."""

    def __init__(self, offered: tuple[Format, ...], reason: str = "No acceptable representation."):
        self.offered, self.reason = offered, reason
        listing = ", ".join(f.media_type for f in offered)
        super().__init__(f"{reason} Available: {listing}.")


def _media_types(fmt: Format) -> tuple[str, ...]:
    # The table may list further media types that name the same bytes (e.g. application/json).
    return getattr(fmt, "media_types", (fmt.media_type,))


def choose(accept: MIMEAccept, has_header: bool, offered: tuple[Format, ...]) -> Format:
    """Return the offered format `Accept` prefers, the first one without a header, or 406."""
    if not has_header:
        # RFC 9110 §12.5.1: no Accept field means any media type is acceptable.
        return offered[0]
    # Primary media types first, so an alias never beats its own format's main type.
    candidates = [f.media_type for f in offered]
    candidates += [t for f in offered for t in _media_types(f) if t not in candidates]
    best = accept.best_match(candidates)
    if best is None:
        raise NoAcceptableFormat(offered)
    return next(f for f in offered if best in _media_types(f))


def split_suffix(name: str, offered: tuple[Format, ...]) -> tuple[str, Format | None]:
    """Split a trailing format suffix (`.ttl`, `.html`, ...) off a path segment."""
    for fmt in offered:
        if name.endswith(fmt.suffix) and len(name) > len(fmt.suffix):
            return name[: -len(fmt.suffix)], fmt
    return name, None
