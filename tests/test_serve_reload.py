"""Faults in the data: `nzsa serve` keeps serving the last valid build, takes up a valid
change on SIGHUP without a failed request, and says at /readyz why it would not.

Findings (issue 11): with sources that failed validation `nzsa serve` refused to start,
so a bad commit took the site down at the next restart; a change of the data needed a
restart. Each test runs a real server on loopback, under both servers.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from fixture_data import NZSA, REQUEST_TIMEOUT
from nzsa.ops.reload import Follower
from nzsa.ops.sources import SourcesState, read_state, write_state

FIXTURE = Path(__file__).parent / "fixtures" / "validate" / "project"
SERVERS = ["granian", "gunicorn"]
VERSION = (
    "SELECT ?v WHERE { <https://w3id.org/nzsa/ontology>"
    " <http://www.w3.org/2002/07/owl#versionInfo> ?v }"
)
JSON = {"Accept": "application/sparql-results+json"}
BREAK = ("org:member country:samoa", "org:membr country:samoa")


def project(tmp_path: Path) -> Path:
    """A copy of the small valid project, to change."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def set_version(root: Path, version: str) -> None:
    ontology = root / "ontology" / "nzsa.ttl"
    text = ontology.read_text()
    start = text.index('owl:versionInfo "') + len('owl:versionInfo "')
    ontology.write_text(text[:start] + version + text[text.index('"', start) :])


def replace_in_data(root: Path, old: str, new: str) -> None:
    facts = root / "data" / "facts.ttl"
    text = facts.read_text()
    assert old in text
    facts.write_text(text.replace(old, new))


def build(root: Path, out: Path) -> None:
    result = subprocess.run(
        [str(NZSA), "build", "--out", str(out), str(root)], capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def version_served(served) -> tuple[int, str | None, str | None]:
    """Ask for the ontology's version by SPARQL, then for the ontology's document, each on
    a fresh connection: (the worse status, the version, the document's ETag)."""
    answer = requests.get(
        served.url + "sparql", params={"query": VERSION}, headers=JSON, timeout=REQUEST_TIMEOUT
    )
    document = requests.get(served.url + "ontology.ttl", timeout=REQUEST_TIMEOUT)
    status = max(answer.status_code, document.status_code)
    if status != 200:
        return status, None, None
    rows = answer.json()["results"]["bindings"]
    return 200, rows[0]["v"]["value"] if rows else None, document.headers.get("ETag")


def ready(served) -> requests.Response:
    return requests.get(served.url + "readyz", timeout=REQUEST_TIMEOUT)


def wait_for(condition, seconds: float = 120.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def start(nzsa_server, root: Path, build_dir: Path, server: str):
    return nzsa_server(
        build_dir, SERVER=server, WORKERS=2, THREADS=2, REBUILD="auto", ROOT=str(root)
    )


@pytest.mark.parametrize("server", SERVERS)
def test_sources_that_fail_validation_leave_the_last_valid_build_served(
    tmp_path, nzsa_server, server
):
    root, build_dir = project(tmp_path), tmp_path / "build"
    build(root, build_dir)
    replace_in_data(root, *BREAK)
    served = start(nzsa_server, root, build_dir, server)
    assert version_served(served)[:2] == (200, "0.0.1")
    said = [line for line in served.output().splitlines() if "fail validation" in line]
    assert len(said) == 1 and "org:membr is not declared" in said[0], served.output()
    assert "serving the last valid build" in said[0]
    readiness = ready(served)
    assert readiness.status_code == 200 and readiness.headers["Cache-Control"] == "no-store"
    sources = readiness.json()["sources"]
    assert sources["valid"] is False and "org:membr is not declared" in sources["reason"]


def test_with_neither_valid_sources_nor_a_build_it_refuses(tmp_path):
    root = project(tmp_path)
    replace_in_data(root, *BREAK)
    result = subprocess.run(
        [str(NZSA), "serve", "--port", "1", "--build-dir", str(tmp_path / "build")],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NZSA_ROOT": str(root)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "fails validation" in result.stderr and "no earlier build to serve" in result.stderr
    assert "org:membr is not declared" in result.stderr


class Loop:
    """Ask for the data's version over and over, on fresh connections, in a thread."""

    def __init__(self, served):
        self.served, self.seen, self.stop = served, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.seen.append(version_served(self.served))
            except requests.RequestException as error:
                self.seen.append((type(error).__name__, None, None))

    def new_for(self, version: str, times: int) -> bool:
        tail = self.seen[-times:]
        return len(tail) == times and all(v == version for _, v, _ in tail)

    def finish(self) -> list:
        self.stop.set()
        self.thread.join(REQUEST_TIMEOUT + 5)
        return self.seen


@pytest.mark.parametrize("server", SERVERS)
def test_sighup_takes_up_a_valid_change_without_a_failed_request(tmp_path, nzsa_server, server):
    root = project(tmp_path)
    served = start(nzsa_server, root, tmp_path / "build", server)
    assert version_served(served)[:2] == (200, "0.0.1")
    old_version = ready(served).json()["store"]["version"]
    loop = Loop(served)
    set_version(root, "0.0.2")
    served.process.send_signal(signal.SIGHUP)
    took_up = wait_for(lambda: loop.new_for("0.0.2", 20))
    seen = loop.finish()
    assert took_up, (seen[-5:], served.output()[-3000:])
    assert {status for status, _, _ in seen} == {200}, served.output()[-3000:]
    versions = [version for _, version, _ in seen]
    assert versions[0] == "0.0.1" and versions[-1] == "0.0.2"
    assert seen[0][2] != seen[-1][2]  # the document's ETag changed with the data
    readiness = ready(served).json()
    assert readiness["store"]["version"] != old_version and readiness["sources"]["valid"] is True


@pytest.mark.parametrize("server", SERVERS)
def test_a_failing_change_keeps_the_old_data_and_says_why(tmp_path, nzsa_server, server):
    root = project(tmp_path)
    served = start(nzsa_server, root, tmp_path / "build", server)
    version = ready(served).json()["store"]["version"]
    replace_in_data(root, *BREAK)
    set_version(root, "0.0.2")
    served.process.send_signal(signal.SIGHUP)
    assert wait_for(lambda: ready(served).json()["sources"]["valid"] is False), served.output()
    readiness = ready(served).json()
    assert "org:membr is not declared" in readiness["sources"]["reason"]
    assert readiness["store"]["version"] == version
    assert version_served(served)[:2] == (200, "0.0.1")
    said = [line for line in served.output().splitlines() if "fail validation" in line]
    assert said and "org:membr is not declared" in said[-1]


def test_with_a_watch_interval_a_change_is_taken_up_without_a_signal(tmp_path, nzsa_server):
    root = project(tmp_path)
    served = nzsa_server(
        tmp_path / "build", WORKERS=1, THREADS=2, REBUILD="auto", ROOT=str(root),
        WATCH_INTERVAL=0.5,
    )  # fmt: skip
    assert version_served(served)[:2] == (200, "0.0.1")
    set_version(root, "0.0.2")
    assert wait_for(lambda: version_served(served)[:2] == (200, "0.0.2")), served.output()
    assert "the sources changed" in served.output()


def test_a_folder_it_cannot_write_leaves_the_state_to_the_app(tmp_path):
    # A read-only deployment (the container's /srv/nzsa): serving goes on regardless.
    (tmp_path / "file").write_text("")
    build_dir = tmp_path / "file" / "build"
    assert write_state(build_dir, SourcesState(True, "valid")) is False
    assert read_state(build_dir) is None
    assert write_state(tmp_path / "build", SourcesState(False, "why")) is True
    assert read_state(tmp_path / "build").reason == "why"


def test_a_build_made_beside_the_server_is_served_after_sighup_only(tmp_path, nzsa_server):
    first, second = project(tmp_path), tmp_path / "second"
    shutil.copytree(first, second)
    set_version(second, "0.0.2")
    build_dir = tmp_path / "build"
    build(first, build_dir)
    served = nzsa_server(build_dir, WORKERS=2, THREADS=2)  # REBUILD=never
    build(second, build_dir)  # `nzsa build` run by hand, into the folder being served
    time.sleep(3 * Follower.INTERVAL)
    assert {version_served(served)[:2] for _ in range(6)} == {(200, "0.0.1")}
    served.process.send_signal(signal.SIGHUP)
    assert wait_for(lambda: version_served(served)[:2] == (200, "0.0.2")), served.output()
