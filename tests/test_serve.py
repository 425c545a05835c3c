"""`nzsa serve`: options from the settings table, its servers, refusing a bad or missing build.

The servers themselves, run for real, are tested in test_serve_servers.py.
"""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from fixture_data import NZSA
from gunicorn.workers import gasgi
from nzsa import config, serve
from nzsa.cli import make_parser


def test_every_setting_is_an_option():
    args = make_parser().parse_args(["serve"])
    assert all(getattr(args, s.name) is None for s in config.SETTINGS)
    options = [s.option for s in config.SETTINGS]
    assert "--query-timeout" in options and "--remote-endpoint" in options
    given = make_parser().parse_args(["serve", "--port", "9", "--query-timeout", "2.5"])
    assert (given.PORT, given.QUERY_TIMEOUT) == (9, 2.5)


def test_gunicorn_runs_preloaded_asgi_workers_with_a_header_timeout():
    options = serve.gunicorn_options({**config.defaults(), "PORT": 9999, "HEADER_TIMEOUT": 3})
    assert options["bind"] == "127.0.0.1:9999"
    worker = options["worker_class"]
    assert issubclass(worker, gasgi.ASGIWorker) and "threads" not in options
    assert options["preload_app"] is True and options["accesslog"] is None
    assert options["timeout"] > config.defaults()["QUERY_TIMEOUT"]


def test_granian_runs_asgi_workers_that_are_replaced():
    settings = {**config.defaults(), "PORT": 9999, "HEADER_TIMEOUT": 7.5}
    options = serve.granian_options(settings)
    assert (options["address"], options["port"]) == ("127.0.0.1", 9999)
    assert options["interface"] == "asginl" and options["http"] == "1"
    assert options["workers"] == 2 and options["respawn_failed_workers"] is True
    assert options["http1_settings"].header_read_timeout == 7500
    assert options["log_access"] is False
    assert options["log_dictconfig"]["handlers"]["console"]["stream"] == "ext://sys.stderr"


@pytest.mark.parametrize("server", ["granian", "gunicorn"])
def test_a_stopping_worker_drains_for_longer_than_a_request_may_take(server):
    # Finding: the drain window equalled the query limit, so SIGTERM cut longer requests.
    settings = {**config.defaults(), "QUERY_TIMEOUT": 10.0, "QUEUE_WAIT": 5.0}
    options = getattr(serve, f"{server}_options")(settings)
    drain = options["workers_kill_timeout" if server == "granian" else "graceful_timeout"]
    assert drain > settings["QUERY_TIMEOUT"] + settings["QUEUE_WAIT"]


def _imported_after(code: str) -> set[str]:
    """The modules a fresh interpreter has imported after running `code`."""
    listing = "import sys; print(' '.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", f"{code}\n{listing}"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return set(result.stdout.split())


def test_the_command_line_imports_only_the_subcommand_it_runs():
    imported = _imported_after("from nzsa.cli import make_parser; make_parser('serve')")
    assert "nzsa.serve" in imported
    assert not imported & {"flask", "rdflib", "pyshacl", "owlrl", "granian", "gunicorn"}
    assert not imported & {"nzsa.build", "nzsa.validate", "nzsa.app"}


def test_serving_a_build_as_it_is_imports_no_validation(fixture_build):
    settings = {"BUILD_DIR": str(fixture_build), "REBUILD": "never", "STORE": "oxigraph"}
    imported = _imported_after(
        f"from nzsa import serve; serve.prepare_build({settings!r})\n"
        f"from nzsa.app import create_app; create_app({{'BUILD_DIR': {str(fixture_build)!r}}})"
    )
    assert "flask" in imported
    assert not imported & {"pyshacl", "owlrl", "nzsa.build", "nzsa.validate"}


def _serve(tmp_path, *args, **env):
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    environment.update({"NZSA_" + k: str(v) for k, v in env.items()})
    return subprocess.run(
        [NZSA, "serve", "--port", "1", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_refuses_to_start_without_a_build(tmp_path):
    result = _serve(tmp_path, "--build-dir", str(tmp_path / "nothing"), REBUILD="never")
    assert result.returncode == 2
    assert "nzsa.nq not found" in result.stderr and "nzsa build" in result.stderr


def test_refuses_to_publish_data_that_fails_validation(tmp_path):
    root = tmp_path / "project"
    for folder in ("ontology", "data", "shapes"):
        (root / folder).mkdir(parents=True)
    (root / "ontology" / "nzsa.ttl").write_text("@prefix : <https://w3id.org/nzsa/ontology#> .\n")
    (root / "data" / "broken.ttl").write_text("<https://w3id.org/nzsa/id/x> <p> .\n")
    result = _serve(tmp_path, "--build-dir", str(tmp_path / "build"), ROOT=str(root))
    assert result.returncode == 2
    assert "fails validation" in result.stderr and "not published" in result.stderr
    assert not (tmp_path / "build" / "nzsa.nq").exists()


def test_rejects_an_unknown_rebuild_mode(tmp_path, fixture_build):
    result = _serve(tmp_path, "--build-dir", str(fixture_build), "--rebuild", "sometimes")
    assert result.returncode == 2 and "REBUILD must be" in result.stderr


def test_says_so_when_its_port_is_taken(tmp_path, fixture_build):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _serve(tmp_path, "--build-dir", str(fixture_build), "--port", str(port),
                        REBUILD="never")  # fmt: skip
    assert result.returncode == 1
    assert f"cannot listen at 127.0.0.1:{port}: Address already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_logs_where_it_listens(server):
    output = server.output()
    assert f"listening at {server.url}" in output
    assert "Starting granian" in output  # the default server


@pytest.mark.parametrize("store", ["oxigraph", "remote"])
def test_settings_come_from_the_environment_too(store, monkeypatch):
    monkeypatch.setenv("NZSA_STORE", store)
    monkeypatch.setenv("NZSA_QUERY_TIMEOUT", "3.5")
    settings = config.from_environment()
    assert settings["STORE"] == store and settings["QUERY_TIMEOUT"] == 3.5
