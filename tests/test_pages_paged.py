"""HTML pages of a hub against a real `nzsa serve`: paged as its documents, facts capped.

The hub below has MEMBERS memberships, each a fact with its own evidence, linked both
ways (org:hasMembership from the hub, org:organization to it). With PAGE_SIZE=15 a page
holds 30 own triples and 15 links in, so the first page names more facts than
FACTS_IN_FULL: it shows that many whole, names the rest, and links to the next page.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest
from nzsa.describe import OWN_PER_LINK
from nzsa.pages.context import FACTS_IN_FULL
from test_linkeddata_double import BASE, get

PAGE_SIZE = 15
MEMBERS = 45
ID = BASE + "id/"
HUB = ID + "organisation/big-forum"
GRAPH = BASE + "graph/"
ONT = "https://w3id.org/nzsa/ontology#"
ORG = "http://www.w3.org/ns/org#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
PREF = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
SOURCE = f"<{ID}source/forum-papers>"


def membership(n: int) -> str:
    return f"{ID}membership/member-{n:02d}-big-forum"


def _quads() -> str:
    """Return the dataset in N-Quads: ontology, data and inferred graphs."""
    lines = []

    def add(s: str, p: str, o: str, graph: str = "data") -> None:
        lines.append(f"{s} {p} {o} <{GRAPH}{graph}> .\n")

    add(f"<{ONT}Membership>", "<http://www.w3.org/2000/01/rdf-schema#subClassOf>",
        f"<{ONT}Fact>", "ontology")  # fmt: skip
    add(SOURCE, "<http://purl.org/dc/terms/title>", '"Forum papers"@en')
    hub = f"<{HUB}>"
    add(hub, RDF_TYPE, f"<{ONT}Organisation>")
    add(hub, PREF, '"Big Forum"@en')
    for n in range(MEMBERS):
        fact, country = f"<{membership(n)}>", f"<{ID}country/member-{n:02d}>"
        add(country, PREF, f'"Member {n:02d}"@en')
        add(fact, RDF_TYPE, f"<{ONT}Membership>")
        add(fact, f"<{ORG}member>", country)
        add(fact, f"<{ORG}organization>", hub)
        evidence = f"<{BASE}.well-known/genid/member-{n:02d}>"
        add(fact, f"<{ONT}evidence>", evidence)
        add(evidence, RDF_TYPE, f"<{ONT}Evidence>")
        add(evidence, f"<{ONT}quote>", json.dumps(f"Member {n:02d} joined the forum"))
        add(evidence, "<http://www.w3.org/ns/prov#wasQuotedFrom>", SOURCE)
        add(fact, RDF_TYPE, f"<{ONT}Fact>", "inferred")
        add(hub, f"<{ORG}hasMembership>", fact, "inferred")
    return "".join(lines)


class _Page(HTMLParser):
    """Collect a resource page's links, rel=next link and facts shown whole."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: set[str] = set()
        self.next: str | None = None
        self.facts = 0

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.add(attrs["href"].split("#")[0])
            if attrs.get("rel") == "next":
                self.next = attrs["href"].split("#")[0]
        if tag == "div" and attrs.get("class") == "fact":
            self.facts += 1


def parse(body: str) -> _Page:
    page = _Page()
    page.feed(body)
    return page


@pytest.fixture(scope="module")
def hub_server(nzsa_server, tmp_path_factory):
    build = tmp_path_factory.mktemp("paged-html-build")
    (build / "nzsa.nq").write_text(_quads(), encoding="utf-8")
    return nzsa_server(build, PAGE_SIZE=PAGE_SIZE, WORKERS=1, THREADS=4)


def local(server, url: str) -> str:
    """Return a link of the server's as a path without its leading slash."""
    return url.removeprefix(server.url).removeprefix("/")


def follow(server, path: str) -> list[_Page]:
    """Follow rel=next from an HTML page; return every page, parsed, with its body."""
    found, url = [], path
    while url:
        response = get(server, url, "text/html")
        assert response.status_code == 200, (url, response.text[:300])
        page = parse(response.text)
        page.body = response.text
        found.append(page)
        url = local(server, page.next) if page.next else None
        assert len(found) <= MEMBERS, "rel=next never ends"
    return found


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("doc/organisation/big-forum.html", id="document"),
        pytest.param("page?iri=" + quote(HUB, safe=""), id="page-by-iri"),
    ],
)
def test_html_pages_cap_whole_facts_and_reach_every_fact(hub_server, path):
    pages = follow(hub_server, path)
    own_pages = -(-(MEMBERS + 2) // (OWN_PER_LINK * PAGE_SIZE))
    assert len(pages) == max(own_pages, -(-MEMBERS // PAGE_SIZE))
    first = pages[0]
    # The first page names more facts than it shows whole, and says so.
    assert first.facts == FACTS_IN_FULL
    named = re.search(r"(\d+) more facts are listed by name", first.body)
    assert named and int(named.group(1)) > 0
    # Every membership is linked from some page, where its page shows it whole.
    reached = set().union(*(page.hrefs for page in pages))
    wanted = {f"doc/membership/member-{n:02d}-big-forum" for n in range(MEMBERS)}
    assert wanted <= {local(hub_server, href) for href in reached}
    for page in pages:
        assert page.facts <= FACTS_IN_FULL
    fact_page = get(hub_server, "doc/membership/member-44-big-forum.html", "text/html").text
    assert "Member 44 joined the forum" in fact_page


def test_page_by_iri_is_paged_past_its_last_page(hub_server):
    last = max(-(-(MEMBERS + 2) // (OWN_PER_LINK * PAGE_SIZE)), -(-MEMBERS // PAGE_SIZE))
    iri = quote(HUB, safe="")
    assert get(hub_server, f"page?iri={iri}&page={last}", "text/html").status_code == 200
    assert get(hub_server, f"page?iri={iri}&page={last + 1}", "text/html").status_code == 404
    assert get(hub_server, f"page?iri={iri}&page=x", "text/html").status_code == 400
