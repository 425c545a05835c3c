"""Shared fixtures: a small test dataset, the app, and real servers on loopback.

`nzsa_server(build_dir, **settings)` starts `nzsa serve` as a subprocess the way the
README says, on a free loopback port, and waits until it answers; `oxigraph_server`
runs a real `oxigraph serve-read-only` for the remote back end.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import remote_engines as engines
import requests
from fixture_data import (
    NZSA,
    OXIGRAPH,
    fixture_nquads,
    free_port,
    write_fixture_build,
)
from hypothesis import HealthCheck, settings
from nzsa.app import create_app

# One fixed profile for the fuzzing tests: the same examples on every run (derandomised,
# no example database), no per-example deadline on a shared machine, and requests to a
# real server are slow to make by design.
settings.register_profile(
    "nzsa",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile("nzsa")


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory) -> Path:
    """A build directory holding the small fixture dataset."""
    return write_fixture_build(tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def fixture_triple_count() -> int:
    return fixture_nquads().count("\n")


@pytest.fixture()
def make_app(fixture_build) -> Iterator[Callable]:
    """Create apps on the fixture build with setting overrides; close their stores after."""
    apps = []

    def make(**overrides):
        app = create_app({"BUILD_DIR": str(fixture_build), "TESTING": True, **overrides})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["nzsa"].store.close()


@pytest.fixture()
def app(make_app):
    return make_app()


@pytest.fixture()
def client(app):
    return app.test_client()


@dataclass
class Running:
    """A server process started by a test, and where it answers."""

    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        # The server runs in its own session: signal the group (master, workers, executors).
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    else:
        # The master is gone; make sure nothing it started is left either.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _wait_until_answers(url: str, process: subprocess.Popen, log: Path, seconds=60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
        except requests.Timeout:
            continue
    raise RuntimeError(f"server did not answer at {url} within {seconds} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def nzsa_server(tmp_path_factory) -> Iterator[Callable[..., Running]]:
    """Start `nzsa serve` on a build directory with NZSA_* settings; stopped at the end."""
    started: list[subprocess.Popen] = []

    def start(build_dir: Path, *args: str, environment: dict | None = None, **settings) -> Running:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("NZSA_")}
        env.update(environment or {})
        env.update({"NZSA_BUILD_DIR": str(build_dir), "NZSA_PORT": str(port),
                    "NZSA_HOST": "127.0.0.1", "NZSA_REBUILD": "never"})  # fmt: skip
        env.update({"NZSA_" + k: str(v) for k, v in settings.items()})
        log = tmp_path_factory.mktemp("serve") / "serve.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [NZSA, "serve", *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        started.append(process)
        url = f"http://127.0.0.1:{port}/"
        _wait_until_answers(url + "sparql", process, log)
        return Running(url, process, log)

    yield start
    for process in started:
        _stop(process)


@pytest.fixture(scope="session")
def server(nzsa_server, fixture_build) -> Running:
    """One `nzsa serve` on the fixture data with a short query time limit (2 s)."""
    return nzsa_server(fixture_build, QUERY_TIMEOUT=2, WORKERS=2, THREADS=4, EXECUTORS=2)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory, fixture_build) -> Iterator[str]:
    """Run `oxigraph serve-read-only` on the fixture data; yield its query endpoint URL."""
    location = tmp_path_factory.mktemp("oxigraph") / "db"
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(location), "--file", str(fixture_build / "nzsa.nq")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    port = free_port()
    log = tmp_path_factory.mktemp("oxigraph-log") / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [OXIGRAPH, "serve-read-only", "--location", str(location),
             "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "5"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}/query"
    try:
        _wait_until_answers(endpoint + "?query=ASK%7B%7D", process, log, seconds=30)
        yield endpoint
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def virtuoso_template(tmp_path_factory) -> Path:
    """An empty Virtuoso database made once (system graphs and all), copied per instance."""
    return engines.make_virtuoso_template(tmp_path_factory.mktemp("virtuoso-template"))


@pytest.fixture(scope="session")
def start_virtuoso(
    tmp_path_factory, virtuoso_template
) -> Iterator[Callable[..., engines.Virtuoso]]:
    """Start private Virtuoso instances (stock settings unless overridden); stopped at the end."""
    started: list[engines.Virtuoso] = []

    def start(*files: Path | tuple[Path, str | None], **sparql) -> engines.Virtuoso:
        """Start one holding `files`: N-Quads paths, or (triples file, graph) pairs."""
        instance = engines.start_virtuoso(
            tmp_path_factory.mktemp("virtuoso"), virtuoso_template, **sparql
        )
        started.append(instance)
        for number, item in enumerate(files, start=1):
            path, graph = item if isinstance(item, tuple) else (item, None)
            instance.load(path, restart=number == len(files), graph=graph)
        return instance

    yield start
    for instance in started:
        instance.stop()


@pytest.fixture(scope="session")
def virtuoso(start_virtuoso, fixture_build) -> engines.Virtuoso:
    """Virtuoso 7 with Debian's stock settings, holding the fixture dataset."""
    return start_virtuoso(fixture_build / "nzsa.nq")


@pytest.fixture(scope="session")
def engine_endpoint(tmp_path_factory, start_virtuoso) -> Iterator[Callable[[str, Path], str]]:
    """Return the query endpoint of a remote engine (`oxigraph` or `virtuoso`) holding a build.

    One instance per engine and build directory, shared by the whole session.
    """
    endpoints: dict[tuple[str, Path], str] = {}
    processes: list[subprocess.Popen] = []

    def endpoint(kind: str, build_dir: Path) -> str:
        key = (kind, Path(build_dir).resolve())
        if key not in endpoints:
            # Loaded as docs/SPARQL.md says: the dataset, and its VoID description if built.
            files = engines.build_files(key[1])
            if kind == "virtuoso":
                endpoints[key] = start_virtuoso(*files).endpoint
            elif kind == "oxigraph":
                description = files[1][0] if len(files) > 1 else None
                url, process = engines.start_oxigraph(
                    tmp_path_factory.mktemp("oxigraph"), files[0][0], OXIGRAPH, description
                )
                processes.append(process)
                endpoints[key] = url
            else:
                raise ValueError(kind)
        return endpoints[key]

    yield endpoint
    for process in processes:
        engines.stop(process)
