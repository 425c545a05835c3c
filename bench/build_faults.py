"""Kill `nzsa build` at random points of its writing, again and again; the output folder
must always hold one whole build, old or new, that its SHA256SUMS verifies.

    python -m bench.build_faults --times 100 [--seed N] [--project DIR]
    python -m bench.build_faults --reloads 10 --server granian|gunicorn

Two versions of a project (the one given, and a copy with another owl:versionInfo) are
built in turn into one folder; each build is killed (SIGKILL) at a random moment from
its first change on disk to half as long again past its last (its swap into place), and the
folder is checked: every file SHA256SUMS lists is there and matches, every file the
manifest lists is there, and the sums are exactly those of the build before or of the
build being made. tests/test_build_atomic.py runs the same loop a few times. (bench/faults.py is the
load and fault suite of the running server.)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

NZSA = Path(sys.executable).with_name("nzsa")
ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "validate" / "project"
POLL = 0.001


def two_versions(project: Path, into: Path) -> tuple[Path, Path]:
    """Copy a project twice, the second with another owl:versionInfo: two valid datasets."""
    first, second = into / "first", into / "second"
    shutil.copytree(project, first)
    shutil.copytree(project, second)
    for path in (second / "ontology").glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        changed = re.sub(r'owl:versionInfo "([^"]*)"', r'owl:versionInfo "\1-next"', text)
        path.write_text(changed, encoding="utf-8")
    return first, second


def build(project: Path, out: Path) -> subprocess.Popen:
    """Start `nzsa build --out OUT PROJECT`."""
    return subprocess.Popen(
        [str(NZSA), "build", "--out", str(out), str(project)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def snapshot(out: Path) -> tuple:
    """What can be seen of a build folder and its parent: names, inodes, sizes, times."""
    try:
        files = sorted((e.name, e.inode(), e.stat().st_size, e.stat().st_mtime_ns)
                       for e in os.scandir(out))  # fmt: skip
    except FileNotFoundError:
        files = []
    return tuple(sorted(os.listdir(out.parent))), tuple(files)


def wait_for_first_change(process: subprocess.Popen, out: Path) -> float:
    """Wait until the build changes anything on disk (or ends); return when, monotonic."""
    before = snapshot(out)
    while process.poll() is None and snapshot(out) == before:
        time.sleep(POLL)
    return time.monotonic()


def sums_of(out: Path) -> str | None:
    try:
        return (out / "SHA256SUMS").read_text(encoding="utf-8")
    except OSError:
        return None


def check(out: Path) -> str | None:
    """Why the folder is not one whole build, or None when it is."""
    sums = sums_of(out)
    if sums is None:
        return "no SHA256SUMS"
    for line in sums.splitlines():
        digest, _, name = line.partition("  ")
        path = out / name
        if not path.is_file():
            return f"{name} is listed but missing"
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return f"{name} does not match SHA256SUMS"
    try:
        listed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        return "no readable manifest.json"
    missing = [name for name in listed if not (out / name).is_file()]
    return f"{missing} missing" if missing else None


def write_phase(versions: tuple[Path, Path], out: Path) -> float:
    """Seconds from a build's first change on disk to its last, over a build already there."""
    if build(versions[0], out).wait() != 0:
        raise RuntimeError("the first build failed")
    process = build(versions[1], out)
    first = last = wait_for_first_change(process, out)
    seen = snapshot(out)
    while process.poll() is None:
        now = snapshot(out)
        if now != seen:
            seen, last = now, time.monotonic()
        time.sleep(POLL)
    return max(last - first, 0.01)


def kill_builds(project: Path, scratch: Path, times: int, seed: int = 0) -> Counter:
    """Kill `times` builds at random points; count what each left: `old`, `new` or a fault."""
    rng = random.Random(seed)
    versions = two_versions(project, scratch)
    out = scratch / "out"
    if build(versions[0], out).wait() != 0:
        raise RuntimeError("the first build failed")
    writing = write_phase(versions, scratch / "calibrate")
    # Builds are deterministic: each version's sums, whoever writes them.
    known = {sums_of(out): 0, sums_of(scratch / "calibrate"): 1}
    if len(known) != 2:
        raise RuntimeError("the two versions built the same files")
    outcomes: Counter = Counter()
    for _ in range(times):
        current = known[sums_of(out)]
        process = build(versions[1 - current], out)
        first = wait_for_first_change(process, out)
        time.sleep(max(first + rng.uniform(0, 1.5 * writing) - time.monotonic(), 0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        fault = check(out)
        sums = sums_of(out)
        if fault is not None:
            outcomes[f"fault: {fault}"] += 1
        elif sums not in known:
            outcomes["fault: sums of neither build"] += 1
        else:
            outcomes["old" if known[sums] == current else "new"] += 1
    return outcomes


def reload_under_load(project: Path, scratch: Path, server: str, times: int) -> Counter:
    """Reload `nzsa serve` `times` times (SIGHUP, the version changed each time) while four
    clients ask without pause (two on fresh connections, two keeping theirs alive); count
    the answers by status, and the errors."""
    import threading

    import requests

    root = two_versions(project, scratch)[0]
    port = _free_port()
    env = {**os.environ, "NZSA_ROOT": str(root), "NZSA_BUILD_DIR": str(scratch / "build"),
           "NZSA_PORT": str(port), "NZSA_SERVER": server, "NZSA_WORKERS": "2",
           "NZSA_THREADS": "2", "NZSA_REBUILD": "auto"}  # fmt: skip
    log = (scratch / f"serve-{server}.log").open("wb")
    process = subprocess.Popen([str(NZSA), "serve"], env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/ontology.ttl"
    tally: Counter = Counter()
    stop = threading.Event()

    def client(keep_alive: bool) -> None:
        session = requests.Session() if keep_alive else requests
        while not stop.is_set():
            try:
                tally[str(session.get(url, timeout=30).status_code)] += 1
            except requests.RequestException as error:
                tally[f"error: {type(error).__name__}"] += 1

    try:
        _wait_for(lambda: requests.get(url, timeout=2).ok)
        clients = [threading.Thread(target=client, args=(k,)) for k in (False, False, True, True)]
        for thread in clients:
            thread.start()
        ontology = root / "ontology" / "nzsa.ttl"
        for number in range(times):
            text = re.sub(r'owl:versionInfo "[^"]*"', f'owl:versionInfo "r{number}"',
                          ontology.read_text(encoding="utf-8"))  # fmt: skip
            ontology.write_text(text, encoding="utf-8")
            process.send_signal(signal.SIGHUP)
            _wait_for(lambda n=number: f'"r{n}"' in requests.get(url, timeout=5).text)
        stop.set()
        for thread in clients:
            thread.join()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    return tally


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gave up waiting")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--project", type=Path, default=FIXTURE)
    parser.add_argument("--reloads", type=int, default=0, help="reload a server this often")
    parser.add_argument("--server", default="granian", choices=["granian", "gunicorn"])
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.reloads:
        with tempfile.TemporaryDirectory(prefix="nzsa-reloads-") as scratch:
            tally = reload_under_load(args.project, Path(scratch), args.server, args.reloads)
        for outcome, count in sorted(tally.items()):
            print(f"{outcome}: {count}")
        print(f"{args.reloads} reloads under {args.server} in {time.monotonic() - started:.0f} s")
        return 1 if set(tally) - {"200"} else 0
    with tempfile.TemporaryDirectory(prefix="nzsa-faults-") as scratch:
        outcomes = kill_builds(args.project, Path(scratch), args.times, args.seed)
    elapsed = time.monotonic() - started
    for outcome, count in sorted(outcomes.items()):
        print(f"{outcome}: {count}")
    print(f"{args.times} builds killed in {elapsed:.0f} s")
    return 1 if any(o.startswith("fault") for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
