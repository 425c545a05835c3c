"""`nzsa build` publishes all at once: killed anywhere, it leaves the old build whole.

Finding (issue 11): a build killed while writing left the output folder a mix of old and
new files that no longer matched SHA256SUMS, which `--rebuild never` and /download/
would publish. bench/build_faults.py runs the same loop 100 times (bench/RESULTS.md).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from nzsa.build import build_dataset, publish
from nzsa.load import sources_from_paths

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.build_faults import FIXTURE, check, kill_builds, sums_of, two_versions  # noqa: E402

KILLS = 12


def test_a_build_killed_at_random_points_leaves_one_whole_build(tmp_path):
    outcomes = kill_builds(FIXTURE, tmp_path, KILLS, seed=11)
    assert sum(outcomes.values()) == KILLS
    assert set(outcomes) <= {"old", "new"}, outcomes
    # What the killed builds left beside the output is gone after the next whole build.
    build_dataset(sources_from_paths([tmp_path / "first"]), tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert check(tmp_path / "out") is None


def test_a_build_keeps_the_releases_and_the_folder_mode(tmp_path):
    first, second = two_versions(FIXTURE, tmp_path)
    out = tmp_path / "out"
    build_dataset(sources_from_paths([first]), out)
    (out / "releases" / "v1.0.0").mkdir(parents=True)
    (out / "releases" / "v1.0.0" / "nzsa.nq").write_text("kept\n")
    os.chmod(out, 0o750)
    build_dataset(sources_from_paths([second]), out)
    assert (out / "releases" / "v1.0.0" / "nzsa.nq").read_text() == "kept\n"
    assert out.stat().st_mode & 0o777 == 0o750
    assert check(out) is None and "-next" in (out / "ontology.ttl").read_text()


def test_without_an_atomic_exchange_a_swap_cut_short_is_repaired(tmp_path, monkeypatch):
    # Where renameat2 is missing, the old build is renamed aside, then the new one in: a
    # build killed between the two leaves no output, and the next build puts the old back.
    first, second = two_versions(FIXTURE, tmp_path)
    out = tmp_path / "out"
    build_dataset(sources_from_paths([first]), out)
    old_sums = sums_of(out)
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)

    def killed_between_renames(source, target):
        if Path(target) == out:
            raise KeyboardInterrupt  # as if killed here
        os.replace(source, target)

    monkeypatch.setattr(publish.os, "rename", killed_between_renames)
    with pytest.raises(KeyboardInterrupt):
        build_dataset(sources_from_paths([second]), out)
    assert not out.exists()
    monkeypatch.undo()
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    with publish.staged(out) as staging:
        # The old build is back in place before anything new is written.
        assert sums_of(out) == old_sums and check(out) is None
        (staging / "marker").write_text("new\n")
    assert (out / "marker").is_file()
