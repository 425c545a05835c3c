"""A built project with one renamed and one withdrawn entity, for the linking tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from fixture_data import ID, NZSA

TESTS = Path(__file__).parent
PROJECT = TESTS / "fixtures" / "validate" / "project"
RETIRED = TESTS / "fixtures" / "linking" / "retired.ttl"
TERMS = TESTS / "fixtures" / "linking" / "terms.ttl"
# Lists New Zealand's Wikidata id but not Samoa's, which the data also links.
WIKIDATA_IDS = TESTS / "fixtures" / "linking" / "wikidata-ids.csv"

RENAMED = ID + "organisation/pacific-forum"
REPLACEMENT = ID + "organisation/pacific-islands-forum"
WITHDRAWN = ID + "country/atlantis"
WITHDRAWN_REASON = "Withdrawn: no source names it any more."


def linking_project(folder: Path) -> Path:
    """Copy the fixture project into `folder`, with the retired entities; return its root."""
    root = folder / "project"
    shutil.copytree(PROJECT, root)
    shutil.copy(RETIRED, root / "data" / RETIRED.name)
    shutil.copy(TERMS, root / "ontology" / TERMS.name)
    shutil.copy(WIKIDATA_IDS, root / "data" / WIKIDATA_IDS.name)
    return root


def build_project(root: Path, out: Path) -> Path:
    """Run `nzsa build` on a project as a user would; return the build folder."""
    done = subprocess.run(
        [NZSA, "build", "--out", str(out), str(root)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return out


def linking_build(folder: Path) -> Path:
    """Build the fixture project with its retired entities into `folder`/build."""
    return build_project(linking_project(folder), folder / "build")
