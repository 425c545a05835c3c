"""What a crawler reads: the URLs of every document and dump, and where the data lives.

Sitemaps 0.9 (https://www.sitemaps.org/protocol.html): at most SITEMAP_URLS URLs in one
file, else /sitemap.xml is an index of /sitemap-N.xml. The Semantic Sitemap extension
(http://sw.deri.org/2007/07/sitemapextension/: the dataset, its IRI prefix, a sample IRI,
the SPARQL endpoint and the dumps) has a sitemap of its own, /sitemap-dataset.xml, also
named in robots.txt: strict sitemap parsers (ultimate-sitemap-parser) reject a whole file
for an element beside <url>, and must not lose the documents for it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from rdflib import Literal, URIRef

from ..http import addresses
from ..http.discovery import SUMS, checksums

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
SEMANTIC = "http://sw.deri.org/2007/07/sitemapextension/scschema.xsd"
TITLE = "New Zealand's international security architecture"
# Pages that are not one resource's document, but which a crawler should know.
PAGES = ("", "ontology", "shapes", "void", "sparql")
# The dumps a Semantic Web crawler should fetch first: the whole dataset, then its parts.
DATA_DUMPS = ("nzsa.nt", "nzsa.nq", "nzsa.ttl")

# Every typed resource under the IRI space (every kind of thing has a type; a renamed IRI
# has none). Sorting and leaving out retired IRIs are done after: with ORDER BY and a
# FILTER NOT EXISTS per triple, pyoxigraph took over 7 minutes at 1M triples, this 14 s.
ENTITIES = """
SELECT DISTINCT ?this WHERE {
  #bindings
  ?this a ?type .
  FILTER(isIRI(?this) && STRSTARTS(STR(?this), ?space))
}
"""


@dataclass(frozen=True)
class Entry:
    """One URL of a sitemap, local to this server (a path without its leading slash)."""

    path: str
    modified: datetime


def entity_paths(store, retired: Collection[URIRef] = ()) -> list[str]:
    """Return the local document path of every resource in use, in IRI order."""
    space = addresses.base_iri() + "id/"
    rows = store.select(ENTITIES, {"space": Literal(space)})
    things = sorted({row["this"] for row in rows if isinstance(row["this"], URIRef)})
    paths = []
    for this in things:
        path = addresses.path_for_iri(str(this)) if this not in retired else None
        document = addresses.document_path(path) if path else None
        if document:
            paths.append(document)
    return paths


def entries(
    store, build_dir: Path | None, built: datetime, retired: Collection[URIRef] = ()
) -> list[Entry]:
    """Return every URL of the sitemap: pages, dumps, then every resource's document."""
    found = [Entry(page, built) for page in PAGES]
    names = sorted(checksums(build_dir))
    for name in [*names, SUMS] if names else []:
        found.append(Entry("download/" + name, _modified(build_dir / name, built)))
    found += [Entry(path, built) for path in entity_paths(store, retired)]
    return found


def _modified(path: Path, default: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
    except OSError:
        return default


def _w3c(moment: datetime) -> str:
    """Return a W3C datetime, as sitemaps want lastmod."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def sample(found: list[Entry]) -> str | None:
    """Return the IRI of a resource to show: New Zealand where it is described, else the first."""
    things = [addresses.thing_path(e.path) for e in found if e.path.startswith("doc/")]
    things = [t for t in things if t]
    preferred = "id/country/new-zealand"
    chosen = preferred if preferred in things else (things[0] if things else None)
    return addresses.base_iri() + chosen if chosen else None


def parts(found: list[Entry], limit: int) -> list[list[Entry]]:
    """Split the entries into sitemaps of at most `limit` URLs each."""
    limit = max(1, limit)
    return [found[i : i + limit] for i in range(0, len(found), limit)] or [[]]


def dataset_element(build_dir: Path | None, sample: str | None) -> str:
    """Return the Semantic Sitemap <sc:dataset> of this server, with a sample resource IRI."""
    base = addresses.base_iri()
    dumps = checksums(build_dir)
    lines = [
        "  <sc:dataset>",
        f"    <sc:datasetLabel>{escape(TITLE)}</sc:datasetLabel>",
        f"    <sc:datasetURI>{escape(base + 'dataset')}</sc:datasetURI>",
        f'    <sc:linkedDataPrefix sc:slicing="subject-object">{escape(base + "id/")}'
        "</sc:linkedDataPrefix>",
        '    <sc:sparqlEndpointLocation sc:slicing="subject-object">'
        f"{escape(addresses.external('sparql'))}</sc:sparqlEndpointLocation>",
    ]
    if sample:
        lines.append(f"    <sc:sampleURI>{escape(sample)}</sc:sampleURI>")
    for name in DATA_DUMPS:
        if name in dumps:
            location = escape(addresses.external("download/" + name))
            lines.append(f"    <sc:dataDumpLocation>{location}</sc:dataDumpLocation>")
    lines.append("  </sc:dataset>")
    return "\n".join(lines) + "\n"


def urlset(found: Iterable[Entry], dataset: str = "") -> bytes:
    """Write one sitemap (a <urlset>), with the dataset element first when given."""
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP}"'
    head += f' xmlns:sc="{SEMANTIC}">\n' if dataset else ">\n"
    body = [head, dataset]
    for entry in found:
        location = escape(addresses.external(entry.path))
        body.append(
            f"  <url><loc>{location}</loc><lastmod>{_w3c(entry.modified)}</lastmod></url>\n"
        )
    body.append("</urlset>\n")
    return "".join(body).encode("utf-8")


def index(split: list[list[Entry]]) -> bytes:
    """Write the sitemap index naming each part, dated by its newest URL."""
    body = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP}">\n']
    for number, part in enumerate(split, start=1):
        location = escape(addresses.external(part_path(number)))
        newest = _w3c(max(entry.modified for entry in part))
        body.append(f"  <sitemap><loc>{location}</loc><lastmod>{newest}</lastmod></sitemap>\n")
    body.append("</sitemapindex>\n")
    return "".join(body).encode("utf-8")


def part_path(number: int) -> str:
    """Return the local path of the sitemap part `number` (from 1)."""
    return f"sitemap-{number:d}.xml"


DATASET_SITEMAP = "sitemap-dataset.xml"


def robots() -> str:
    """Write robots.txt: crawl the documents and dumps, not the query services."""
    return (
        "# Every resource's document and every dump are in the first sitemap; the dataset,\n"
        "# its SPARQL endpoint and its dumps (Semantic Sitemap extension) in the second.\n"
        "User-agent: *\n"
        "Disallow: /sparql?\n"
        "Disallow: /search\n"
        "Disallow: /page?\n"
        "Allow: /\n"
        "\n"
        f"Sitemap: {addresses.external('sitemap.xml')}\n"
        f"Sitemap: {addresses.external(DATASET_SITEMAP)}\n"
    )
