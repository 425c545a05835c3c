"""Reconciliation of retired IRIs, on the linking fixture (one renamed, one withdrawn entity).

A deprecated entity (`owl:deprecated true`) is never a candidate, from a name, its
identifier or a suggestion; a renamed one's names lead to its replacement
(`dcterms:isReplacedBy`), as its IRI redirects there.
"""

from __future__ import annotations

import pytest
import requests
from fixture_data import ID, REQUEST_TIMEOUT
from linking_data import RENAMED, REPLACEMENT, WITHDRAWN, linking_build
from test_reconcile import QUIET, reconcile_one, valid

RETIRED_IDS = {RENAMED[len(ID) :], WITHDRAWN[len(ID) :]}
REPLACEMENT_ID = REPLACEMENT[len(ID) :]


@pytest.fixture(scope="module")
def service(nzsa_server, tmp_path_factory):
    build = linking_build(tmp_path_factory.mktemp("reconcile-retired"))
    return nzsa_server(build, WORKERS=1, THREADS=4).url + "reconcile"


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("Atlantis", id="withdrawn-name"),
        pytest.param("atlantis", id="withdrawn-folded"),
        pytest.param(WITHDRAWN[len(ID) :], id="withdrawn-identifier"),
        pytest.param(WITHDRAWN, id="withdrawn-iri"),
        pytest.param("Atlantic", id="withdrawn-fuzzy"),
    ],
)
def test_a_withdrawn_entity_is_never_a_candidate(service, query):
    result = reconcile_one(service, {"query": query})
    assert not {c["id"] for c in result} & RETIRED_IDS


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("Pacific Forum", id="former-name"),
        pytest.param("pacific forum.", id="former-name-folded"),
        pytest.param(RENAMED[len(ID) :], id="former-identifier"),
        pytest.param(RENAMED, id="former-iri"),
    ],
)
def test_a_renamed_entitys_former_name_matches_its_replacement(service, query):
    result = reconcile_one(service, {"query": query})
    assert result[0]["id"] == REPLACEMENT_ID
    assert result[0]["match"] is True
    assert not {c["id"] for c in result} & RETIRED_IDS


def test_the_replacement_keeps_its_own_names_first(service):
    result = reconcile_one(service, {"query": "Pacific Islands Forum"})
    assert result[0]["id"] == REPLACEMENT_ID and result[0]["match"] is True
    assert result[0]["name"] == "Pacific Islands Forum"


def test_a_type_does_not_bring_the_withdrawn_back(service):
    result = reconcile_one(service, {"query": "Atlantis", "type": "nzsa:State"})
    assert not {c["id"] for c in result} & RETIRED_IDS


@pytest.mark.parametrize("prefix", ["Atl", "Pacific F", "pacific"])
def test_suggest_never_offers_a_retired_entity(service, prefix):
    response = requests.get(
        service + "/suggest/entity", params={"prefix": prefix}, timeout=REQUEST_TIMEOUT
    )
    ids = {r["id"] for r in valid(response.json(), "suggest-entities-response")["result"]}
    assert not ids & RETIRED_IDS


def test_suggest_leads_from_a_former_name_to_the_replacement(service):
    response = requests.get(
        service + "/suggest/entity", params={"prefix": "Pacific For"}, timeout=REQUEST_TIMEOUT
    )
    result = valid(response.json(), "suggest-entities-response")["result"]
    assert result[0]["id"] == REPLACEMENT_ID


def test_no_preview_of_a_withdrawn_entity(service):
    response = requests.get(
        service + "/preview", params={"id": WITHDRAWN[len(ID) :]}, timeout=REQUEST_TIMEOUT
    )
    assert response.status_code == 404


@QUIET
def test_reconciler_takes_a_column_with_a_former_name_to_the_replacement(service):
    import pandas as pd
    from reconciler import reconcile

    table = reconcile(pd.Series(["Pacific Forum", "New Zealand"]), reconciliation_endpoint=service)
    best = dict(
        zip(table["input_value"], zip(table["id"], table["match"], strict=True), strict=True)
    )
    assert best == {
        "Pacific Forum": (REPLACEMENT_ID, True),
        "New Zealand": ("country/new-zealand", True),
    }
