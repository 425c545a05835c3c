"""The pages without a browser: search, escaping, negotiation, class and SPARQL pages."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef, namespace

sys.path.insert(0, str(Path(__file__).parent / "browser"))
from nzsa.app import create_app  # noqa: E402
from nzsa.pages import render_resource_page, terms  # noqa: E402
from nzsa.pages.sparqlpage import questions  # noqa: E402
from realdata import real_build  # noqa: E402
from sample import write_build  # noqa: E402

NZ = "https://w3id.org/nzsa/id/country/new-zealand"
BALI = "https://w3id.org/nzsa/id/organisation/bali-process"
ARF = "https://w3id.org/nzsa/id/organisation/asean-regional-forum"
ID = "https://w3id.org/nzsa/id/"
MARKUP = "https://w3id.org/nzsa/id/organisation/markup-test"
HTML = {"Accept": "text/html"}
VENDOR = Path(__file__).parents[1] / "server" / "nzsa" / "pages" / "static" / "vendor"


@pytest.fixture(scope="module")
def sample_app(tmp_path_factory):
    build = write_build(tmp_path_factory.mktemp("pages-build"))
    app = create_app({"BUILD_DIR": str(build), "TESTING": True, "EXECUTORS": 1})
    yield app
    app.extensions["nzsa"].store.close()


@pytest.fixture()
def web(sample_app):
    return sample_app.test_client()


@pytest.fixture(scope="module")
def real_app(tmp_path_factory):
    """The app on a build of the bundled data (shared with the browser tests)."""
    build = real_build(tmp_path_factory.getbasetemp())
    app = create_app({"BUILD_DIR": str(build), "TESTING": True, "EXECUTORS": 1})
    yield app
    app.extensions["nzsa"].store.close()


@pytest.fixture()
def real(real_app):
    return real_app.test_client()


def embedded(body: str, element_id: str):
    """Return the JSON a page embeds in `<script id=…>`."""
    found = re.search(rf'id="{element_id}">(.*?)</script>', body, re.S)
    return json.loads(found.group(1))


def search(web, q, **headers):
    return web.get("/search", query_string={"q": q, "format": "json"}, headers=headers)


@pytest.mark.parametrize(
    ("q", "iri"),
    [
        pytest.param("bali", BALI, id="prefix"),
        pytest.param("BALI PROCESS", BALI, id="any-case"),
        pytest.param("trafficking in persons", BALI, id="alternative-name"),
        pytest.param(
            "ARF", "https://w3id.org/nzsa/id/organisation/asean-regional-forum", id="acronym"
        ),
        pytest.param(
            "south pacific chiefs",
            "https://w3id.org/nzsa/id/organisation/pacific-islands-chiefs-of-police",
            id="former-name",
        ),
    ],
)
def test_search_matches_names(web, q, iri):
    response = search(web, q)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    results = response.get_json()["results"]
    assert results[0]["iri"] == iri
    assert results[0]["href"].startswith("/doc/")


def test_search_ranks_exact_names_first(web):
    labels = [r["label"] for r in search(web, "new zealand").get_json()["results"]]
    assert labels[0] == "New Zealand"


@pytest.mark.parametrize(
    ("accept", "status", "mimetype"),
    [
        pytest.param("application/json", 200, "application/json", id="json"),
        pytest.param("text/html", 200, "text/html", id="html"),
        pytest.param("*/*", 200, "text/html", id="anything"),
        pytest.param("text/turtle", 406, None, id="unacceptable"),
    ],
)
def test_search_negotiates(web, accept, status, mimetype):
    response = web.get("/search?q=bali", headers={"Accept": accept})
    assert response.status_code == status
    if mimetype:
        assert response.mimetype == mimetype
        assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    "q", ['"} } SELECT * WHERE { ?s ?p ?o', "\\", "')) #", "<script>", "\u0000x"]
)
def test_search_text_cannot_change_the_query(web, q):
    response = search(web, q)
    assert response.status_code == 200
    assert response.get_json()["results"] == [] or q == "<script>"


def test_search_page_escapes_the_question(web):
    body = web.get("/search", query_string={"q": "<script>x</script>"}, headers=HTML).text
    assert "<script>x</script>" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body


def test_markup_in_a_label_is_text(web):
    body = web.get("/page", query_string={"iri": MARKUP}, headers=HTML).text
    assert "<b>x</b>" not in body and "window.markupRan = true</script>" not in body
    assert "<h1>&lt;b&gt;x&lt;/b&gt;&lt;script&gt;" in body
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert "</" not in script.group(1)
    assert json.loads(script.group(1))["name"].startswith("<b>x</b><script>")


def test_resource_page_has_links_formats_and_evidence(web):
    response = web.get("/page", query_string={"iri": NZ}, headers=HTML)
    body = response.text
    assert response.status_code == 200
    assert f'<link rel="canonical" href="{NZ}">' in body
    for suffix in (".ttl", ".jsonld", ".rdf", ".nt"):
        assert f'href="/doc/country/new-zealand{suffix}"' in body
    assert 'href="http://www.wikidata.org/entity/Q664"' in body
    assert "We&#39;re a member of the ASEAN Regional Forum" in body
    assert '<a href="/doc/organisation/asean-regional-forum"' in body


def test_unknown_resource_is_404(web):
    assert web.get("/page?iri=https://w3id.org/nzsa/id/country/atlantis").status_code == 404


def test_resource_page_from_describe_pages_incoming_links(sample_app):
    from nzsa.describe import describe

    store = sample_app.extensions["nzsa"].store
    description = describe(store, URIRef(BALI), page=1, page_size=2)
    assert description.has_next
    with sample_app.test_request_context("/doc/organisation/bali-process"):
        body = render_resource_page(description, [], {"next": "/doc/x?page=2"})
    # The next page continues the properties when they do not fit, else the links in.
    anchor = "" if description.more_outgoing else "#h-incoming"
    assert f'rel="next" href="/doc/x?page=2{anchor}"' in body
    assert "<h1>Bali Process</h1>" in body


def test_home_page_has_network_and_timeline(web):
    body = web.get("/", headers=HTML).text
    network = embedded(body, "network-data")
    assert NZ in {n["id"] for n in network["nodes"]}
    assert {(e["to"], e["label"], e["kind"]) for e in network["edges"]} >= {
        (ARF, "member", "membership"),
        (BALI, "member", "membership"),
    }
    ramsi = next(i for i in embedded(body, "timeline-data") if i["id"].endswith("/operation/ramsi"))
    assert (ramsi["type"], ramsi["start"], ramsi["end"]) == ("range", "2003-01-01", "2017-06-01")
    assert "/class/State" in body


def test_network_is_memberships_and_partnerships_only(real):
    network = embedded(real.get("/", headers=HTML).text, "network-data")
    groups = {n["group"] for n in network["nodes"]}
    assert groups <= {"country", "organisation"}, groups
    ties = {(e["to"].removeprefix(ID), e["label"]) for e in network["edges"] if e["from"] == NZ}
    assert ties >= {
        ("organisation/bali-process", "member"),
        ("organisation/pif-working-group-on-counter-terrorism-and-transnational-crime", "convenor"),
        ("organisation/north-atlantic-treaty-organization", "partner"),
    }
    hop = {n["id"].removeprefix(ID): n["hop"] for n in network["nodes"]}
    assert hop["organisation/pacific-islands-forum"] == 2
    kinds = {e["kind"] for e in network["edges"]}
    assert kinds == {"membership", "partnership", "structure"}


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        pytest.param(
            {"startDate": "2003"}, ("since", "2003-01-01", None, "since 2003"), id="since"
        ),
        pytest.param(
            {"endDate": "2014-12"},
            ("ended", "2014-12-01", None, "ended December 2014"),
            id="end-only",
        ),
        pytest.param(
            {"startDate": "2015", "endDate": "2021"},
            ("range", "2015-01-01", "2021-01-01", "2015 – 2021"),
            id="range",
        ),
        pytest.param({"date": "2022-06"}, ("point", "2022-06-01", None, "June 2022"), id="point"),
        pytest.param({}, None, id="undated"),
    ],
)
def test_timeline_draws_only_what_the_sources_date(dates, expected):
    from nzsa.pages.timeline import _shape

    types = {
        "startDate": namespace.XSD.gYear,
        "endDate": namespace.XSD.gYear,
        "date": namespace.XSD.gYear,
    }
    literals = {
        k: Literal(v, datatype=namespace.XSD.gYearMonth if "-" in v else types[k])
        for k, v in dates.items()
    }
    shape = _shape(
        {k: terms.iso_start(v) for k, v in literals.items()},
        {k: terms.show_date(v) for k, v in literals.items()},
    )
    if expected is None:
        assert shape is None
    else:
        assert (shape["type"], shape["start"], shape["end"], shape["when"]) == expected


def test_timeline_on_the_real_data(real):
    items = {i["id"].removeprefix(ID): i for i in embedded(real.get("/").text, "timeline-data")}
    ramsi = items["operation/regional-assistance-mission-to-solomon-islands"]
    assert (ramsi["type"], ramsi["when"], ramsi["end"]) == ("since", "since 2003", None)
    isaf = items["operation/international-security-assistance-force"]
    assert (isaf["type"], isaf["start"]) == ("ended", "2014-12-01")
    assert items["meeting/nato-summit-2022-madrid"]["start"] == "2022-06-01"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        pytest.param("member of", "has member", id="of"),
        pytest.param("has part", "part of", id="has"),
        pytest.param("funder", "funder of", id="noun"),
        pytest.param("administers", "administers (inverse)", id="verb"),
        pytest.param("funded from", "funded from (inverse)", id="participle"),
        pytest.param(
            "participates in programme", "participates in programme (inverse)", id="verb-phrase"
        ),
        pytest.param("located in", "located in (inverse)", id="preposition"),
    ],
)
def test_inverse_fallback_reads_well(label, expected):
    assert terms.inverse("https://example.org/p", label) == expected


def resource(client, path: str) -> str:
    return client.get(path, headers=HTML).text


def incoming_section(body: str) -> str:
    start = body.find('id="h-incoming"')
    return body[start : body.find("</section>", start)] if start >= 0 else ""


@pytest.mark.parametrize(
    "path",
    [
        "/doc/fund/pacific-security-fund",
        "/doc/organisation/bali-process",
        "/doc/country/new-zealand",
        "/doc/agency/ministry-of-foreign-affairs-and-trade",
        "/doc/threat/people-smuggling",
    ],
)
def test_links_in_use_the_ontologys_inverse_names(real, path):
    body = resource(real, path)
    assert not re.search(r">is [^<]* of<", body), re.findall(r">is [^<]* of<", body)
    assert " of of<" not in body


def test_pacific_security_fund_lists_its_administrator_once(real):
    body = resource(real, "/doc/fund/pacific-security-fund")
    assert ">administered by</a>" in body
    assert "Ministry of Foreign Affairs and Trade" not in incoming_section(body)


def test_bali_process_members_are_not_repeated_as_links_in(real):
    body = resource(real, "/doc/organisation/bali-process")
    assert ">has member</a>" in body
    assert "Australia" not in incoming_section(body)
    assert "chaired by Australia and Indonesia" in body


def test_a_link_in_without_a_listed_inverse_uses_the_inverse_property(real):
    # MFAT publishes sources; dcterms:publisher has no inverse listed, so it is turned round.
    body = resource(real, "/doc/agency/ministry-of-foreign-affairs-and-trade")
    assert ">publisher of</a>" in incoming_section(body).lower()


def test_value_nodes_are_shown_in_place(real):
    body = resource(real, "/doc/fund/pacific-security-fund")
    assert "NZD 2,700,000 a year" in body
    assert ".well-known/genid" not in body


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param(Literal("P1Y", datatype=namespace.XSD.duration), "a year", id="year"),
        pytest.param(Literal("P2Y", datatype=namespace.XSD.duration), "every 2 years", id="years"),
        pytest.param(Literal("P1M", datatype=namespace.XSD.duration), "a month", id="month"),
        pytest.param(Literal("PT5H", datatype=namespace.XSD.duration), "per PT5H", id="other"),
    ],
)
def test_periods_read_as_words(value, shown):
    assert terms.show_period(value) == shown


def test_numbers_have_separators():
    assert terms.show_number(Literal(2700000.0)) == "2,700,000"
    assert terms.show_number(Literal("12.5", datatype=namespace.XSD.decimal)) == "12.50"


def test_class_page_lists_instances(web):
    body = web.get("/class/State", headers=HTML).text
    assert "New Zealand" in body and "Australia" in body
    assert web.get("/class/NoSuchClass").status_code == 404
    assert web.get("/class/<script>").status_code == 404


@pytest.mark.parametrize(
    ("path", "accept", "editor"),
    [
        pytest.param("/sparql", "text/html,application/xhtml+xml,*/*;q=0.8", True, id="browser"),
        pytest.param("/sparql", "*/*", False, id="client"),
        pytest.param("/sparql?query=ASK%7B%7D", "text/html", False, id="query"),
    ],
)
def test_sparql_editor_only_for_browsers_without_a_query(web, path, accept, editor):
    response = web.get(path, headers={"Accept": accept})
    assert ('id="yasgui"' in response.text) is editor
    if editor:
        assert response.status_code == 200 and response.mimetype == "text/html"


def test_sparql_editor_offers_every_competency_question():
    found = questions()
    files = sorted((Path(__file__).parent / "cq").glob("*.rq"))
    assert [q["id"] for q in found] == [f.stem for f in files]
    assert all(q["question"] and q["query"] for q in found)


@pytest.mark.parametrize("bundle", ["yasgui", "vis-network", "vis-timeline"])
def test_vendored_assets_carry_their_licences(bundle):
    folder = VENDOR / bundle
    assert (folder / "LICENSES.txt").stat().st_size > 1000
    assert list(folder.glob("*.min.js")) and list(folder.glob("*.min.css"))
    for script in folder.glob("*.js"):
        assert "sourceMappingURL" not in script.read_text(encoding="utf-8")[-300:]
