"""The scale-out example in deploy/, started as docs/DEPLOY.md says, all on loopback.

nginx (Debian's package) with deploy/nginx/nzsa.conf as reverse proxy and HTTP cache, in
front of two `nzsa serve` instances sharing one Virtuoso 7. The systemd units are checked
by `systemd-analyze verify` and the container file by hadolint.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from fixture_data import NZSA, REQUEST_TIMEOUT
from remote_engines import free_port, stop, wait_until_answers

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HADOLINT = str(Path(sys.executable).parent / "hadolint")
PUBLIC_HOST = "publisher.test"
TURTLE, JSONLD, HTML = "text/turtle", "application/ld+json", "text/html"


@dataclass
class Deployment:
    """The proxy's address and the two instances behind it."""

    url: str
    port: int
    instances: list


def nginx_conf(directory: Path, port: int, upstreams: list[int]) -> Path:
    """Write a main nginx.conf around deploy/nginx/nzsa.conf, moved to loopback ports."""
    site = (DEPLOY / "nginx" / "nzsa.conf").read_text()
    ports = iter(upstreams)
    site = re.sub(r"server 127\.0\.0\.1:808\d", lambda _: f"server 127.0.0.1:{next(ports)}", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("/var/cache/nginx/nzsa", str(directory / "cache"))
    (directory / "nzsa.conf").write_text(site)
    temp = "\n".join(
        f"  {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = directory / "nginx.conf"
    main.write_text(
        f"""
user root;
worker_processes 1;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
  access_log {directory / "access.log"};
{temp}
  include {directory / "nzsa.conf"};
}}
"""
    )
    return main


@pytest.fixture(scope="module")
def deployment(nzsa_server, fixture_build, virtuoso, tmp_path_factory):
    """Two instances on the shared Virtuoso behind nginx; stopped at the end."""
    port = free_port()
    # The public name the proxy answers for, and its own loopback address.
    allowed = f"{PUBLIC_HOST}:{port},127.0.0.1:{port}"
    settings = {"STORE": "remote", "REMOTE_ENDPOINT": virtuoso.endpoint, "TRUSTED_PROXIES": 1,
                "ALLOWED_HOSTS": allowed, "WORKERS": 1, "MAX_AGE": 2}  # fmt: skip
    instances = [nzsa_server(fixture_build, **settings) for _ in range(2)]
    directory = tmp_path_factory.mktemp("nginx")
    upstreams = [int(i.url.rstrip("/").rsplit(":", 1)[1]) for i in instances]
    conf = nginx_conf(directory, port, upstreams)
    check = subprocess.run([NGINX, "-t", "-p", str(directory), "-c", str(conf)],
                           capture_output=True, text=True, timeout=30)  # fmt: skip
    assert check.returncode == 0, check.stderr
    log = directory / "nginx.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [NGINX, "-p", str(directory), "-c", str(conf), "-g", "daemon off;"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_answers(url + "sparql?query=ASK%7B%7D", process, log, seconds=30)
        yield Deployment(url, port, instances)
    finally:
        stop(process)


def get(deployment: Deployment, path: str, accept: str | None = None, **headers):
    if accept:
        headers["Accept"] = accept
    headers.setdefault("Host", f"{PUBLIC_HOST}:{deployment.port}")
    return requests.get(deployment.url + path.lstrip("/"), headers=headers,
                        allow_redirects=False, timeout=REQUEST_TIMEOUT)  # fmt: skip


def test_things_answer_303_with_the_public_address(deployment):
    response = get(deployment, "/id/country/new-zealand", TURTLE)
    assert response.status_code == 303
    assert response.headers["Location"] == (
        f"http://{PUBLIC_HOST}:{deployment.port}/doc/country/new-zealand"
    )


@pytest.mark.parametrize("accept", [TURTLE, JSONLD, HTML])
def test_documents_are_negotiated_through_the_proxy(deployment, accept):
    response = get(deployment, "/doc/country/samoa", accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(accept)
    assert "Accept" in response.headers["Vary"]


def test_the_cache_keeps_documents_and_an_accept_change_never_gets_another_format(deployment):
    path = "/doc/country/tonga"
    statuses = []
    for accept in (TURTLE, JSONLD, TURTLE, JSONLD, HTML, TURTLE):
        response = get(deployment, path, accept)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(accept)
        statuses.append(response.headers["X-Cache-Status"])
    assert statuses[:2] == ["MISS", "MISS"]
    assert statuses[2:4] == ["HIT", "HIT"]


def test_a_client_revalidation_gets_304_from_the_cache(deployment):
    first = get(deployment, "/doc/country/japan", TURTLE)
    again = get(
        deployment, "/doc/country/japan", TURTLE, **{"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]


def test_the_cache_revalidates_stale_entries_with_the_etag(deployment):
    get(deployment, "/doc/country/fiji", TURTLE)
    assert get(deployment, "/doc/country/fiji", TURTLE).headers["X-Cache-Status"] == "HIT"
    time.sleep(3.5)  # MAX_AGE is 2 s here; nginx counts whole seconds
    revalidated = get(deployment, "/doc/country/fiji", TURTLE)
    assert revalidated.status_code == 200
    # nginx asked with If-None-Match, the instance answered 304, the cached body was sent.
    assert revalidated.headers["X-Cache-Status"] == "REVALIDATED"


def test_no_store_answers_are_never_cached(deployment):
    query = "/sparql?query=SELECT%20(RAND()%20AS%20%3Fr)%20%7B%7D"
    statuses = {get(deployment, query, "text/csv").headers["X-Cache-Status"] for _ in range(3)}
    assert "HIT" not in statuses


def test_forwarded_headers_count_only_from_the_trusted_proxy(deployment, nzsa_server,
                                                            fixture_build, virtuoso):  # fmt: skip
    # Through nginx, a client's own X-Forwarded-Host is replaced by the proxy's.
    spoofed = get(deployment, "/id/country/tonga", TURTLE, **{"X-Forwarded-Host": "evil.test"})
    assert spoofed.status_code == 303
    assert spoofed.headers["Location"].startswith(f"http://{PUBLIC_HOST}:{deployment.port}/")
    forged = {"X-Forwarded-Host": PUBLIC_HOST, "X-Forwarded-Port": str(deployment.port),
              "X-Forwarded-Proto": "https"}  # fmt: skip
    # An instance trusting no proxy ignores the headers altogether.
    alone = nzsa_server(fixture_build, STORE="remote", REMOTE_ENDPOINT=virtuoso.endpoint,
                        WORKERS=1)  # fmt: skip
    direct = requests.get(alone.url + "id/country/tonga", headers=forged,
                          allow_redirects=False, timeout=REQUEST_TIMEOUT)  # fmt: skip
    assert direct.status_code == 303
    assert direct.headers["Location"].startswith(alone.url)
    # An instance trusting one proxy believes it (here, a client pretending to be one).
    trusting = deployment.instances[0]
    believed = requests.get(trusting.url + "id/country/tonga", headers=forged,
                            allow_redirects=False, timeout=REQUEST_TIMEOUT)  # fmt: skip
    assert believed.headers["Location"].startswith(f"https://{PUBLIC_HOST}:{deployment.port}/")


def test_stopping_one_instance_loses_no_request(deployment):
    """Distinct queries (never cached) through the proxy while one instance stops."""
    statuses: list[int] = []

    def ask(count: int) -> None:
        for n in range(count):
            query = f"SELECT ?s {{ ?s ?p ?o }} LIMIT {n + 1}"
            response = requests.get(
                deployment.url + "sparql",
                params={"query": query},
                headers={"Accept": "text/csv"},
                timeout=REQUEST_TIMEOUT,
            )
            statuses.append(response.status_code)

    client = threading.Thread(target=ask, args=(150,))
    client.start()
    time.sleep(0.3)
    victim = deployment.instances[1]
    stop(victim.process)
    client.join(timeout=120)
    assert len(statuses) == 150
    assert set(statuses) == {200}, [s for s in statuses if s != 200]
    assert victim.process.poll() is not None


def test_the_systemd_units_verify(tmp_path):
    units = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        text = unit.read_text().replace("/srv/nzsa/.venv/bin/nzsa", NZSA)
        name = unit.name.replace("@.", "@8081.")
        (tmp_path / name).write_text(text)
        units.append(str(tmp_path / name))
    assert len(units) == 2
    done = subprocess.run(["systemd-analyze", "verify", "--man=no", *units],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


def test_the_container_file_passes_hadolint_and_copies_what_exists():
    containerfile = DEPLOY / "Containerfile"
    done = subprocess.run([HADOLINT, "--no-color", str(containerfile)],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # A dry run of its COPY lines: every source is in the repository.
    sources = re.findall(r"(?m)^COPY ((?:\S+ )+)\S+$", containerfile.read_text())
    for line in sources:
        for source in line.split():
            assert (ROOT / source).exists(), source
