"""Render tracing: a replay gives the recorded key exactly when the render would be the same."""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2
import pytest

from feed_archive.build import trace

TEMPLATE = """{% set info = item.info %}<h1>{{ item.title|upper }}</h1>
{% for other in info.related %}<a href="/{{ other.url }}">{{ other.title }}</a>{% endfor %}
{% if info.older %}older: {{ info.older.title }}{% endif %}
{{ item.words()|length }} · {{ info.tags|join(", ") }} · {{ SITENAME }}
{{ _missing|default("-") }}"""


@dataclass(eq=False)
class Item:
    title: str
    url: str
    info: Info | None = None
    body: str = "un deux trois"

    def words(self) -> list[str]:
        return self.body.split()


@dataclass(eq=False)
class Info:
    related: list[Item] = field(default_factory=list)
    older: Item | None = None
    tags: list[str] = field(default_factory=list)


def _site() -> tuple[Item, list[Item]]:
    others = [Item(f"Autre {i}", f"a/{i}/") for i in range(3)]
    item = Item("Titre", "t/", Info(related=others[:2], older=others[2], tags=["x", "y"]))
    return item, others


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.DictLoader({"page.html": TEMPLATE}))
    trace.install(env)
    return env


def _record(env: jinja2.Environment, item: Item) -> tuple[str, trace.Trace]:
    return trace.record(env.get_template("page.html"), {"item": item, "SITENAME": "Archive"})


def _replay(env: jinja2.Environment, item: Item, steps: list) -> bytes | None:
    return trace.replay(env, {"item": item, "SITENAME": "Archive"}, steps)


def test_replay_on_the_same_values_gives_the_same_key() -> None:
    env = _env()
    item, _ = _site()
    output, recorded = _record(env, item)
    assert "TITRE" in output and "Autre 1" in output and recorded.broken is None
    fresh, _ = _site()  # a new build: other objects, same values
    assert _replay(env, fresh, recorded.steps) == recorded.key()


@pytest.mark.parametrize(
    "change",
    [
        lambda item, others: setattr(item, "title", "Autre titre"),
        lambda item, others: setattr(others[1], "title", "Changé"),
        lambda item, others: setattr(others[2], "title", "Changé"),
        lambda item, others: item.info.related.append(others[2]),
        lambda item, others: setattr(item.info, "older", None),
        lambda item, others: setattr(item, "body", "un deux"),
        lambda item, others: item.info.tags.reverse(),
    ],
)
def test_replay_notices_every_value_the_page_shows(change) -> None:
    env = _env()
    item, _ = _site()
    _, recorded = _record(env, item)
    changed, others = _site()
    change(changed, others)
    assert _replay(env, changed, recorded.steps) != recorded.key()
    _, again = _record(env, changed)
    assert again.key() != recorded.key()


def test_values_the_page_does_not_read_do_not_matter() -> None:
    env = _env()
    item, _ = _site()
    _, recorded = _record(env, item)
    changed, others = _site()
    others[0].body = "tout autre texte"  # never read for related items
    changed.info.related[0].url = others[0].url
    assert _replay(env, changed, recorded.steps) == recorded.key()


def test_a_new_name_in_the_context_is_noticed() -> None:
    env = _env()
    item, _ = _site()
    _, recorded = _record(env, item)
    key = trace.replay(env, {"item": item, "SITENAME": "Archive", "_missing": "!"}, recorded.steps)
    assert key != recorded.key()
