"""One settings table: name, default, NZSA_* environment variable, help text.

The README's configuration section is checked against this table by a test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    type: type = str

    @property
    def env(self) -> str:
        return "NZSA_" + self.name

    @property
    def option(self) -> str:
        return "--" + self.name.lower().replace("_", "-")


SETTINGS: tuple[Setting, ...] = (
    Setting("HOST", "127.0.0.1", "Address to listen on."),
    Setting("PORT", 8080, "Port to listen on.", int),
    Setting("BASE_IRI", "https://w3id.org/nzsa/", "IRI namespace the data is published under."),
    Setting("STORE", "oxigraph", "Store back end: `oxigraph` (embedded) or `remote`."),
    Setting("REMOTE_ENDPOINT", "", "SPARQL 1.1 query endpoint URL for the `remote` store."),
    Setting(
        "REMOTE_ENGINE",
        "auto",
        "The remote store's engine, for its quirks: `auto` (from its Server header),"
        " `virtuoso`, `oxigraph` or `sparql11`.",
    ),
    Setting(
        "REMOTE_VERSION_INTERVAL",
        120.0,
        "Seconds between reads of the remote data's version (each published graph's size and"
        " the ontology's version; for ETags; 0: at start-up only).",
        float,
    ),
    Setting(
        "BUILD_DIR",
        "build",
        "Directory of `nzsa build` output to serve (built if stale); relative to the working"
        " directory when given, else `build/` in the project.",
    ),
    Setting(
        "REBUILD",
        "auto",
        "`auto`: rebuild BUILD_DIR from the sources when stale, refusing data that fails"
        " validation; `never`: serve BUILD_DIR as it is.",
    ),
    Setting(
        "WATCH_INTERVAL",
        0.0,
        "Seconds between looks at the sources: when they change, reload as on SIGHUP"
        " (REBUILD=auto rebuilds and validates; 0: reload on SIGHUP only).",
        float,
    ),
    Setting("SERVER", "granian", "HTTP server: `granian` (default) or `gunicorn`."),
    Setting("WORKERS", 2, "WSGI worker processes.", int),
    Setting("THREADS", 4, "Threads per worker process.", int),
    Setting("EXECUTORS", 2, "Query executor processes per worker (one query each at a time).", int),
    Setting(
        "EXECUTOR_NICENESS",
        10,
        "Niceness of the query executor processes (0–19; 0 runs them at the workers'"
        " priority): when queries take every core, cached and cheap answers still get the"
        " CPU first.",
        int,
    ),
    Setting("QUERY_TIMEOUT", 10.0, "Seconds a SPARQL query may run before it is stopped.", float),
    Setting("MAX_RESULTS", 10_000, "Most result rows or triples returned; more are cut off.", int),
    Setting("MAX_QUERY_LENGTH", 20_000, "Longest SPARQL query text accepted, in characters.", int),
    Setting("MAX_QUERY_DEPTH", 64, "Deepest nesting of brackets accepted in a query.", int),
    Setting(
        "MAX_BODY_BYTES", 1_000_000, "Largest request body accepted (else 413), in bytes.", int
    ),
    Setting(
        "HEADER_TIMEOUT",
        10.0,
        "Seconds a client may take to send a request's line and headers (else the connection"
        " is closed).",
        float,
    ),
    Setting(
        "BODY_TIMEOUT",
        10.0,
        "Seconds a client may take to send a request's body, from the end of its headers"
        " (else 408).",
        float,
    ),
    Setting(
        "QUEUE_DEPTH",
        64,
        "Requests each worker keeps waiting for a thread, per lane (queries, page renders,"
        " the rest); more are answered 503.",
        int,
    ),
    Setting(
        "QUEUE_WAIT",
        5.0,
        "Seconds a request may wait for a thread before it is answered 503 with Retry-After.",
        float,
    ),
    Setting(
        "EXPENSIVE_SHARE",
        0.5,
        "Share of each worker's threads that SPARQL queries, and page renders, may each use;"
        " one thread always stays for the rest.",
        float,
    ),
    Setting("TRUSTED_PROXIES", 0, "Reverse proxies whose X-Forwarded-* headers are trusted.", int),
    Setting(
        "PUBLIC_URL",
        "",
        "The site's public address (`https://example.org/nzsa/`): every URL the server writes"
        " starts with it, whatever Host a request names. Set it when serving the public.",
    ),
    Setting(
        "ALLOWED_HOSTS",
        "",
        "Comma-separated names (`host` or `host:port`) a request's Host may be; others get"
        " 400. Empty: any with PUBLIC_URL, else loopback and HOST only.",
    ),
    Setting(
        "PAGE_SIZE",
        100,
        "Incoming links per page of a resource description (and twice as many own triples).",
        int,
    ),
    Setting(
        "RANK_FROM",
        1000,
        "Resources with more own triples or incoming links than this are paged from their"
        " order, computed once per data version into BUILD_DIR/ranks.sqlite (embedded store).",
        int,
    ),
    Setting(
        "RENDER_CACHE_BYTES",
        64_000_000,
        "Bytes of rendered documents and descriptions each worker keeps in memory (0: none).",
        int,
    ),
    Setting(
        "SHARED_CACHE_BYTES",
        1_000_000_000,
        "Bytes of rendered documents kept in BUILD_DIR/rendered for every worker, least"
        " recently used removed first (0: none).",
        int,
    ),
    Setting("MAX_AGE", 300, "Seconds a cache may reuse a Linked Data document unchecked.", int),
    Setting(
        "QUERY_CACHE_BYTES",
        64_000_000,
        "Bytes of SPARQL answers each worker keeps for repeated queries (0: none).",
        int,
    ),
    Setting(
        "RESPONSE_CACHE_BYTES",
        64_000_000,
        "Bytes of whole GET answers (SPARQL results, documents, pages) each worker keeps and"
        " replays before routing (0: none).",
        int,
    ),
    Setting(
        "SITEMAP_URLS",
        50_000,
        "Most URLs in one sitemap file; past it /sitemap.xml is an index of parts.",
        int,
    ),
    Setting(
        "RECONCILE_BATCH_SIZE",
        100,
        "Most queries in one reconciliation batch, and ids in one data extension request"
        " (else 413).",
        int,
    ),
    Setting(
        "RECONCILE_MAX_CANDIDATES",
        100,
        "Most candidates one reconciliation query returns, whatever its `limit`.",
        int,
    ),
    Setting("ACCESS_LOG", "", "Where to log each request (`-`: standard output; empty: nowhere)."),
    Setting(
        "METRICS",
        "",
        "Prometheus metrics: empty: none; `app`: at /metrics on this server; `HOST:PORT`: on"
        " an address of their own (e.g. `127.0.0.1:9109`).",
    ),
    Setting(
        "LOG_FORMAT",
        "text",
        "`text`, or `json`: one JSON object a line (time, level, message, request id, fields).",
    ),
)

BY_NAME = {s.name: s for s in SETTINGS}


def defaults() -> dict[str, Any]:
    """The settings' default values."""
    return {s.name: s.default for s in SETTINGS}


def from_environment(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The settings given as NZSA_* environment variables, converted to their types."""
    environ = os.environ if environ is None else environ
    return {s.name: s.type(environ[s.env]) for s in SETTINGS if s.env in environ}
