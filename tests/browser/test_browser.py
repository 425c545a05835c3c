"""The pages in a real browser, on the bundled data: content, pictures, search, SPARQL.

Every tab records console errors, failed requests and page errors, and each test fails
on any (see conftest.Visit). Screenshots go to test-artifacts/browser/.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from playwright.sync_api import expect

ID = "https://w3id.org/nzsa/id/"
NZ = ID + "country/new-zealand"
BALI = ID + "organisation/bali-process"
ARF = ID + "organisation/asean-regional-forum"
PSF = ID + "fund/pacific-security-fund"
MARKUP = ID + "organisation/markup-test"


def page_of(iri: str) -> str:
    return "/page?iri=" + quote(iri, safe="")


def doc(iri: str) -> str:
    return "/doc/" + iri.removeprefix(ID)


def test_home_page_says_what_the_dataset_is(visit):
    visit.open("/")
    page = visit.page
    expect(page.locator("h1")).to_contain_text("international security architecture")
    expect(page.locator(".counts table tbody tr").first).to_be_visible()
    for heading in ("States", "Organisations and forums", "Operations and missions"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator(".entry-points").get_by_role("link", name="Bali Process")).to_be_visible()
    visit.shot("home")


def network_data(page) -> dict:
    return json.loads(page.locator("#network-data").text_content())


def test_network_draws_only_memberships_and_partnerships(visit):
    visit.open("/")
    page = visit.page
    graph = network_data(page)
    ids = {n["id"] for n in graph["nodes"]}
    assert {NZ, ARF, BALI, ID + "organisation/north-atlantic-treaty-organization"} <= ids
    # No focus areas, places, threats or threat levels: bodies and states only.
    assert {n["group"] for n in graph["nodes"]} <= {"country", "organisation"}
    assert len(graph["nodes"]) <= 20
    roles = {(e["to"].removeprefix(ID), e["label"]) for e in graph["edges"] if e["from"] == NZ}
    assert ("organisation/bali-process", "member") in roles
    assert ("organisation/north-atlantic-treaty-organization", "partner") in roles
    assert any(label == "convenor" for _, label in roles)
    # One hop further: the forum a committee belongs to.
    assert {
        "from": ID + "organisation/forum-regional-security-committee",
        "to": ID + "organisation/pacific-islands-forum",
        "label": "part of",
        "kind": "structure",
    } in graph["edges"]
    host = page.locator("#network")
    expect(host.locator("canvas")).to_be_visible()
    expect(host).to_have_attribute("data-nodes", str(len(graph["nodes"])))
    expect(host).to_have_attribute("data-edges", str(len(graph["edges"])))
    expect(page.locator(".legend")).to_contain_text("partner")
    page.wait_for_function(
        "() => window.nzsaNetwork && !window.nzsaNetwork.physics.options.enabled"
    )
    # Labels are drawn at a readable size at the default zoom: 16 px fonts at a scale
    # of at least 0.75, so no name is smaller than 12 px on the screen.
    assert page.evaluate("() => window.nzsaNetwork.getScale()") >= 0.75
    host.scroll_into_view_if_needed()
    visit.shot("home-network")


def test_network_lists_its_ties_with_their_roles(visit):
    visit.open("/")
    page = visit.page
    page.get_by_text("The diagram as a list").click()
    tie = page.locator(".ties li").filter(has_text="Bali Process")
    expect(tie).to_contain_text("New Zealand member Bali Process")
    expect(page.locator(".ties li").filter(has_text="convenor")).to_contain_text(
        "Pacific Islands Forum Working Group"
    )


def test_network_node_opens_its_page(visit):
    visit.open("/")
    page = visit.page
    page.wait_for_function(
        "() => window.nzsaNetwork && !window.nzsaNetwork.physics.options.enabled"
    )
    page.locator("#network").scroll_into_view_if_needed()
    point = page.evaluate(
        """(id) => { const n = window.nzsaNetwork;
                     return n.canvasToDOM(n.getPositions([id])[id]); }""",
        ARF,
    )
    box = page.locator("#network canvas").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.url.endswith("/organisation/asean-regional-forum")


def timeline_data(page) -> dict:
    return {i["id"]: i for i in json.loads(page.locator("#timeline-data").text_content())}


def test_timeline_shows_dated_items_without_inventing_ends(visit):
    visit.open("/")
    page = visit.page
    items = timeline_data(page)
    madrid = items[ID + "meeting/nato-summit-2022-madrid"]
    assert (madrid["type"], madrid["start"], madrid["when"]) == ("point", "2022-06-01", "June 2022")
    ramsi = items[ID + "operation/regional-assistance-mission-to-solomon-islands"]
    assert (ramsi["type"], ramsi["start"], ramsi["end"]) == ("since", "2003-01-01", None)
    isaf = items[ID + "operation/international-security-assistance-force"]
    assert (isaf["type"], isaf["start"], isaf["when"]) == (
        "ended",
        "2014-12-01",
        "ended December 2014",
    )
    rsm = items[ID + "operation/resolute-support-mission"]
    assert (rsm["type"], rsm["start"], rsm["end"]) == ("range", "2015-01-01", "2021-01-01")

    host = page.locator("#timeline")
    expect(host).to_have_attribute("data-items", str(len(items)))
    expect(host.locator(".vis-item").first).to_be_visible()
    # Only what has both ends is drawn as a bar; "since 2003" is a point with an open end.
    assert host.locator(".vis-item.vis-range").count() == sum(
        1 for i in items.values() if i["type"] == "range"
    )
    since = host.locator(".vis-item.tl-since").filter(has_text="Regional Assistance Mission")
    expect(since).to_contain_text("since 2003")
    expect(since.locator(".tl-open")).to_be_visible()
    assert "vis-point" in since.get_attribute("class")
    expect(host.locator(".vis-item.vis-point.tl-ended")).to_contain_text("ended December 2014")
    expect(host.locator(".vis-item").filter(has_text="2022 NATO Summit in Madrid")).to_be_visible()

    page.get_by_text("The timeline as a table").click()
    expect(page.get_by_role("row", name="Regional Assistance Mission")).to_contain_text(
        "since 2003"
    )
    host.scroll_into_view_if_needed()
    visit.shot("home-timeline")


def test_search_autocomplete_finds_bali_process(visit):
    visit.open("/")
    page = visit.page
    box = page.locator("#search-home")
    box.click()
    box.press_sequentially("bali", delay=40)
    option = page.locator("#search-home-list [role=option]").first
    expect(option).to_contain_text("Bali Process")
    expect(box).to_have_attribute("aria-expanded", "true")
    visit.shot("search-autocomplete")
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "search-home-list-0")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith("/organisation/bali-process")


def test_search_autocomplete_closes_on_escape_and_matches_former_names(visit):
    visit.open("/")
    page = visit.page
    box = page.locator("#search-top")
    box.click()
    box.press_sequentially("south pacific chiefs", delay=30)
    expect(page.locator("#search-top-list [role=option]").first).to_contain_text(
        "Pacific Islands Chiefs of Police"
    )
    box.press("Escape")
    expect(page.locator("#search-top-list")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")


def test_search_results_page(visit):
    visit.open("/search?q=process")
    expect(visit.page.get_by_role("link", name="Bali Process")).to_be_visible()
    visit.shot("search-results")


def test_keyboard_reaches_the_content_and_the_search(visit):
    visit.open("/")
    page = visit.page
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # From the content, Tab goes to the home search box, then on to its button.
    page.keyboard.press("Tab")
    expect(page.locator("#search-home")).to_be_focused()
    page.keyboard.type("bali")
    expect(page.locator("#search-home-list [role=option]").first).to_contain_text("Bali Process")
    # The network's list version is reached and opened from the keyboard.
    summary = page.get_by_text("The diagram as a list")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".ties li").first).to_be_visible()


def test_resource_page_shows_facts_with_evidence(visit):
    visit.open(doc(NZ))
    page = visit.page
    expect(page.locator("h1")).to_have_text("New Zealand")
    assert page.locator("link[rel=canonical]").get_attribute("href") == NZ
    alternates = page.locator("link[rel=alternate]")
    types = {alternates.nth(i).get_attribute("type") for i in range(alternates.count())}
    assert {"text/turtle", "application/ld+json", "application/rdf+xml"} <= types
    jsonld = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert jsonld["@id"] == NZ and jsonld["name"] == "New Zealand"
    relations = page.locator("#h-relations + table")
    expect(relations.get_by_role("link", name="ASEAN Regional Forum").first).to_be_visible()
    expect(relations).to_contain_text("We're a member of the ASEAN Regional Forum")
    expect(page.get_by_role("link", name="Wikidata Q664 ↗")).to_be_visible()
    visit.shot("resource-new-zealand")


def test_bali_process_shows_its_chairs_with_their_evidence(visit):
    visit.open(doc(BALI))
    page = visit.page
    relations = page.locator("#h-relations + table")
    members = relations.locator("tr").filter(has=page.get_by_role("rowheader", name="has member"))
    for chair in ("Australia", "Indonesia"):
        item = members.locator(".values > li").filter(
            has=page.get_by_role("link", name=chair, exact=True)
        )
        expect(item.locator(".qualifiers dt")).to_have_text("role")
        expect(item.locator(".qualifiers dd")).to_have_text("chair")
        expect(item.locator("blockquote")).to_contain_text(
            "a regional multilateral forum chaired by Australia and Indonesia"
        )
    # The members are not listed a second time, read the other way, under "Linked from".
    incoming = page.locator("#h-incoming + table")
    if incoming.count():
        expect(incoming.get_by_role("link", name="Australia")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("addressed by of")
    visit.shot("resource-bali-process")


def test_pacific_security_fund_shows_its_budget_in_place(visit):
    visit.open(doc(PSF))
    page = visit.page
    expect(page.locator(".value-node")).to_contain_text("NZD 2,700,000 a year")
    assert page.locator("a[href*='.well-known/genid']").count() == 0
    relations = page.locator("#h-relations + table")
    expect(relations.get_by_role("rowheader", name="administered by")).to_be_visible()
    # MFAT is shown once, under "administered by", not again as "is administers of".
    expect(page.locator("body")).not_to_contain_text("is administers of")
    expect(page.locator("body")).not_to_contain_text("is funded from of")
    mfat = page.get_by_role("link", name="Ministry of Foreign Affairs and Trade")
    expect(relations.locator("tr").first.locator(".values > li > a")).to_have_text(
        mfat.first.inner_text()
    )
    expect(
        page.locator("#h-incoming ~ table").get_by_role(
            "link", name="Ministry of Foreign Affairs and Trade"
        )
    ).to_have_count(0)
    visit.shot("resource-pacific-security-fund")


def test_pages_fit_a_phone(phone):
    for path, name in (("/", "home"), (doc(NZ), "new-zealand"), (doc(PSF), "psf"),
                       (doc(BALI), "bali-process"), ("/class/State", "class-state")):  # fmt: skip
        phone.open(path)
        overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
        phone.shot(f"phone-{name}")


def test_phone_network_reads_left_to_right_at_full_size(phone):
    phone.open("/")
    page = phone.page
    expect(page.locator("#network canvas")).to_be_visible()
    assert page.evaluate("() => window.nzsaNetwork.getScale()") >= 0.9
    # The timeline's axis would be too narrow: the dated table stands in for it.
    expect(page.locator("#timeline")).to_be_hidden()
    expect(page.get_by_role("row", name="2022 NATO Summit in Madrid")).to_be_visible()
    page.locator("#network").scroll_into_view_if_needed()
    phone.shot("phone-home-network")


def test_label_made_of_markup_is_shown_as_text(sample_visit):
    sample_visit.open(page_of(MARKUP))
    page = sample_visit.page
    expect(page.locator("h1")).to_have_text("<b>x</b><script>window.markupRan = true</script>")
    assert page.locator("h1 b, h1 script").count() == 0
    assert page.evaluate("window.markupRan") is None
    sample_visit.shot("resource-markup-label")


def test_class_page_lists_instances(visit):
    visit.open("/class/State")
    page = visit.page
    expect(page.locator("h1")).to_have_text("State")
    for name in ("New Zealand", "Australia", "Indonesia"):
        expect(page.locator(".instances").get_by_role("link", name=name)).to_be_visible()
    visit.shot("class-state")


def test_ontology_page(visit):
    visit.open("/ontology")
    expect(visit.page.locator("h1").first).to_be_visible()
    expect(visit.page.get_by_text("Membership").first).to_be_attached()
    visit.shot("ontology")


def test_sparql_editor_runs_a_competency_question(visit):
    visit.open("/sparql")
    page = visit.page
    config = json.loads(page.locator("#sparql-config").text_content())
    assert config["questions"]
    buttons = page.locator("[data-question]")
    assert buttons.count() == len(config["questions"])
    for index in (0, len(config["questions"]) - 1):
        question = config["questions"][index]
        buttons.nth(index).click()
        expect(page.locator(".yasqe:visible .CodeMirror")).to_contain_text(
            question["question"][:30]
        )
        page.locator(".yasqe_queryButton:visible").click()
        expect(page.locator(".yasr:visible .yasr_response_chip")).to_contain_text("result")
        expect(page.locator(".yasr:visible table tbody tr").first).to_be_visible()
    visit.shot("sparql-competency-question")


def test_sparql_editor_runs_a_query(visit):
    visit.open("/sparql")
    page = visit.page
    expect(page.locator(".yasqe:visible .CodeMirror")).to_be_visible()
    page.evaluate(
        """() => { window.nzsaYasgui.getTab().setQuery(
             'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\\n' +
             'SELECT ?s ?label WHERE { ?s skos:prefLabel ?label } ORDER BY ?label'); }"""
    )
    page.locator(".yasqe_queryButton:visible").click()
    expect(page.locator(".yasr table tbody tr").first).to_be_visible()
    expect(page.locator(".yasr table")).to_contain_text("Bali Process")
    visit.shot("sparql")
