"""A new release of the code gives documents new ETags, so no client keeps an old page."""

from __future__ import annotations

import nzsa.http.documents
from nzsa.release import code_version


def test_code_version_is_stable_within_a_process():
    assert code_version() == code_version()
    assert len(code_version()) == 16


def test_etag_changes_with_the_code(make_app, monkeypatch):
    etags = []
    for release in ("release-a", "release-b"):
        monkeypatch.setattr(nzsa.http.documents, "code_version", lambda release=release: release)
        client = make_app().test_client()
        response = client.get("/doc/country/new-zealand.ttl")
        assert response.status_code == 200
        etags.append(response.headers["ETag"])
    assert etags[0] != etags[1]
