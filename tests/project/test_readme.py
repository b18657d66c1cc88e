"""The README is the user's manual: its settings table, task table and module map match the code."""

from __future__ import annotations

import json
import re

from conftest import ROOT, run_invoke
from feed_archive.settings.defaults import DEFAULTS, RENAMED

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The text of the `## title` section, up to the next second-level heading."""
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def _settings_rows() -> dict[str, str]:
    """Setting name -> its default cell, from the table of the Settings section."""
    rows = {}
    for line in _section("Settings").splitlines():
        found = re.match(r"\| `(FEED_ARCHIVE_[A-Z0-9_]+)` \| ([^|]*) \|", line)
        if found:
            rows[found.group(1)] = found.group(2).strip()
    return rows


def test_every_setting_has_one_row_and_no_row_is_stale() -> None:
    rows = _settings_rows()
    assert set(rows) == set(DEFAULTS), (
        f"missing: {sorted(set(DEFAULTS) - set(rows))}; stale: {sorted(set(rows) - set(DEFAULTS))}"
    )
    assert not set(rows) & set(RENAMED)


def test_scalar_defaults_are_written_as_shipped() -> None:
    rows = _settings_rows()
    checked = 0
    for name, value in DEFAULTS.items():
        if isinstance(value, bool | int | float | str):
            shown = json.dumps(value, ensure_ascii=False) if isinstance(value, str) else value
            if isinstance(value, bool):
                shown = str(value)
            assert rows[name].startswith(f"`{shown}`"), f"{name}: README says {rows[name]}"
            checked += 1
    assert checked >= 20


def test_every_task_is_in_the_commands_table() -> None:
    listing = json.loads(run_invoke(ROOT, "--list", "--list-format", "json").stdout)
    names = {task["name"] for task in listing["tasks"]}
    table = _section("Commands (invoke tasks)")
    documented = set(re.findall(r"^\| `\.venv/bin/invoke ([a-z-]+)", table, re.MULTILINE))
    assert names <= documented, f"undocumented tasks: {sorted(names - documented)}"


def test_the_module_map_names_modules_that_exist() -> None:
    package = ROOT / "plugins" / "feed_archive"
    section = _section("How it works")
    existing = {path.name for path in package.rglob("*.py")} | {"tasks.py"}
    named = set(re.findall(r"\b([a-z0-9_]+\.py)\b", section))
    assert len(named) >= 40
    assert named <= existing, f"the README names modules that do not exist: {named - existing}"
    every = {path.name for path in package.rglob("*.py") if path.name != "__init__.py"}
    assert every <= named, f"modules missing from the map: {sorted(every - named)}"
