"""The GitHub workflows: valid against GitHub's schema, least privilege, and their invoke steps
run for real, in order, on the sample feed in a copy of the project with a bare git origin."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from conftest import ROOT, copy_project, run_invoke, snapshot

WORKFLOWS = ROOT / ".github" / "workflows"
ARCHIVE = WORKFLOWS / "archive.yml"
TESTS = WORKFLOWS / "tests.yml"
SITEURL = "https://someone.github.io/my-archive"


def load(path: Path) -> dict[str, Any]:
    """A workflow file as plain data (YAML 1.2: `on` stays a string)."""
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    """The steps of one job."""
    return workflow["jobs"][job]["steps"]


def uses(step: dict[str, Any]) -> str:
    """The action of a step without its version ("actions/checkout")."""
    return step.get("uses", "").split("@")[0]


def invoke_commands(workflow: dict[str, Any]) -> list[str]:
    """Every `invoke ...` line of the workflow's run scripts, in order."""
    lines = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            for line in step.get("run", "").splitlines():
                if line.strip().startswith("invoke "):
                    lines.append(line.strip())
    return lines


def test_workflows_are_valid_against_githubs_schema() -> None:
    checker = Path(sys.executable).with_name("check-jsonschema")
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["archive.yml", "tests.yml"]
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        ARCHIVE.read_text(encoding="utf-8").replace("runs-on:", "run-on:", 1), encoding="utf-8"
    )
    checker = Path(sys.executable).with_name("check-jsonschema")
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.github-workflows", str(broken)],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0


@pytest.mark.parametrize("path", [ARCHIVE, TESTS], ids=["archive", "tests"])
def test_run_scripts_are_valid_bash_without_inline_expressions(path: Path) -> None:
    for job in load(path)["jobs"].values():
        for step in job.get("steps", []):
            script = step.get("run")
            if script is None:
                continue
            # Expressions go through env: (no script injection, secrets never in a command).
            assert "${{" not in script, step
            check = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
            assert check.returncode == 0, check.stderr


def test_archive_runs_hourly_and_on_demand_one_at_a_time() -> None:
    workflow = load(ARCHIVE)
    triggers = workflow["on"]
    (schedule,) = triggers["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert minute.isdigit() and hour == "*" and rest == ["*", "*", "*"]
    assert "workflow_dispatch" in triggers
    condition = workflow["jobs"]["archive"]["if"]
    assert condition.startswith("github.event_name == 'schedule' ||")
    assert "github.event.repository.default_branch" in condition
    assert workflow["concurrency"]["group"]
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_archive_permissions_are_least_privilege() -> None:
    workflow = load(ARCHIVE)
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["archive"]["permissions"] == {"contents": "write", "pages": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert jobs["feeds"]["permissions"] == {}
    writers = [name for name, job in jobs.items() if "write" in job["permissions"].values()]
    assert sorted(writers) == ["archive", "deploy"]
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert load(TESTS)["permissions"] == {"contents": "read"}


def test_archive_steps_are_in_the_right_order() -> None:
    workflow = load(ARCHIVE)
    archive = steps(workflow, "archive")
    actions = [uses(step) for step in archive if "uses" in step]
    assert actions == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/cache/restore",
        "actions/cache/save",
        "actions/upload-pages-artifact",
    ]
    restore = next(step for step in archive if uses(step) == "actions/cache/restore")
    save = next(step for step in archive if uses(step) == "actions/cache/save")
    assert restore["with"]["path"].split() == save["with"]["path"].split() == ["output", "cache"]
    assert restore["with"]["restore-keys"] == "site-" and save["with"]["key"].startswith("site-")
    build_at = next(i for i, step in enumerate(archive) if step.get("run") == "invoke preview")
    assert archive.index(restore) < build_at < archive.index(save)
    python = next(step for step in archive if uses(step) == "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    assert any("pip install -r requirements.txt" in step.get("run", "") for step in archive)
    assert invoke_commands(workflow) == ["invoke fetch", "invoke commit --push", "invoke preview"]
    assert [uses(step) for step in steps(workflow, "deploy")] == ["actions/deploy-pages"]
    assert workflow["jobs"]["deploy"]["needs"] == "archive"

    build = next(step for step in archive if step.get("run") == "invoke preview")
    assert build["env"]["SITEURL"] == "${{ steps.pages.outputs.base_url }}"
    upload = next(step for step in archive if uses(step) == "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "output"


def test_a_failed_feed_is_committed_then_fails_the_run() -> None:
    workflow = load(ARCHIVE)
    archive = steps(workflow, "archive")
    fetch = next(step for step in archive if step.get("run") == "invoke fetch")
    assert fetch["continue-on-error"] is True
    assert workflow["jobs"]["archive"]["outputs"]["fetch"] == "${{ steps.fetch.outcome }}"
    assert archive.index(fetch) < next(
        i for i, step in enumerate(archive) if "invoke commit" in step.get("run", "")
    )
    final = workflow["jobs"]["feeds"]
    assert final["if"].startswith("always()")
    (check,) = final["steps"]
    assert "needs.archive.outputs.fetch" in check["if"] and "exit 1" in check["run"]


def test_secrets_reach_the_fetch_step_only_as_environment_variables() -> None:
    text = ARCHIVE.read_text(encoding="utf-8")
    references = re.findall(
        r"^\s*([A-Z_][A-Z0-9_]*): \$\{\{ secrets\.([A-Z0-9_]+) \}\}$", text, re.M
    )
    assert references and all(name == secret for name, secret in references)
    assert text.count("secrets.") == len(references)
    fetch = next(step for step in steps(load(ARCHIVE), "archive") if step.get("id") == "fetch")
    assert set(fetch["env"]) == {name for name, _ in references}


def test_tests_workflow_runs_the_readme_commands_on_push_and_pull_request() -> None:
    workflow = load(TESTS)
    assert {"push", "pull_request"} <= set(workflow["on"])
    runs = [step.get("run", "") for step in steps(workflow, "test")]
    assert "./bootstrap.sh" in runs and ".venv/bin/invoke test" in runs
    assert runs.index("./bootstrap.sh") < runs.index(".venv/bin/invoke test")


def git(*args: str) -> str:
    """Run git and return its output."""
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def _site_files(output: Path) -> dict[str, bytes]:
    """The built site's files and bytes, without the search bundle and the sitemap's dates
    (pelican-sitemap dates pages that have none with the time of the build)."""
    files = {k: v for k, v in snapshot(output).items() if not k.startswith("pagefind")}
    files["sitemap.xml"] = re.sub(rb"<lastmod>[^<]*</lastmod>", b"", files["sitemap.xml"])
    return files


def run_workflow(project: Path) -> list[int]:
    """Run the archive workflow's invoke commands in order, as its steps do; return exit codes."""
    codes = []
    for command in invoke_commands(load(ARCHIVE)):
        args = shlex.split(command)[1:]
        result = run_invoke(project, *args, env={"SITEURL": SITEURL})
        codes.append(result.returncode)
        if args[0] != "fetch":  # the fetch step alone may fail (continue-on-error)
            assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return codes


def test_the_workflow_sequence_archives_commits_and_builds_the_sample(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    origin = tmp_path / "origin.git"
    git("init", "-q", "--bare", "-b", "main", str(origin))
    git("-C", str(project), "remote", "add", "origin", str(origin))
    git("-C", str(project), "push", "-q", "origin", "main")
    output = project / "output"
    config = project / "pelicanconf.py"
    # Snapshots 1 and 2 are one feed at two addresses: the id keeps its items' identities.
    sample = (
        '[{"name": "Le Fil Numérique", "url": "samples/feeds/next-sample-1.xml",'
        ' "id": "fil-numerique.example/feed"}]'
    )
    text = config.read_text(encoding="utf-8") + f"\nFEED_ARCHIVE_SOURCES = {sample}\n"
    config.write_text(text, encoding="utf-8")
    git("-C", str(project), "commit", "-q", "-am", "settings: the sample feed")

    # First run: the configured sample feed is new.
    assert run_workflow(project) == [0, 0, 0]
    first = git("--git-dir", str(origin), "log", "-1", "--format=%s", "main").strip()
    count = int(re.fullmatch(r"archive: (\d+) new items, 0 updated items", first).group(1))
    posts = git("--git-dir", str(origin), "ls-tree", "-r", "--name-only", "main", "content/archive")
    assert sum(p.endswith(".md") for p in posts.split()) == count > 10
    assert f"<loc>{SITEURL}/" in (output / "sitemap.xml").read_text(encoding="utf-8")
    assert (output / "index.html").is_file() and (output / "robots.txt").is_file()

    # Second run: the feed moved on (snapshot 2 updates one item) and a second feed is broken.
    text = config.read_text(encoding="utf-8").replace("next-sample-1.xml", "next-sample-2.xml")
    text += '\nFEED_ARCHIVE_SOURCES.append({"name": "Broken", "url": "samples/feeds/none.xml"})\n'
    config.write_text(text, encoding="utf-8")
    git("-C", str(project), "commit", "-q", "-am", "settings: snapshot 2, a broken feed")
    codes = run_workflow(project)
    assert codes[0] == 1 and codes[1:] == [0, 0]
    second = git("--git-dir", str(origin), "log", "-1", "--format=%s", "main").strip()
    assert re.fullmatch(r"archive: \d+ new items?, 1 updated item", second), second
    assert git("-C", str(project), "status", "--porcelain", "content") == ""

    # That build kept output/ and cache/ (as the workflow restores them) and was incremental:
    # it equals a clean production build, pagefind/ aside (Pagefind's file names vary per run).
    assert (project / "cache" / "feed_archive-output.json").is_file()
    incremental = _site_files(output)
    shutil.rmtree(project / "cache")
    result = run_invoke(project, "preview", env={"SITEURL": SITEURL})
    assert result.returncode == 0, result.stderr
    assert _site_files(output) == incremental

    # Third run: nothing new, so no commit.
    head = git("--git-dir", str(origin), "rev-parse", "main")
    run_workflow(project)
    assert git("--git-dir", str(origin), "rev-parse", "main") == head


def test_the_test_job_may_mount_so_the_fault_tests_run() -> None:
    """The read-only and full-disk tests mount; under CI they fail when they cannot (issue 13)."""
    container = load(TESTS)["jobs"]["test"]["container"]
    assert container["image"].startswith("python:3.12")
    assert "--privileged" in container["options"].split()
