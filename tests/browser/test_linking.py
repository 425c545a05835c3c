"""What a linker opens in a real browser: the linking page and the discovery documents."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


def test_linking_page_explains_iris_harvesting_and_wikidata(visit):
    visit.open("/")
    visit.page.get_by_role("link", name="Link to us").first.click()
    page = visit.page
    expect(page.locator("h1")).to_have_text("Linking to this data")
    for heading in ("Permanent IRIs", "Harvesting", "Matching names", "Querying",
                    "Earlier versions", "Wikidata"):  # fmt: skip
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    visit.shot("linking")


@pytest.mark.parametrize("path", ["/.well-known/void", "/void"])
def test_void_opens_as_a_page(visit, path):
    visit.open(path)
    expect(visit.page.locator("h1")).to_have_text(
        "New Zealand's international security architecture"
    )
    visit.shot("void" + path.replace("/", "-"))


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap.xml",
        "/sitemap-dataset.xml",
        "/robots.txt",
        "/openapi.json",
        "/reconcile",
        "/reconcile/suggest/entity?prefix=new",
        "/context.jsonld",
        "/download/",
    ],
)
def test_discovery_documents_open_in_a_browser(visit, path):
    # Chromium's own Accept header on a navigation: never a 406, always shown, not saved.
    response = visit.open(path)
    assert response.request.all_headers()["accept"].startswith("text/html")
    assert "attachment" not in (response.headers.get("content-disposition") or "")
