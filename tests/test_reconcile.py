"""The reconciliation service: every answer checked against the API's own JSON schemas.

Most tests speak HTTP to a real `nzsa serve` on the bundled data; the last ones drive it
with the `reconciler` package, as a user reconciling a spreadsheet column would.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
import requests
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

sys.path.insert(0, str(Path(__file__).parent / "browser"))
from fixture_data import REQUEST_TIMEOUT  # noqa: E402
from nzsa.app import create_app  # noqa: E402
from realdata import real_build  # noqa: E402
from sample import write_build  # noqa: E402

SCHEMAS = Path(__file__).parent / "fixtures" / "reconciliation-api"
NZ = "country/new-zealand"
NZDF = "agency/new-zealand-defence-force"
ADMM_PLUS = "organisation/asean-defence-ministers-meeting-plus"
MFAT = "agency/ministry-of-foreign-affairs-and-trade"
PIDC = "organisation/pacific-immigration-development-community"
ARF = "organisation/asean-regional-forum"
AUSTRALIA = "country/australia"


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        if "$id" in schema:
            resources.append((schema["$id"], Resource.from_contents(schema, DRAFT202012)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def valid(payload, schema_name: str):
    """Assert `payload` follows the named schema of the API; return it."""
    schema = json.loads((SCHEMAS / f"{schema_name}.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, registry=REGISTRY)
    errors = sorted(validator.iter_errors(payload), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])
    return payload


@pytest.fixture(scope="module")
def service(nzsa_server, tmp_path_factory):
    """A real `nzsa serve` on the bundled data; the URL of its reconciliation service."""
    build = real_build(tmp_path_factory.getbasetemp())
    running = nzsa_server(build, WORKERS=1, THREADS=4, RECONCILE_BATCH_SIZE=20)
    return running.url + "reconcile"


def call(service: str, method: str = "POST", path: str = "", **params) -> requests.Response:
    """Send form-encoded parameters (JSON values encoded) to the service."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    if method == "GET":
        return requests.get(service + path, params=form, timeout=REQUEST_TIMEOUT)
    return requests.post(service + path, data=form, timeout=REQUEST_TIMEOUT)


def reconcile_one(service: str, query: dict, method: str = "POST") -> list[dict]:
    response = call(service, method, queries={"q0": query})
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return valid(response.json(), "reconciliation-result-batch")["q0"]["result"]


def test_manifest_validates_and_offers_every_service(service):
    response = requests.get(service, timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    manifest = valid(response.json(), "manifest")
    assert "0.2" in manifest["versions"]
    assert manifest["identifierSpace"] == "https://w3id.org/nzsa/id/"
    assert manifest["schemaSpace"] == "https://w3id.org/nzsa/ontology#"
    assert manifest["batchSize"] == 20
    types = {t["id"] for t in manifest["defaultTypes"]}
    assert {"nzsa:Polity", "nzsa:InternationalOrganisation", "nzsa:GovernmentAgency"} <= types
    assert "nzsa:State" not in types  # found through nzsa:Polity
    for kind in ("entity", "type", "property"):
        spec = manifest["suggest"][kind]
        found = requests.get(
            spec["service_url"] + spec["service_path"],
            params={"prefix": "a"},
            timeout=REQUEST_TIMEOUT,
        )
        assert found.status_code == 200
    view = manifest["view"]["url"].replace("{{id}}", NZ)
    assert requests.get(view, allow_redirects=False, timeout=REQUEST_TIMEOUT).status_code == 303
    preview = manifest["preview"]["url"].replace("{{id}}", requests.utils.quote(NZ, safe=""))
    assert requests.get(preview, timeout=REQUEST_TIMEOUT).status_code == 200
    proposals = manifest["extend"]["propose_properties"]
    url = proposals["service_url"] + proposals["service_path"]
    assert requests.get(url, timeout=REQUEST_TIMEOUT).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("New Zealand", NZ, id="preferred-name"),
        pytest.param("NZDF", NZDF, id="acronym-alternative"),
        pytest.param("Defence Force", NZDF, id="alternative-name"),
        pytest.param("ADMM-Plus", ADMM_PLUS, id="acronym-hyphen"),
        pytest.param("ADMM Plus", ADMM_PLUS, id="acronym-space"),
        pytest.param("admmplus", ADMM_PLUS, id="acronym-squashed"),
        pytest.param("Manatū Aorere", MFAT, id="diacritics"),
        pytest.param("MANATU AORERE", MFAT, id="diacritics-folded-upper"),
        pytest.param("ministry of foreign affairs & trade", MFAT, id="case-ampersand"),
        pytest.param("Pacific Immigration Directors Conference", PIDC, id="former-name"),
        pytest.param("  asean regional forum. ", ARF, id="punctuation-space"),
        pytest.param(NZ, NZ, id="identifier"),
        pytest.param("https://w3id.org/nzsa/id/country/new-zealand", NZ, id="iri"),
        pytest.param("Q664", NZ, id="wikidata-id"),
    ],
)
def test_names_match_the_one_entity_they_name(service, query, expected):
    result = reconcile_one(service, {"query": query})
    assert result[0]["id"] == expected
    assert result[0]["match"] is True
    assert all(not c["match"] for c in result[1:])
    assert [c["score"] for c in result] == sorted((c["score"] for c in result), reverse=True)


def test_a_misspelt_name_is_a_candidate_but_not_a_match(service):
    result = reconcile_one(service, {"query": "Austrlia"})
    assert result[0]["id"] == AUSTRALIA
    assert result[0]["match"] is False


def test_an_unknown_name_has_no_candidates(service):
    assert reconcile_one(service, {"query": "Zzyzx Qwertyuiop"}) == []


def test_type_restricts_the_candidates_through_the_class_hierarchy(service):
    agencies = reconcile_one(service, {"query": "New Zealand", "type": "nzsa:GovernmentAgency"})
    assert agencies and NZ not in [c["id"] for c in agencies]
    assert all(c["id"].startswith("agency/") for c in agencies)
    polities = reconcile_one(service, {"query": "New Zealand", "type": ["nzsa:Polity"]})
    assert polities[0]["id"] == NZ and polities[0]["match"] is True
    assert {"id": "nzsa:State", "name": "state"} in polities[0]["type"]


def test_limit_caps_the_candidates(service):
    assert len(reconcile_one(service, {"query": "New Zealand", "limit": 2})) == 2


def test_properties_confirm_or_spoil_a_match(service):
    right = reconcile_one(
        service, {"query": "New Zealand", "properties": [{"pid": "wikidata", "v": "Q664"}]}
    )
    assert right[0]["id"] == NZ and right[0]["match"] is True
    assert {"id": "properties_agreeing", "value": 1.0} in right[0]["features"]
    wrong = reconcile_one(
        service, {"query": "New Zealand", "properties": [{"pid": "wikidata", "v": "Q1"}]}
    )
    assert wrong[0]["id"] == NZ and wrong[0]["match"] is False
    member = reconcile_one(
        service, {"query": "Japan", "properties": [{"pid": "org:memberOf", "v": [{"id": ARF}]}]}
    )
    assert member[0]["id"] == "country/japan" and member[0]["match"] is True
    by_name = reconcile_one(
        service,
        {"query": "Japan", "properties": [{"pid": "org:memberOf", "v": "ASEAN Regional Forum"}]},
    )
    assert by_name[0]["match"] is True
    not_member = reconcile_one(
        service, {"query": "Japan", "properties": [{"pid": "org:memberOf", "v": "Bali Process"}]}
    )
    assert not_member[0]["id"] == "country/japan" and not_member[0]["match"] is False


def test_properties_alone_find_the_entity(service):
    result = reconcile_one(service, {"properties": [{"pid": "wikidata", "v": "Q664"}]})
    assert result[0]["id"] == NZ


def test_get_answers_as_post_does(service):
    query = {"query": "NZDF"}
    assert reconcile_one(service, query, "GET") == reconcile_one(service, query, "POST")


def test_batches_answer_each_query_by_its_key(service):
    batch = {"a": {"query": "NZDF"}, "b": {"query": "ADMM-Plus"}, "c": {"query": "Q664"}}
    answer = valid(call(service, queries=batch).json(), "reconciliation-result-batch")
    assert {k: v["result"][0]["id"] for k, v in answer.items()} == {
        "a": NZDF,
        "b": ADMM_PLUS,
        "c": NZ,
    }


def test_jsonp_wraps_the_answer_for_a_callback(service):
    response = requests.get(service, params={"callback": "jQuery123_456"}, timeout=10)
    assert response.headers["Content-Type"].startswith("application/javascript")
    assert response.text.startswith("/**/jQuery123_456(") and response.text.endswith(");")
    valid(json.loads(response.text[len("/**/jQuery123_456(") : -2]), "manifest")
    bad = requests.get(service, params={"callback": "alert(1)//"}, timeout=10)
    assert bad.status_code == 400 and "alert" not in bad.text


def test_cross_origin_preflight_allows_post(service):
    response = requests.options(
        service,
        headers={"Origin": "http://localhost:3333", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        pytest.param({"queries": "{not json"}, 400, "not valid JSON", id="bad-json"),
        pytest.param({"queries": "[1, 2]"}, 400, "JSON object", id="not-an-object"),
        pytest.param({"queries": {"q": {"limit": 3}}}, 400, "needs `query`", id="no-query"),
        pytest.param({"queries": {"q": {"query": "x", "limit": 0}}}, 400, "limit", id="limit"),
        pytest.param({"queries": {"q": {"query": "x", "typo": 1}}}, 400, "typo", id="field"),
        pytest.param(
            {"queries": {"q": {"query": "x", "properties": [{"pid": "nzsa:nope", "v": "x"}]}}},
            400,
            "unknown property",
            id="property",
        ),
        pytest.param(
            {"queries": {str(i): {"query": "x"} for i in range(21)}},
            413,
            "at most 20",
            id="batch-too-large",
        ),
        pytest.param({"extend": "{}"}, 400, "ids", id="extend-empty"),
        pytest.param(
            {"extend": {"ids": [NZ], "properties": [{"id": "nope"}]}},
            400,
            "unknown property",
            id="extend-property",
        ),
    ],
)
def test_bad_requests_are_refused_with_a_reason(service, params, status, says):
    response = call(service, **params)
    assert response.status_code == status
    assert response.json()["status"] == "error"
    assert says in response.json()["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_suggest_entities_by_prefix(service):
    for prefix, expected in (("nzd", NZDF), ("Manat", MFAT), ("admm-p", ADMM_PLUS), (NZ, NZ)):
        response = requests.get(service + "/suggest/entity", params={"prefix": prefix}, timeout=10)
        result = valid(response.json(), "suggest-entities-response")["result"]
        assert expected in [r["id"] for r in result[:3]], prefix
    typed = requests.get(
        service + "/suggest/entity", params={"prefix": "new z", "type": "nzsa:Polity"}, timeout=10
    ).json()
    assert [r["id"] for r in typed["result"]] == [NZ]


def test_suggest_types_and_properties(service):
    types = requests.get(service + "/suggest/type", params={"prefix": "pol"}, timeout=10).json()
    result = valid(types, "suggest-types-response")["result"]
    polity = next(t for t in result if t["id"] == "nzsa:Polity")
    assert polity["name"] == "polity"
    states = requests.get(service + "/suggest/type", params={"prefix": "state"}, timeout=10)
    state = next(t for t in states.json()["result"] if t["id"] == "nzsa:State")
    assert state["broader"] == [{"id": "nzsa:Polity", "name": "polity"}]
    props = requests.get(service + "/suggest/property", params={"prefix": "member"}, timeout=10)
    ids = [p["id"] for p in valid(props.json(), "suggest-properties-response")["result"]]
    assert "org:memberOf" in ids and "org:hasMember" in ids
    wikidata = requests.get(service + "/suggest/property", params={"prefix": "wiki"}, timeout=10)
    assert wikidata.json()["result"][0]["id"] == "wikidata"


def test_preview_is_a_small_framable_page(service):
    response = requests.get(service + "/preview", params={"id": NZDF}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "script-src" not in policy
    assert "default-src 'none'" in policy
    assert "New Zealand Defence Force" in response.text and "NZDF" in response.text
    missing = requests.get(service + "/preview", params={"id": "country/atlantis"}, timeout=10)
    assert missing.status_code == 404


def test_preview_escapes_names(tmp_path):
    app = create_app(
        {"BUILD_DIR": str(write_build(tmp_path / "b")), "TESTING": True, "EXECUTORS": 1}
    )
    try:
        body = app.test_client().get("/reconcile/preview?id=organisation/markup-test").text
    finally:
        app.extensions["nzsa"].store.close()
    assert "<script>window" not in body and "<b>x</b>" not in body
    assert "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;" in body


def test_properties_proposed_for_a_type(service):
    response = requests.get(service + "/properties", params={"type": "nzsa:Forum"}, timeout=10)
    proposal = valid(response.json(), "data-extension-property-proposal")
    ids = [p["id"] for p in proposal["properties"]]
    assert "org:hasMember" in ids
    assert "nzsa:evidence" not in ids and "org:hasMembership" not in ids  # plumbing, facts
    assert proposal["type"] == "nzsa:Forum"
    two = requests.get(
        service + "/properties", params={"type": "nzsa:Polity", "limit": 2}, timeout=10
    ).json()
    assert len(two["properties"]) == 2 and two["properties"][0]["id"] == "wikidata"
    unknown = requests.get(service + "/properties", params={"type": "nzsa:Nope"}, timeout=10)
    assert unknown.status_code == 400


def test_data_extension_fills_rows_with_typed_values(service):
    query = {
        "ids": [NZ, ARF, "source/nato-relations-with-new-zealand", "country/atlantis"],
        "properties": [
            {"id": "wikidata"},
            {"id": "org:hasMember", "settings": {"limit": 3}},
            {"id": "dcterms:modified"},
            {"id": "org:memberOf"},
        ],
    }
    valid(query, "data-extension-query")
    answer = valid(call(service, extend=query).json(), "data-extension-response")
    assert [m["id"] for m in answer["meta"]] == [p["id"] for p in query["properties"]]
    rows = answer["rows"]
    assert rows[NZ]["wikidata"] == [{"str": "Q664"}]
    assert {"id": ARF, "name": "ASEAN Regional Forum"} in rows[NZ]["org:memberOf"]
    members = rows[ARF]["org:hasMember"]
    assert len(members) == 3  # the limit setting
    assert all(set(v) == {"id", "name"} for v in members)
    assert rows["source/nato-relations-with-new-zealand"]["dcterms:modified"][0]["date"].endswith(
        "T00:00:00Z"
    )
    assert rows["country/atlantis"] == {p["id"]: [] for p in query["properties"]}


def test_partial_dates_stay_as_written(tmp_path):
    app = create_app(
        {"BUILD_DIR": str(write_build(tmp_path / "b")), "TESTING": True, "EXECUTORS": 1}
    )
    try:
        query = {
            "ids": ["operation/ramsi", "operation/isaf"],
            "properties": [{"id": "nzsa:startDate"}, {"id": "nzsa:endDate"}],
        }
        answer = app.test_client().post("/reconcile", data={"extend": json.dumps(query)}).json
    finally:
        app.extensions["nzsa"].store.close()
    valid(answer, "data-extension-response")
    assert answer["rows"]["operation/ramsi"]["nzsa:startDate"] == [{"str": "2003"}]
    assert answer["rows"]["operation/ramsi"]["nzsa:endDate"] == [{"str": "2017-06"}]
    assert answer["rows"]["operation/isaf"]["nzsa:startDate"] == [{"date": "2001-12-20T00:00:00Z"}]


def test_serving_pages_does_not_build_the_index(tmp_path):
    app = create_app(
        {"BUILD_DIR": str(write_build(tmp_path / "b")), "TESTING": True, "EXECUTORS": 1}
    )
    try:
        client = app.test_client()
        holder = app.extensions["nzsa.reconcile"]
        turtle, html = {"Accept": "text/turtle"}, {"Accept": "text/html"}
        assert client.get("/doc/operation/ramsi", headers=turtle).status_code == 200
        assert client.get("/search?q=ramsi", headers=html).status_code == 200
        assert holder._index is None
        client.get("/reconcile")
        assert holder._index is not None
    finally:
        app.extensions["nzsa"].store.close()


# reconciler 0.2.2 calls DataFrame.drop(inplace=True), which pandas 3.1 deprecates.
QUIET = pytest.mark.filterwarnings("ignore:The inplace keyword")


@QUIET
def test_reconciler_matches_a_column_of_names(service):
    from reconciler import reconcile

    names = pd.Series(
        [
            "NZDF",
            "Manatū Aorere",
            "ADMM-Plus",
            "New Zealand",
            "MFAT",
            "Pacific Immigration Directors Conference",
            "Australia",
        ]
    )
    table = reconcile(names, reconciliation_endpoint=service)
    found = zip(table["id"], table["match"], strict=True)
    best = dict(zip(table["input_value"], found, strict=True))
    assert best == {
        "NZDF": (NZDF, True),
        "Manatū Aorere": (MFAT, True),
        "ADMM-Plus": (ADMM_PLUS, True),
        "New Zealand": (NZ, True),
        "MFAT": (MFAT, True),
        "Pacific Immigration Directors Conference": (PIDC, True),
        "Australia": (AUSTRALIA, True),
    }
    assert set(table["type_id"]) >= {"nzsa:GovernmentAgency", "nzsa:State"}


@QUIET
def test_reconciler_with_a_type_and_a_property_column(service):
    from reconciler import reconcile

    frame = pd.DataFrame({"name": ["New Zealand", "Australia"], "wikidata": ["Q664", "Q408"]})
    table = reconcile(
        frame["name"],
        type_id="nzsa:Polity",
        property_mapping={"wikidata": frame["wikidata"]},
        reconciliation_endpoint=service,
    )
    best = dict(zip(table["input_value"], table["id"], strict=True))
    assert best == {"New Zealand": NZ, "Australia": AUSTRALIA}
    assert table["match"].all()


def test_the_index_is_kept_in_the_build_folder_for_other_workers(tmp_path, monkeypatch):
    build = write_build(tmp_path / "b")
    batch = {"queries": json.dumps({"a": {"query": "RAMSI"}, "b": {"query": "isaf"}})}
    answers = []
    for _ in range(2):
        app = create_app({"BUILD_DIR": str(build), "TESTING": True, "EXECUTORS": 1})
        try:
            answers.append(app.test_client().post("/reconcile", data=batch).json)
        finally:
            app.extensions["nzsa"].store.close()
        assert len(list((build / "reconcile").glob("*.json"))) == 1

        def refuse(*args):
            raise AssertionError("the kept index should have been read")

        # The second app (another worker, a restart) must read the file, not the store.
        monkeypatch.setattr("nzsa.linking.reconcile.index.build_index", refuse)
    assert answers[0] == answers[1]
    assert answers[0]["a"]["result"][0]["id"] == "operation/ramsi"
