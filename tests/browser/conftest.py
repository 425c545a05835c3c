"""Browser fixtures: Debian's Chromium driven by Playwright against a real `nzsa serve`.

The pages are tested on a build of the project's own data (`site`); the small sample
(`sample_site`) only holds what the real data must never contain, such as a label made
of markup.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from realdata import real_build
from sample import write_build

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "browser"
# Quiet, offline, reproducible: no sandbox (containers), no GPU, no background traffic.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Skip the browser tests where there is no browser, except in CI, where they must run."""
    if CHROMIUM.exists() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def site(nzsa_server, tmp_path_factory) -> str:
    """Return the root URL of `nzsa serve` on a build of the bundled data."""
    build = real_build(tmp_path_factory.getbasetemp())
    return nzsa_server(build, WORKERS=1, THREADS=8, EXECUTORS=1).url.rstrip("/")


@pytest.fixture(scope="session")
def sample_site(nzsa_server, tmp_path_factory) -> str:
    """Return the root URL of `nzsa serve` on the small sample build (markup labels)."""
    build = write_build(tmp_path_factory.mktemp("sample-build"))
    return nzsa_server(build, WORKERS=1, THREADS=8, EXECUTORS=1).url.rstrip("/")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield chromium
        chromium.close()


class Visit:
    """One browser tab on the site that records console errors and keeps screenshots."""

    def __init__(self, page, root: str):
        self.page, self.root, self.errors = page, root, []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location.get('url')}")

    def _failed(self, request) -> None:
        # Leaving a page cancels what it was still fetching; that is not a failure.
        if "ERR_ABORTED" in (request.failure or ""):
            return
        self.errors.append(f"request failed: {request.url} ({request.failure})")

    def open(self, path: str, status: int = 200):
        # A page's first rendering is not timed here (the ontology's, by pyLODE, takes
        # seconds on a busy machine); the bound only stops a hang.
        response = self.page.goto(self.root + path, wait_until="load", timeout=NAVIGATION_TIMEOUT)
        assert response is not None and response.status == status, (path, response.status)
        return response

    def shot(self, name: str) -> Path:
        """Save a full-page screenshot as a test artefact and check the page stayed clean."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
        self.page.screenshot(path=str(path), full_page=True, timeout=NAVIGATION_TIMEOUT)
        assert self.errors == [], self.errors
        return path


NAVIGATION_TIMEOUT = 90_000  # ms: a long page loads and is drawn slowly on a busy machine


def _visit(browser, root: str, **context) -> Iterator[Visit]:
    context = browser.new_context(**({"viewport": {"width": 1280, "height": 900}} | context))
    tab = Visit(context.new_page(), root)
    tab.page.set_default_timeout(15_000)
    yield tab
    context.close()
    assert tab.errors == [], tab.errors


@pytest.fixture()
def visit(browser, site) -> Iterator[Visit]:
    """A desktop-sized tab on the real data."""
    yield from _visit(browser, site)


@pytest.fixture()
def phone(browser, site) -> Iterator[Visit]:
    """A 390 px wide phone tab on the real data."""
    yield from _visit(browser, site, viewport={"width": 390, "height": 844}, is_mobile=True)


@pytest.fixture()
def sample_visit(browser, sample_site) -> Iterator[Visit]:
    """A desktop-sized tab on the sample data."""
    yield from _visit(browser, sample_site)
