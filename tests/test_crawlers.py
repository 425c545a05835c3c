"""A crawler's view of a real `nzsa serve`: robots.txt (Protego, Scrapy's parser), the
sitemap and its index (ultimate-sitemap-parser), the Semantic Sitemap extension, the VoID
description answered by the endpoint itself, and discovery documents opened by a browser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

import pytest
import requests
from fixture_data import BASE, ID, REQUEST_TIMEOUT
from linking_data import RENAMED, WITHDRAWN, linking_build
from protego import Protego
from rdflib import Dataset
from rdflib.namespace import OWL
from SPARQLWrapper import JSON, SPARQLWrapper
from usp.objects.sitemap import (
    IndexRobotsTxtSitemap,
    IndexWebsiteSitemap,
    IndexXMLSitemap,
    InvalidSitemap,
)
from usp.tree import sitemap_tree_for_homepage

SC = "{http://sw.deri.org/2007/07/sitemapextension/scschema.xsd}"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    return linking_build(tmp_path_factory.mktemp("crawl"))


@pytest.fixture(scope="module")
def crawled(nzsa_server, build):
    return nzsa_server(build, WORKERS=1, THREADS=4)


@pytest.fixture(scope="module")
def split_site(nzsa_server, build):
    """The same build served with a sitemap limit low enough to need an index of parts."""
    return nzsa_server(build, WORKERS=1, THREADS=4, SITEMAP_URLS=7)


def expected_urls(server, build) -> set[str]:
    """Every URL a crawler must be told of: pages, dumps, and each resource in use."""
    dataset = Dataset(default_union=True)
    dataset.parse(build / "nzsa.nq", format="nquads")
    retired = set(dataset.subjects(OWL.deprecated, None))
    things = {str(s) for s in dataset.subjects() if str(s).startswith(ID) and s not in retired}
    urls = {server.url + "doc/" + thing[len(ID) :] for thing in things}
    urls |= {server.url + path for path in ("", "ontology", "shapes", "void", "sparql")}
    sums = (build / "SHA256SUMS").read_text().splitlines()
    dumps = [line.split("  ")[1] for line in sums] + ["SHA256SUMS"]
    return urls | {server.url + "download/" + name for name in dumps}


def crawl(server):
    """Discover the sitemaps as a crawler does, from robots.txt only; return the documents'.

    ultimate-sitemap-parser reads no page from the Semantic Sitemap (it logs an element
    beside <url> as an error), which is why that has a file of its own.
    """
    tree = sitemap_tree_for_homepage(server.url, use_known_paths=False)
    assert isinstance(tree, IndexWebsiteSitemap)
    (robots,) = tree.sub_sitemaps
    assert isinstance(robots, IndexRobotsTxtSitemap)
    documents, dataset = robots.sub_sitemaps
    assert documents.url == server.url + "sitemap.xml"
    assert dataset.url == server.url + "sitemap-dataset.xml"
    assert not any(isinstance(s, InvalidSitemap) for s in documents.all_sitemaps())
    return documents


def test_robots_names_the_sitemap_and_keeps_crawlers_off_queries(crawled):
    response = requests.get(crawled.url + "robots.txt", timeout=REQUEST_TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    robots = Protego.parse(response.text)
    assert list(robots.sitemaps) == [
        crawled.url + p for p in ("sitemap.xml", "sitemap-dataset.xml")
    ]
    for path in ("doc/country/new-zealand", "download/nzsa.nt", "sitemap.xml", "void"):
        assert robots.can_fetch(crawled.url + path, "Googlebot"), path
    for path in ("sparql?query=ASK%7B%7D", "search?q=forum", "page?iri=x"):
        assert not robots.can_fetch(crawled.url + path, "Googlebot"), path


def test_sitemap_lists_every_document_and_dump_with_lastmod(crawled, build):
    pages = list(crawl(crawled).all_pages())
    urls = [page.url for page in pages]
    assert len(urls) == len(set(urls))
    assert set(urls) == expected_urls(crawled, build)
    assert all(page.last_modified is not None for page in pages)
    assert crawled.url + "doc/" + WITHDRAWN[len(ID) :] not in urls
    assert crawled.url + "doc/" + RENAMED[len(ID) :] not in urls


def test_every_url_in_the_sitemap_answers(crawled):
    for page in crawl(crawled).all_pages():
        response = requests.get(page.url, headers={"Accept": BROWSER}, timeout=REQUEST_TIMEOUT)
        assert response.status_code == 200, page.url


def test_a_large_sitemap_is_split_into_an_index_of_parts(split_site, build):
    index = requests.get(split_site.url + "sitemap.xml", timeout=REQUEST_TIMEOUT)
    assert ET.fromstring(index.content).tag.endswith("sitemapindex")
    tree = crawl(split_site)
    assert isinstance(tree, IndexXMLSitemap)
    parts = tree.sub_sitemaps
    assert [part.url for part in parts] == [
        split_site.url + f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)
    ]
    assert len(parts) > 2
    sizes = [len(list(part.all_pages())) for part in parts]
    assert all(size <= 7 for size in sizes) and sizes[0] == 7
    urls = [page.url for page in tree.all_pages()]
    assert len(urls) == len(set(urls))
    assert set(urls) == expected_urls(split_site, build)
    past = requests.get(split_site.url + f"sitemap-{len(parts) + 1}.xml", timeout=REQUEST_TIMEOUT)
    assert past.status_code == 404


@pytest.mark.parametrize("site", ["crawled", "split_site"])
def test_semantic_sitemap_names_dataset_endpoint_and_dumps(request, site):
    server = request.getfixturevalue(site)
    robots = Protego.parse(requests.get(server.url + "robots.txt", timeout=REQUEST_TIMEOUT).text)
    semantic = [url for url in robots.sitemaps if url.endswith("sitemap-dataset.xml")]
    root = ET.fromstring(requests.get(semantic[0], timeout=REQUEST_TIMEOUT).content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    (dataset,) = root.findall(SC + "dataset")
    assert dataset.findtext(SC + "datasetURI") == BASE + "dataset"
    assert dataset.findtext(SC + "linkedDataPrefix") == ID
    assert dataset.findtext(SC + "sampleURI") == ID + "country/new-zealand"
    assert dataset.findtext(SC + "sparqlEndpointLocation") == server.url + "sparql"
    dumps = [e.text for e in dataset.findall(SC + "dataDumpLocation")]
    assert server.url + "download/nzsa.nt" in dumps
    for dump in dumps:
        assert requests.head(dump, timeout=REQUEST_TIMEOUT).status_code == 200
    ask = requests.get(
        server.url + "sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=REQUEST_TIMEOUT
    )
    assert ask.json()["boolean"] is True


def test_the_endpoint_describes_its_own_dataset(crawled):
    client = SPARQLWrapper(crawled.url + "sparql", returnFormat=JSON)
    client.setTimeout(REQUEST_TIMEOUT)
    client.setQuery(
        """
        PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        SELECT ?dataset ?endpoint ?dump ?graph WHERE {
          GRAPH ?graph { ?dataset a void:Dataset, dcat:Dataset ; void:sparqlEndpoint ?endpoint ;
                                  void:dataDump ?dump }
        }"""
    )
    rows = client.query().convert()["results"]["bindings"]
    assert {row["dataset"]["value"] for row in rows} == {BASE + "dataset"}
    assert {row["endpoint"]["value"] for row in rows} == {BASE + "sparql"}
    assert {row["graph"]["value"] for row in rows} == {BASE + "graph/void"}
    assert BASE + "download/nzsa.nt" in {row["dump"]["value"] for row in rows}


def test_the_service_description_names_the_description_graph(crawled):
    response = requests.get(
        crawled.url + "sparql", headers={"Accept": "text/turtle"}, timeout=REQUEST_TIMEOUT
    )
    assert f"<{BASE}graph/void>" in response.text


# What browsers send when they open an address (Chromium 120+, Firefox 120+).
BROWSERS = {
    "chromium": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
    "firefox": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}
# Every discovery document, and whether it has a page: those without one (a sitemap, a
# JSON manifest) answer in their one format, which a browser shows as it is.
DISCOVERY = [
    ("void", True),
    (".well-known/void", True),
    ("void.html", True),
    ("sparql", True),
    ("about/linking", True),
    ("ontology", True),
    ("shapes", True),
    ("sitemap.xml", False),
    ("sitemap-dataset.xml", False),
    ("robots.txt", False),
    ("download/", False),
    ("context.jsonld", False),
    ("openapi.json", False),
    ("reconcile", False),
    ("reconcile/suggest/entity?prefix=new", False),
    ("reconcile/suggest/type?prefix=sta", False),
    ("reconcile/suggest/property?prefix=mem", False),
    ("reconcile/properties?type=nzsa:State", False),
    ("reconcile/preview?id=country/new-zealand", True),
]


@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize(("path", "html"), [pytest.param(*d, id=d[0]) for d in DISCOVERY])
def test_discovery_documents_answer_a_browser(crawled, path, html, browser):
    response = requests.get(
        crawled.url + path,
        headers={"Accept": BROWSERS[browser]},
        timeout=REQUEST_TIMEOUT,
        allow_redirects=False,
    )
    assert response.status_code == 200, (response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("text/html") == html


@pytest.mark.parametrize("browser", BROWSERS)
def test_every_part_of_a_split_sitemap_answers_a_browser(split_site, browser):
    index = ET.fromstring(
        requests.get(split_site.url + "sitemap.xml", timeout=REQUEST_TIMEOUT).content
    )
    parts = [e.text for e in index.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert len(parts) > 1
    for part in parts:
        response = requests.get(
            part, headers={"Accept": BROWSERS[browser]}, timeout=REQUEST_TIMEOUT
        )
        assert response.status_code == 200, part


def page_links(html: str) -> set[str]:
    """Return the absolute links to this server that a page holds, unescaped."""
    found = re.findall(r'href="(http://127\.0\.0\.1:[0-9]+/[^"]*)"', html)
    return {unescape(link) for link in found}


def section(html: str, heading: str) -> str:
    """Return the text of the page's section under an h2 heading."""
    found = re.search(rf"<h2[^>]*>{heading}</h2>(.*?)</section>", html, re.S)
    assert found, heading
    return found.group(1)


def test_the_linking_page_explains_matching_names(crawled):
    response = requests.get(
        crawled.url + "about/linking", headers={"Accept": BROWSER}, timeout=REQUEST_TIMEOUT
    )
    matching = section(response.text, "Matching names")
    for step in ("Start reconciling", "Add Standard Service", crawled.url + "reconcile"):
        assert step in matching, step
    links = page_links(matching)
    assert crawled.url + "reconcile" in links
    (query,) = [link for link in links if "queries=" in link]
    answer = requests.get(query, headers={"Accept": BROWSER}, timeout=REQUEST_TIMEOUT)
    assert answer.json()["q0"]["result"][0]["id"] == "country/new-zealand"
    for link in links:
        followed = requests.get(link, headers={"Accept": BROWSER}, timeout=REQUEST_TIMEOUT)
        assert followed.status_code == 200, link


def test_without_releases_the_linking_page_shows_no_dead_version_links(crawled):
    response = requests.get(
        crawled.url + "about/linking", headers={"Accept": BROWSER}, timeout=REQUEST_TIMEOUT
    )
    versions = section(response.text, "Earlier versions")
    assert "timegate/doc/country/new-zealand" in versions and "Accept-Datetime" in versions
    assert "no release yet" in versions
    assert page_links(versions) == set()


def test_the_linking_page_shows_a_linker_the_way_in(crawled):
    response = requests.get(
        crawled.url + "about/linking", headers={"Accept": BROWSER}, timeout=REQUEST_TIMEOUT
    )
    assert response.status_code == 200
    for text in (ID + "country/new-zealand", "301 Moved Permanently", "410 Gone", "P2888"):
        assert text in response.text, text
    links = page_links(response.text)
    assert crawled.url + "sitemap.xml" in links and crawled.url + "download/wikidata.qs" in links
    for link in links:
        answer = requests.get(
            link, headers={"Accept": BROWSER}, timeout=REQUEST_TIMEOUT, allow_redirects=False
        )
        assert 200 <= answer.status_code < 400, link
    home = requests.get(crawled.url, headers={"Accept": BROWSER}, timeout=REQUEST_TIMEOUT)
    assert 'href="/about/linking"' in home.text
