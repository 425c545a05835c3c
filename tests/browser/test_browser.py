"""The pages in a real browser: content, pictures, search, the SPARQL editor, no errors."""

from __future__ import annotations

import json
from urllib.parse import quote

from playwright.sync_api import expect

NZ = "https://w3id.org/nzsa/id/country/new-zealand"
MARKUP = "https://w3id.org/nzsa/id/organisation/markup-test"


def page_of(iri: str) -> str:
    return "/page?iri=" + quote(iri, safe="")


def test_home_page_says_what_the_dataset_is(visit):
    visit.open("/")
    page = visit.page
    expect(page.locator("h1")).to_contain_text("international security architecture")
    expect(page.locator(".counts table tbody tr").first).to_be_visible()
    for heading in ("States", "Organisations and forums", "Operations and missions"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("link", name="Bali Process").first).to_be_visible()
    visit.shot("home")


def test_network_diagram_draws_new_zealand_and_opens_a_node(visit):
    visit.open("/")
    page = visit.page
    expected = len(json.loads(page.locator("#network-data").text_content())["nodes"])
    assert expected >= 4
    expect(page.locator("#network canvas")).to_be_visible()
    expect(page.locator("#network")).to_have_attribute("data-nodes", str(expected))
    page.locator("#network").scroll_into_view_if_needed()
    visit.shot("home-network")
    # Click where vis-network drew the ASEAN Regional Forum: its page opens.
    target = "https://w3id.org/nzsa/id/organisation/asean-regional-forum"
    page.evaluate("() => window.nzsaNetwork.stopSimulation()")
    point = page.evaluate(
        """(id) => { const n = window.nzsaNetwork;
                     return n.canvasToDOM(n.getPositions([id])[id]); }""",
        target,
    )
    box = page.locator("#network canvas").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.url.endswith("/organisation/asean-regional-forum")


def test_timeline_shows_dated_items(visit):
    visit.open("/")
    page = visit.page
    items = json.loads(page.locator("#timeline-data").text_content())
    assert {"2003-01-01", "2024-07-10"} <= {item["start"] for item in items}
    expect(page.locator("#timeline .vis-item").first).to_be_visible()
    assert page.locator("#timeline .vis-item").count() >= 1
    expect(page.locator("#timeline")).to_have_attribute("data-items", str(len(items)))
    page.get_by_text("The timeline as a table").click()
    expect(page.get_by_role("row", name="Regional Assistance Mission")).to_contain_text("2003")
    page.locator("#timeline").scroll_into_view_if_needed()
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


def test_resource_page_shows_facts_with_evidence(visit):
    visit.open(page_of(NZ))
    page = visit.page
    expect(page.locator("h1")).to_have_text("New Zealand")
    assert page.locator("link[rel=canonical]").get_attribute("href") == NZ
    alternates = page.locator("link[rel=alternate]")
    types = {alternates.nth(i).get_attribute("type") for i in range(alternates.count())}
    assert {"text/turtle", "application/ld+json", "application/rdf+xml"} <= types
    assert "application/n-triples" in types
    jsonld = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert jsonld["@id"] == NZ and jsonld["name"] == "New Zealand"
    assert jsonld["@type"] == "Country"
    relations = page.locator("#h-relations + table")
    expect(relations.get_by_role("link", name="ASEAN Regional Forum").first).to_be_visible()
    expect(relations).to_contain_text("We're a member of the ASEAN Regional Forum")
    expect(page.get_by_role("link", name="Wikidata Q664 ↗")).to_be_visible()
    expect(page.get_by_text("Aotearoa")).to_be_visible()
    visit.shot("resource-new-zealand")


def test_resource_page_reads_incoming_links_the_other_way(visit):
    visit.open(page_of("https://w3id.org/nzsa/id/organisation/bali-process"))
    page = visit.page
    incoming = page.locator("#h-incoming + table")
    expect(incoming.get_by_role("rowheader", name="has member")).to_be_visible()
    expect(incoming.get_by_role("link", name="Australia")).to_be_visible()
    expect(incoming).to_contain_text("co-chair")
    visit.shot("resource-bali-process")


def test_resource_page_on_a_phone(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(site + page_of(NZ))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(_artifact("resource-new-zealand-phone")), full_page=True)
    page.goto(site + "/")
    home_overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(_artifact("home-phone")), full_page=True)
    context.close()
    assert overflow <= 0 and home_overflow <= 0


def test_label_made_of_markup_is_shown_as_text(visit):
    visit.open(page_of(MARKUP))
    page = visit.page
    expect(page.locator("h1")).to_have_text("<b>x</b><script>window.markupRan = true</script>")
    assert page.locator("h1 b, h1 script").count() == 0
    assert page.evaluate("window.markupRan") is None
    visit.shot("resource-markup-label")


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
    results = page.locator(".yasr table tbody tr")
    expect(results.first).to_be_visible()
    expect(page.locator(".yasr table")).to_contain_text("Bali Process")
    visit.shot("sparql")


def test_sparql_editor_lists_the_competency_questions(visit):
    visit.open("/sparql")
    config = json.loads(visit.page.locator("#sparql-config").text_content())
    buttons = visit.page.locator("[data-question]")
    assert buttons.count() == len(config["questions"])
    for index in (0, len(config["questions"]) - 1) if config["questions"] else ():
        question = config["questions"][index]
        buttons.nth(index).click()
        editor = visit.page.locator(".yasqe:visible .CodeMirror")
        expect(editor).to_contain_text(question["question"][:30])
        visit.page.locator(".yasqe_queryButton:visible").click()
        expect(visit.page.locator(".yasr:visible .yasr_response_chip")).to_contain_text("result")
    visit.shot("sparql-competency-question")


def _artifact(name: str):
    from conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"
