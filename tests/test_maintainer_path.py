"""The maintainer's path of issue 12, end to end, on a copy of the repository in git.

Add an organisation and a membership without evidence, then with a mistyped apostrophe,
then right; format; see the change; rename a released IRI, retire it; release. Once with
the checkout's editable install, once from a wheel installed into a fresh virtual
environment (non-editable), both run from the copy as a maintainer would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SLUG = "south-pacific-defence-ministers-meeting"
ORGANISATION = f"organisation:{SLUG}"
MEMBERSHIP = f"membership:new-zealand-{SLUG}"
SOURCE = "source:mod-diplomacy-and-engagement"
ORGANISATION_QUOTE = "as well as the South Pacific Defence Ministers’ Meeting"
MEMBERSHIP_QUOTE = (
    "is a member of the East Asia Summit, the ASEAN Regional Forum and the ASEAN Defence "
    "Ministers’ Meeting-Plus (ADMM-Plus), as well as the South Pacific Defence Ministers’ Meeting"
)
IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip
RETIRED = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
organisation:european-union owl:deprecated true ;
    dcterms:isReplacedBy organisation:the-european-union ;
    skos:changeNote "Renamed by the maintainer's test."@en ;
    skos:prefLabel "European Union"@en .
"""


def evidence(quote: str) -> str:
    node = f'a nzsa:Evidence ; prov:wasQuotedFrom {SOURCE} ; nzsa:quote "{quote}"'
    return f"    nzsa:evidence [ {node} ] ;\n"


def organisation(quote: str | None) -> str:
    """The organisation as a maintainer types it: valid Turtle, not in the canonical layout."""
    return (
        f"\n{ORGANISATION} a nzsa:Forum ;\n"
        '    skos:prefLabel "South Pacific Defence Ministers\' Meeting"@en ;\n'
        + (evidence(quote) if quote else "")
        + '    skos:editorialNote "No Wikidata id is listed for this entity in '
        'data/wikidata-ids.csv, so it has no skos:exactMatch."@en .\n'
    )


def membership(quote: str | None) -> str:
    return (
        f"\n{MEMBERSHIP} a nzsa:Membership ;\n"
        f"    org:member country:new-zealand ; org:organization {ORGANISATION} ;\n"
        + (evidence(quote) if quote else "")
        + "    org:role role:member .\n"
    )


class Maintainer:
    """Runs one nzsa installation's commands in the project copy, as a person would."""

    def __init__(self, nzsa: Path, repo: Path):
        self.nzsa, self.repo = nzsa, repo
        self.env = {k: v for k, v in os.environ.items() if k != "NZSA_ROOT"} | IDENTITY
        self.original = {name: self.read(name) for name in self.files}

    files = ("data/organisations.ttl", "data/facts-mod-diplomacy-and-engagement.ttl")

    def read(self, name: str) -> str:
        return (self.repo / name).read_text(encoding="utf-8")

    def write_additions(self, org_quote: str | None, membership_quote: str | None) -> None:
        organisations, facts = self.files
        (self.repo / organisations).write_text(
            self.original[organisations] + organisation(org_quote), encoding="utf-8"
        )
        (self.repo / facts).write_text(
            self.original[facts] + membership(membership_quote), encoding="utf-8"
        )

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([self.nzsa, *args], cwd=self.repo / "data", env=self.env,
                              capture_output=True, text=True, timeout=900)  # fmt: skip

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.repo, env=self.env, check=True,
                              capture_output=True, text=True).stdout  # fmt: skip


def errors(done: subprocess.CompletedProcess) -> list[str]:
    return [line for line in done.stdout.splitlines() if line.startswith("::error ")]


@pytest.fixture(scope="module")
def wheel_nzsa(tmp_path_factory) -> Path:
    """nzsa installed with `pip install` (not editable) into a fresh virtual environment."""
    base = tmp_path_factory.mktemp("installed")
    source = base / "source"  # a copy, so that building leaves no build/ in the checkout
    source.mkdir()
    for name in ("server", "pyproject.toml", "README.md"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([venv / "bin" / "python", "-m", "pip", "install", "-q", str(source)],
                   check=True, capture_output=True, timeout=1800)  # fmt: skip
    return venv / "bin" / "nzsa"


@pytest.fixture(params=["editable", "installed"])
def maintainer(request, tmp_path) -> Maintainer:
    """A copy of the repository without the SPDMM and its membership, released as 1.0.0."""
    nzsa = ROOT / ".venv" / "bin" / "nzsa"
    if request.param == "installed":
        nzsa = request.getfixturevalue("wheel_nzsa")
    repo = tmp_path / "nzsa"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / folder, repo / folder)
    for path in (repo / "data").glob("*.ttl"):
        blocks = path.read_text(encoding="utf-8").split("\n\n")
        path.write_text("\n\n".join(b for b in blocks if SLUG not in b), encoding="utf-8")
    person = Maintainer(nzsa, repo)
    assert person.run("fmt").returncode == 0
    person.original = {name: person.read(name) for name in person.files}
    person.git("init", "-q")
    person.git("add", "-A")
    person.git("commit", "-qm", "the data")
    released = person.run("release", "1.0.0")
    assert released.returncode == 0, released.stdout + released.stderr
    return person


def test_the_maintainers_path(maintainer):
    me = maintainer
    # 1. Without evidence: one finding each, about the missing evidence.
    me.write_additions(None, None)
    done = me.run("validate", "--format", "github")
    assert done.returncode == 1, done.stdout + done.stderr
    found = errors(done)
    assert len(found) == 2, found
    assert sum(f"{ORGANISATION}: " in line for line in found) == 1
    assert sum(f"{MEMBERSHIP}: " in line for line in found) == 1
    assert all("nzsa:evidence" in line for line in found)

    # 2. The evidence typed with ' for ’: each quote is refused, naming its source.
    me.write_additions(ORGANISATION_QUOTE.replace("’", "'"), MEMBERSHIP_QUOTE.replace("’", "'"))
    done = me.run("validate", "--format", "github")
    assert done.returncode == 1
    found = errors(done)
    assert len(found) == 2, found
    assert all(f"does not occur in {SOURCE}" in line for line in found)
    # Each shows where the quote differs from the source, naming both characters.
    for line in found:
        assert "differs at character" in line
        assert 'the quote has "\'" (U+0027 APOSTROPHE)' in line
        assert "the source '’' (U+2019 RIGHT SINGLE QUOTATION MARK)" in line

    # 3. Fixed: it validates; fmt --check finds the two files, fmt fixes them.
    me.write_additions(ORGANISATION_QUOTE, MEMBERSHIP_QUOTE)
    done = me.run("validate")
    assert done.returncode == 0, done.stdout
    check = me.run("fmt", "--check")
    assert check.returncode == 1
    assert sorted(re.findall(r"would reformat (\S+)", check.stdout)) == [
        "facts-mod-diplomacy-and-engagement.ttl", "organisations.ttl"
    ]  # fmt: skip
    assert me.run("fmt").returncode == 0
    assert me.run("fmt", "--check").returncode == 0
    me.git("commit", "-qam", "Add the SPDMM and New Zealand's membership")

    # 4. The change, in Markdown: the membership is one fact, with its quote and source.
    done = me.run("diff", "v1.0.0", "--format", "markdown")
    assert done.returncode == 0, done.stderr
    asserted = done.stdout.split("### Asserted:", 1)[1].split("<details>", 1)[0]
    fact = re.search(rf"^- \*\*\+ .*`{MEMBERSHIP}`.*\*\*$\n((?:  - .*\n)+)", asserted, re.M)
    assert fact, asserted
    assert f"“{MEMBERSHIP_QUOTE}”" in fact[1] and f"`{SOURCE}`" in fact[1]
    assert asserted.count(f"`{MEMBERSHIP}`): added fact") == 1
    assert "genid" not in asserted  # the evidence is in its fact, not a node of its own

    # 5. A released IRI renamed without deprecation fails the stability check ...
    for name in me.files + ("data/facts-mfat-regional-security.ttl",):
        text = re.sub(r"organisation:european-union(?![\w-])", "organisation:the-european-union",
                      me.read(name))  # fmt: skip
        (me.repo / name).write_text(text, encoding="utf-8")
    done = me.run("validate", "--since-release", "--format", "github")
    assert done.returncode == 1
    [found] = errors(done)
    assert "organisation:european-union: published in v1.0.0, is gone" in found
    assert found.endswith("Renamed to organisation:the-european-union?")

    # ... and passes once the old IRI is deprecated with its replacement.
    with (me.repo / "data" / "organisations.ttl").open("a", encoding="utf-8") as data:
        data.write(RETIRED)
    assert me.run("fmt").returncode == 0
    done = me.run("validate", "--since-release")
    assert done.returncode == 0, done.stdout
    me.git("commit", "-qam", "Rename the EU's IRI")

    # 6. The release writes its changelog entry.
    released = me.run("release", "1.1.0")
    assert released.returncode == 0, released.stdout + released.stderr
    changelog = me.read("CHANGELOG.md")
    entry = changelog.split("## [1.1.0]", 1)[1].split("## [1.0.0]", 1)[0]
    assert "Changes since v1.0.0." in entry
    assert "`organisation:european-union` → `organisation:the-european-union` (renamed)" in entry
    assert f"`{MEMBERSHIP}`): added fact" in entry  # the diff since v1.0.0
    assert me.git("tag", "--list") == "v1.0.0\nv1.1.0\n"
    assert me.git("status", "--porcelain") == ""
