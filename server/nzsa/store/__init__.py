"""Where the triples live: one interface, an embedded and a remote back end."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def open_store(settings: Mapping[str, Any]):
    """Open the back end the settings name (STORE, BUILD_DIR, REMOTE_ENDPOINT ...)."""
    # Imported here so that query executor processes, which import this package, stay light.
    if settings["STORE"] == "oxigraph":
        from .oxigraph import OxigraphStore

        return OxigraphStore(
            Path(settings["BUILD_DIR"]),
            settings["EXECUTORS"],
            settings["RANK_FROM"],
            niceness=settings["EXECUTOR_NICENESS"],
        )
    if settings["STORE"] == "remote":
        from .remote import RemoteStore

        return RemoteStore(
            settings["REMOTE_ENDPOINT"],
            settings["QUERY_TIMEOUT"],
            Path(settings["BUILD_DIR"]),
            engine=settings["REMOTE_ENGINE"],
            version_interval=settings["REMOTE_VERSION_INTERVAL"],
        )
    raise ValueError(f"unknown store {settings['STORE']!r}: choose `oxigraph` or `remote`")
