"""The CI kit: the workflow, the composite action and the pre-commit hooks others reuse."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Not canonical Turtle, and an organisation without evidence: both hooks must object.
BAD = """PREFIX nzsa: <https://w3id.org/nzsa/ontology#>
PREFIX organisation: <https://w3id.org/nzsa/id/organisation/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
organisation:test-forum a nzsa:Forum ; skos:prefLabel "Test Forum"@en .
"""
IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}  # fmt: skip


def load(name: str):
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def documented_lines() -> set[str]:
    """Every line of every fenced code block in the README."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", README, flags=re.M | re.S)
    return {line.strip() for block in blocks for line in block.splitlines() if line.strip()}


def run_lines() -> list[tuple[str, str]]:
    workflow, action = load(".github/workflows/ci.yml"), load("action.yml")
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    found = [("ci.yml", s["run"]) for s in steps if "run" in s]
    found += [("action.yml", s["run"]) for s in action["runs"]["steps"] if "run" in s]
    return [(name, line.strip()) for name, run in found for line in run.splitlines()]


def test_the_workflow_and_action_parse_as_github_reads_them():
    workflow = load(".github/workflows/ci.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    [job] = workflow["jobs"].values()
    checkout = job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0  # the release tags, for --since-release
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "path", "since-release", "fmt-check", "diff-summary", "python-version"
    }  # fmt: skip
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            # Inputs reach commands through the environment, never pasted into a script.
            assert "${{" not in step["run"]


def test_every_run_line_is_a_command_the_readme_documents():
    documented = documented_lines()
    lines = run_lines()
    assert len(lines) >= 5
    missing = [f"{name}: {line}" for name, line in lines if line not in documented]
    assert not missing


def test_the_tests_run_by_the_readme_command():
    assert ("ci.yml", "make test") in run_lines()
    assert "make test    # installs into .venv" in README


def test_the_repository_uses_the_hooks_it_publishes():
    published = {hook["id"]: hook for hook in load(".pre-commit-hooks.yaml")}
    assert set(published) == {"nzsa-validate", "nzsa-fmt"}
    [local] = load(".pre-commit-config.yaml")["repos"]
    assert local["repo"] == "local"
    assert {hook["id"]: hook for hook in local["hooks"]} == published


@pytest.mark.parametrize(
    "args",
    [
        ["validate-manifest", ".pre-commit-hooks.yaml"],
        ["validate-config", ".pre-commit-config.yaml"],
    ],
    ids=["manifest", "config"],
)
def test_pre_commit_accepts_the_hook_files(args):
    done = subprocess.run([BIN / "pre-commit", *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory) -> Path:
    """This repository as committed now, with the hook files as they are in the work tree."""
    clone = tmp_path_factory.mktemp("hooks") / "nzsa"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    for name in (".pre-commit-hooks.yaml", ".pre-commit-config.yaml"):
        shutil.copy(ROOT / name, clone / name)
    env = {**os.environ, **IDENTITY}
    subprocess.run(["git", "-C", str(clone), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(clone), "commit", "-qm", "hooks", "--allow-empty"],
                   check=True, env=env)  # fmt: skip
    return clone


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A repository of RDF: a copy of this project's, in canonical layout, committed."""
    repo = tmp_path_factory.mktemp("rdf") / "project"
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(ROOT / folder, repo / folder)
    subprocess.run([BIN / "nzsa", "fmt"], cwd=repo, check=True, capture_output=True)
    env = {**os.environ, **IDENTITY}
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", "data"], cwd=repo, check=True, env=env)
    return repo


def try_repo(hooks: Path, project: Path, hook: str, home: Path) -> subprocess.CompletedProcess:
    # No NZSA_ROOT: the hook finds the project from where it runs, as it would in a clone.
    env = {key: value for key, value in os.environ.items() if key != "NZSA_ROOT"}
    env.update(PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", PRE_COMMIT_HOME=str(home))
    return subprocess.run([BIN / "pre-commit", "try-repo", str(hooks), hook, "--all-files"],
                          cwd=project, env=env, capture_output=True, text=True,
                          timeout=900)  # fmt: skip


@pytest.mark.parametrize("hook", ["nzsa-validate", "nzsa-fmt"])
def test_each_hook_passes_a_clean_project(hooks_repo, project, hook, tmp_path):
    done = try_repo(hooks_repo, project, hook, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"nzsa (validate|fmt)\.+Passed", done.stdout)


def test_each_hook_fails_a_bad_file(hooks_repo, project, tmp_path):
    bad = tmp_path / "project"
    shutil.copytree(project, bad)
    (bad / "data" / "bad.ttl").write_text(BAD, encoding="utf-8")
    subprocess.run(["git", "add", "data/bad.ttl"], cwd=bad, check=True)

    validated = try_repo(hooks_repo, bad, "nzsa-validate", tmp_path / "home")
    assert validated.returncode == 1
    assert re.search(r"nzsa validate\.+Failed", validated.stdout)
    assert "data/bad.ttl" in validated.stdout and "organisation:test-forum" in validated.stdout

    formatted = try_repo(hooks_repo, bad, "nzsa-fmt", tmp_path / "home")
    assert formatted.returncode == 1
    assert re.search(r"nzsa fmt\.+Failed", formatted.stdout)
    assert "files were modified by this hook" in formatted.stdout
    assert (bad / "data" / "bad.ttl").read_text(encoding="utf-8") != BAD
    check = subprocess.run([BIN / "nzsa", "fmt", "--check"], cwd=bad, capture_output=True)
    assert check.returncode == 0


def test_the_action_runs_its_checks_on_another_repository(project, tmp_path):
    """Run the action's own `run:` lines as GitHub would, in its environment (nzsa installed)."""
    bad = tmp_path / "project"
    shutil.copytree(project, bad)
    (bad / "data" / "bad.ttl").write_text(BAD, encoding="utf-8")
    action = load("action.yml")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "NZSA_ROOT": str(bad)}
    results = {}
    for step in action["runs"]["steps"]:
        # The defaults (since-release and fmt-check true) leave out the "!= 'true'" step;
        # this is not a pull request.
        condition = step.get("if", "")
        if "run" not in step or "pip install" in step["run"] or "!=" in condition:
            continue
        if "pull_request" in condition:
            continue
        command = ["bash", "-c", step["run"]]
        results[step["run"]] = subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
        )
    validate = results["nzsa validate --format github --since-release"]
    assert validate.returncode == 1
    assert "::error file=" in validate.stdout and "organisation:test-forum" in validate.stdout
    fmt = results["nzsa fmt --check"]
    assert fmt.returncode == 1 and "bad.ttl" in fmt.stdout + fmt.stderr


def test_a_pull_requests_diff_becomes_the_job_summary(project, tmp_path):
    """Run the diff step of the workflow and the action as a pull request would."""
    change = tmp_path / "project"
    shutil.copytree(project, change)
    (change / "data" / "bad.ttl").write_text(BAD, encoding="utf-8")
    env = {**os.environ, **IDENTITY}
    subprocess.run(["git", "add", "-A"], cwd=change, check=True)
    subprocess.run(["git", "commit", "-qm", "a change"], cwd=change, check=True, env=env)
    [line] = {line for _, line in run_lines() if line.startswith("nzsa diff")}
    summary = tmp_path / "summary.md"
    env |= {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "BASE": "HEAD~1",
            "GITHUB_STEP_SUMMARY": str(summary), "NZSA_ROOT": str(change)}  # fmt: skip
    done = subprocess.run(["bash", "-c", line], cwd=change, env=env, capture_output=True,
                          text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("## nzsa diff: ")
    assert "`organisation:test-forum`" in written and "### Validation: " in written
