"""The Content-Security-Policy in a real browser: every kind of page works under it.

Each tab records the browser's `securitypolicyviolation` events from the first script
on; a page that needs anything the policy forbids (an inline script, eval, a style or
an image from elsewhere) fails here, as well as in its console (conftest.Visit).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

ID = "https://w3id.org/nzsa/id/"
RECORD = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""
PAGES = [
    pytest.param("/", "#network canvas", id="home"),
    pytest.param("/search?q=bali", "ol.results li", id="search"),
    pytest.param("/class/State", ".instances a", id="class"),
    pytest.param("/doc/country/new-zealand", "main h1", id="resource"),
    pytest.param("/page?iri=" + quote(ID + "country/fiji", safe=""), "main h1", id="page"),
    pytest.param("/ontology", "h1", id="ontology"),
    pytest.param("/shapes", "h1", id="shapes"),
    pytest.param("/no/such/page", "main h1", id="error"),
]


def violations(visit) -> list[str]:
    return visit.page.evaluate("() => window.__violations")


@pytest.mark.parametrize(("path", "ready"), PAGES)
def test_pages_work_under_the_policy(visit, path, ready):
    visit.page.add_init_script(RECORD)
    response = visit.page.goto(visit.root + path, wait_until="load")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(visit.page.locator(ready).first).to_be_attached()
    visit.page.wait_for_timeout(500)  # scripts that draw after load
    assert violations(visit) == []
    # The error page's own status is reported in the console; nothing else may be.
    visit.errors[:] = [e for e in visit.errors if "status of 404" not in e]


def test_the_query_editor_runs_a_query_under_the_policy(visit):
    visit.page.add_init_script(RECORD)
    visit.open("/sparql")
    page = visit.page
    expect(page.locator(".yasqe:visible .CodeMirror")).to_be_visible()
    page.locator(".yasqe_queryButton:visible").click()
    expect(page.locator(".yasr:visible table tbody tr").first).to_be_visible()
    assert violations(visit) == []


def test_a_violation_is_seen(visit):
    # The recorder itself: an inline script the policy forbids is reported.
    visit.page.add_init_script(RECORD)
    visit.open("/search?q=bali")
    visit.page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.appendChild(s); }"
    )
    visit.page.wait_for_timeout(200)
    assert any("script-src" in v for v in violations(visit))
    assert visit.page.evaluate("() => window.ran === undefined")
    visit.errors.clear()  # the browser's console says so too, as it should
