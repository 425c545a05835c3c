"""/healthz (the process is alive) and /readyz (it can serve, and what), for probes.

Both answer JSON that no cache may keep. The gateway gives them a lane and threads of
their own (ops/admission.py), so a probe never waits behind queries or page renders and
a busy server is not taken for a dead one.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify

from ..store.base import QueryTimeout, StoreError, StoreUnavailable
from .sources import SOURCES, SourcesState, read_state, unchecked

bp = Blueprint("health", __name__)
# One cheap question that any store holding any data answers at once.
PROBE = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


def _no_store(response: Response, status: int) -> Response:
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """Liveness: 200 whenever the process runs, whatever its store or data."""
    return _no_store(jsonify(alive=True), 200)


@bp.get("/readyz")
def readyz():
    """Readiness: 503 unless the store answers; the data version; whether the sources fail.

    When the sources currently fail validation, it says why; the last valid build is
    served meanwhile, so the server stays ready.
    """
    publisher = current_app.extensions["nzsa"]
    # What the main process last found, written beside the build (ops/reload.py): every
    # worker says the same from the moment a reload has checked the sources.
    sources: SourcesState = (
        read_state(publisher.build_dir) or current_app.extensions.get(SOURCES) or unchecked()
    )
    store = {"answering": True, "version": None, "error": None}
    try:
        publisher.store.select(PROBE)
        store["version"] = publisher.store.version()
    except (StoreUnavailable, QueryTimeout) as error:
        # The details (a remote store's address among them) go to the log, not the answer.
        current_app.logger.warning("readyz: store not answering: %s", error)
        store.update(answering=False, error="the data store is not answering")
    except StoreError as error:
        current_app.logger.warning("readyz: store failed: %s", error)
        store.update(answering=False, error="the data store failed to answer")
    body = {"ready": store["answering"], "store": store, "sources": sources.as_json()}
    return _no_store(jsonify(body), 200 if store["answering"] else 503)


def register(app: Flask, sources: SourcesState | None = None) -> None:
    """Add the probes; `sources` is what the last check of the sources found."""
    app.extensions[SOURCES] = sources or unchecked()
    app.register_blueprint(bp)
