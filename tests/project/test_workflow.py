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
    assert "cache" not in python["with"]  # no pip cache: see the test just below
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
    feed_keys = {name for name, _ in references} - {"FEED_ARCHIVE_CACHE_KEY"}
    assert feed_keys and set(fetch["env"]) == feed_keys


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


# --- pinned workflows (issue 13) -------------------------------------------------------------

#: A step's `uses:` line pinned as required: owner/repo[/path]@<40 hex> # vX.Y.Z
PINNED = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w.-]+(?:/[\w.-]+)*@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


@pytest.mark.parametrize("path", [ARCHIVE, TESTS], ids=["archive", "tests"])
def test_every_action_is_pinned_to_a_commit_sha_with_its_version(path: Path) -> None:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if "uses:" in line]
    assert lines
    assert [line for line in lines if not PINNED.match(line)] == []


@pytest.mark.parametrize("path", [ARCHIVE, TESTS], ids=["archive", "tests"])
def test_no_checkout_leaves_the_token_in_git_config(path: Path) -> None:
    workflow = load(path)
    checkouts = [
        step
        for job in workflow["jobs"].values()
        for step in job.get("steps", [])
        if uses(step) == "actions/checkout"
    ]
    assert checkouts
    assert all(step["with"]["persist-credentials"] is False for step in checkouts)


@pytest.mark.parametrize("path", [ARCHIVE, TESTS], ids=["archive", "tests"])
def test_no_restored_cache_holds_code(path: Path) -> None:
    """Any workflow of the repository can write the Actions cache: a pip cache restored from
    it would install whatever was planted there. Only the site's folders are cached (sealed)."""
    cached = []
    for job in load(path)["jobs"].values():
        for step in job.get("steps", []):
            if uses(step).startswith("actions/setup-"):
                assert "cache" not in step.get("with", {}), step
            if uses(step).startswith("actions/cache"):
                cached.append(step["with"]["path"].split())
    assert all(paths == ["output", "cache"] for paths in cached), cached


def test_only_the_commit_step_holds_the_push_token() -> None:
    text = ARCHIVE.read_text(encoding="utf-8")
    assert text.count("github.token") == 1
    commit = next(step for step in steps(load(ARCHIVE), "archive") if step.get("id") == "commit")
    assert commit["env"] == {"PUSH_TOKEN": "${{ github.token }}"}


def test_the_commit_step_gives_git_the_token_through_the_environment_only(tmp_path: Path) -> None:
    """Its script, run by bash with a stand-in `invoke` that reports what git would send."""
    commit = next(step for step in steps(load(ARCHIVE), "archive") if step.get("id") == "commit")
    repo, bin_dir, seen = tmp_path / "repo", tmp_path / "bin", tmp_path / "seen"
    git("init", "-q", str(repo))
    git("-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q",
        "--allow-empty", "-m", "first")  # fmt: skip
    bin_dir.mkdir()
    stand_in = bin_dir / "invoke"
    stand_in.write_text(
        '#!/bin/sh\ngit config --get "http.$GITHUB_SERVER_URL/.extraheader" > "$SEEN"\n',
        encoding="utf-8",
    )
    stand_in.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PUSH_TOKEN": "ghs_token-of-this-run",
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_OUTPUT": str(tmp_path / "outputs"),
        "GITHUB_EVENT_NAME": "workflow_dispatch",
        "SEEN": str(seen),
    }
    result = subprocess.run(
        ["bash", "-e", "-c", commit["run"]], cwd=repo, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert seen.read_text(encoding="utf-8").strip() == (
        "AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX3Rva2VuLW9mLXRoaXMtcnVu"
    )  # base64 of "x-access-token:ghs_token-of-this-run"
    assert "ghs_token" not in (repo / ".git" / "config").read_text(encoding="utf-8")
    assert "::add-mask::eC1hY2Nlc3MtdG9rZW46Z2hzX3Rva2VuLW9mLXRoaXMtcnVu" in result.stdout
    assert (tmp_path / "outputs").read_text(encoding="utf-8") == "deploy=true\n"


def test_the_cache_key_guards_the_restored_build(tmp_path: Path) -> None:
    """The key reaches only the step that checks it is set and the build (which checks the
    seal); without it nothing is restored or saved, so an unchecked cache is never read."""
    archive = steps(load(ARCHIVE), "archive")
    holders = [s for s in archive if "FEED_ARCHIVE_CACHE_KEY" in (s.get("env") or {})]
    assert [s.get("id") for s in holders] == ["key", "build"]
    assert all(
        s["env"]["FEED_ARCHIVE_CACHE_KEY"] == "${{ secrets.FEED_ARCHIVE_CACHE_KEY }}"
        for s in holders
    )
    key = holders[0]
    for name in ("actions/cache/restore", "actions/cache/save"):
        step = next(s for s in archive if uses(s) == name)
        assert step["if"] == "steps.key.outputs.sealed == 'true'", name
        assert archive.index(key) < archive.index(step)
    for value, expected in (("a key", "sealed=true"), ("", "sealed=false")):
        outputs = tmp_path / f"outputs-{expected}"
        env = {"PATH": "/usr/bin:/bin", "FEED_ARCHIVE_CACHE_KEY": value}
        env["GITHUB_OUTPUT"] = str(outputs)
        subprocess.run(["bash", "-e", "-c", key["run"]], env=env, check=True, capture_output=True)
        assert outputs.read_text(encoding="utf-8") == expected + "\n"


def test_zizmor_finds_nothing_in_the_workflows() -> None:
    zizmor = Path(sys.executable).with_name("zizmor")
    result = subprocess.run(
        [str(zizmor), "--offline", str(WORKFLOWS)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr


def test_zizmor_is_pinned_and_run_by_lint() -> None:
    requirements = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").split()
    assert [r for r in requirements if r.startswith("zizmor")] == ["zizmor==1.32.0"]
    assert "zizmor" in (ROOT / "tasks.py").read_text(encoding="utf-8").split("def lint", 1)[1]


def test_npm_packages_are_pinned_by_exact_version_and_installed_with_npm_ci() -> None:
    import json

    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    wanted = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
    assert "axe-core" in wanted
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in wanted.values()), wanted
    for name, version in wanted.items():
        locked = lock["packages"][f"node_modules/{name}"]
        assert locked["version"] == version and locked["integrity"].startswith("sha512-")
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]
    bootstrap = (ROOT / "bootstrap.sh").read_text(encoding="utf-8")
    assert "npm ci --ignore-scripts" in bootstrap and "npm install" not in bootstrap
    runs = [step.get("run", "") for step in steps(load(TESTS), "test")]
    assert any(run.startswith("npm ci --ignore-scripts") for run in runs)
    assert not [run for run in runs if "npm install" in run]
