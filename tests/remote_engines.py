"""Private instances of the remote engines on loopback: `oxigraph serve` and Virtuoso 7.

Each instance has its own database directory and ports. Virtuoso's configuration is
Debian's stock `virtuoso.ini` with only the paths, ports and allowed directories changed,
so its defaults (gzip answers, `ResultSetMaxRows`, the cost estimate) are what the tests
meet. A fresh Virtuoso database takes several seconds to create, so one is made per
session and copied for each instance.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from fixture_data import free_port

STOCK_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
DATABASE_FILES = ("virtuoso.db", "virtuoso-temp.db")
# The bulk load: one loader per core, sharing parts of a line-based file of this size.
LOADERS = os.cpu_count() or 1
PART_BYTES = 64 * 2**20
LINE_FORMATS = (".nq", ".nt")
# The bulk loader's graph for N-Quads, whose quads name their own.
UNUSED_GRAPH = "urn:nzsa:unused"
# Where docs/SPARQL.md says to load a build's VoID description (void.ttl).
DESCRIPTION_GRAPH = "https://w3id.org/nzsa/graph/void"


def split_lines(source: Path, target: Path, part_bytes: int = PART_BYTES) -> list[Path]:
    """Copy an RDF file into `target` for the bulk loader; return the copies.

    N-Quads and N-Triples are cut after a line end into parts of about `part_bytes`, so
    several loaders can share them; other formats, and files with blank-node labels (whose
    scope is the file), are copied whole.
    """
    whole = [target / source.name]
    if source.suffix not in LINE_FORMATS:
        shutil.copyfile(source, whole[0])
        return whole
    parts: list[Path] = []
    with source.open("rb") as lines:
        while block := lines.read(part_bytes):
            block += lines.readline()
            if b"_:" in block:
                for part in parts:
                    part.unlink()
                shutil.copyfile(source, whole[0])
                return whole
            parts.append(target / f"{source.stem}-{len(parts):05d}{source.suffix}")
            parts[-1].write_bytes(block)
    return parts or [shutil.copyfile(source, whole[0])]


def build_files(build_dir: Path) -> list[tuple[Path, str | None]]:
    """Return what an engine loads from a build: nzsa.nq, and void.ttl into its graph."""
    files: list[tuple[Path, str | None]] = [(build_dir / "nzsa.nq", None)]
    if (build_dir / "void.ttl").is_file():
        files.append((build_dir / "void.ttl", DESCRIPTION_GRAPH))
    return files


def stop(process: subprocess.Popen, seconds: float = 30) -> None:
    """End a server started in its own session, and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def wait_until_answers(url: str, process: subprocess.Popen, log: Path, seconds=60.0) -> None:
    """Wait until `url` answers 200, failing with the server's log if it exits or stalls."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}):\n{log.read_text()}")
        with contextlib.suppress(requests.ConnectionError, requests.Timeout):
            if requests.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer at {url} within {seconds} s:\n{log.read_text()}")


def virtuoso_ini(
    directory: Path,
    sql_port: int,
    http_port: int,
    parameters: dict | None = None,
    **sparql: object,
) -> str:
    """Return Debian's stock virtuoso.ini moved into `directory`, on loopback ports.

    `parameters` overrides keys of the [Parameters] section (e.g. NumberOfBuffers),
    `sparql` those of the [SPARQL] section (e.g. ResultSetMaxRows=20).
    """
    text = STOCK_INI.read_text()
    text = text.replace("/var/lib/virtuoso-opensource-7/db", str(directory))
    sections = re.split(r"(?m)^(?=\[)", text)
    for index, section in enumerate(sections):
        if section.startswith("[Parameters]"):
            section = _set(section, "ServerPort", f"127.0.0.1:{sql_port}")
            allowed = re.search(r"(?m)^DirsAllowed\s*=\s*(.*)$", section).group(1).strip()
            section = _set(section, "DirsAllowed", f"{allowed}, {directory}")
            for key, value in (parameters or {}).items():
                section = _set(section, key, str(value))
        elif section.startswith("[HTTPServer]"):
            section = _set(section, "ServerPort", f"127.0.0.1:{http_port}")
        elif section.startswith("[URIQA]"):
            section = _set(section, "DefaultHost", f"127.0.0.1:{http_port}")
        elif section.startswith("[SPARQL]"):
            for key, value in sparql.items():
                section = _set(section, key, str(value))
        sections[index] = section
    return "".join(sections)


def _set(section: str, key: str, value: str) -> str:
    line = re.compile(rf"(?m)^{key}\s*=.*$")
    if line.search(section):
        return line.sub(f"{key} = {value}", section, count=1)
    head, _, rest = section.partition("\n")
    return f"{head}\n{key} = {value}\n{rest}"


@dataclass
class Virtuoso:
    """A private Virtuoso instance: its directory, ports and process."""

    directory: Path
    sql_port: int
    http_port: int
    process: subprocess.Popen

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def isql(self, statements: str, timeout: float = 300) -> str:
        """Run SQL statements as the instance's DBA; return isql's output (raise on error)."""
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def load(
        self, nquads: Path, restart: bool = True, timeout: float = 300, graph: str | None = None
    ) -> int:
        """Bulk-load an N-Quads file (each quad into its named graph), then restart.

        A triples file (Turtle, N-Triples) goes into `graph`. As OpenLink advises for large
        loads, a line-based file is split into parts, `rdf_loader_run()` runs in one isql
        session per core, and the database is checkpointed once at the end. Returns the
        number of files the loaders read.

        Virtuoso 7.2.5 answers some property-path queries wrongly (`a/rdfs:subClassOf*`
        drops rows) after a bulk load until it is restarted; docs/DEPLOY.md says so too.
        """
        loads = self.directory / "load"
        loads.mkdir(exist_ok=True)
        target = loads / str(len(list(loads.iterdir())))
        target.mkdir()
        parts = split_lines(nquads, target, PART_BYTES)
        graph = graph or UNUSED_GRAPH
        self.isql(f"ld_dir('{target}', '*', '{graph}');", timeout)
        loaders = min(LOADERS, len(parts))
        with ThreadPoolExecutor(loaders) as pool:
            list(pool.map(lambda _: self.isql("rdf_loader_run();", timeout), range(loaders)))
        self.isql("checkpoint;", timeout)
        failed = self.isql("SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error <> '';")
        if "0 Rows." not in failed:
            raise RuntimeError(f"Virtuoso could not load {nquads}:\n{failed}")
        if restart:
            self.restart()
        return len(parts)

    def stop(self) -> None:
        stop(self.process)

    def restart(self) -> None:
        """Stop and start again on the same database and ports."""
        self.stop()
        log = self.directory / "stdout.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [VIRTUOSO, "+foreground", "+configfile", str(self.directory / "virtuoso.ini")],
                cwd=self.directory, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_until_answers(self.endpoint + "?query=ASK%7B%7D", self.process, log, seconds=120)


def make_virtuoso_template(directory: Path) -> Path:
    """Create an empty Virtuoso database once (its system graphs included); return its dir."""
    directory.mkdir(parents=True, exist_ok=True)
    instance = start_virtuoso(directory, template=None)
    instance.isql("checkpoint;")
    instance.stop()
    return directory


def start_virtuoso(
    directory: Path, template: Path | None, parameters: dict | None = None, **sparql: object
) -> Virtuoso:
    """Start Virtuoso on a copy of `template` (or a new database) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    if template is not None:
        for name in DATABASE_FILES:
            shutil.copyfile(template / name, directory / name)
    sql_port, http_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(virtuoso_ini(directory, sql_port, http_port, parameters, **sparql))
    log = directory / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=directory, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    instance = Virtuoso(directory, sql_port, http_port, process)
    try:
        wait_until_answers(instance.endpoint + "?query=ASK%7B%7D", process, log, seconds=120)
    except RuntimeError:
        instance.stop()
        raise
    return instance


def start_oxigraph(
    directory: Path, nquads: Path, oxigraph: str, description: Path | None = None
) -> tuple[str, subprocess.Popen]:
    """Load N-Quads (and a VoID description into its graph) into a new
    `oxigraph serve-read-only`; return its endpoint and process."""
    location = directory / "db"
    subprocess.run(
        [oxigraph, "load", "--location", str(location), "--file", str(nquads)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    if description is not None:
        subprocess.run(
            [oxigraph, "load", "--location", str(location), "--file", str(description),
             "--graph", DESCRIPTION_GRAPH],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    port = free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [oxigraph, "serve-read-only", "--location", str(location),
             "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", "5"],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    endpoint = f"http://127.0.0.1:{port}/query"
    try:
        wait_until_answers(endpoint + "?query=ASK%7B%7D", process, log, seconds=30)
    except RuntimeError:
        stop(process)
        raise
    return endpoint, process
