"""A synthetic archive over 15 months, fetched through the real pipeline, for reader tests.

Two snapshots of one French RSS feed: the first holds every item, the second updates one of
them ("[MàJ]", with the publisher's `dc:modified`). Items carry what readers trip over: a
number with digit groups in the title, an item on the first of a month, a paywalled teaser
with its boilerplate, an author given as a bare e-mail address, briefs, a rare tag.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from conftest import archive_config
from feedmaker import rss

START = dt.datetime(2024, 9, 2, 8, 30, tzinfo=dt.UTC)
DAYS = 455  # 15 months
UPDATED_GUID = "https://fil.example/?p=400"
UPDATE_DATE = "Fri, 28 Nov 2025 11:15:00 +0100"
THOUSANDS_TITLE = "Un paquet Python malveillant téléchargé 40 000 fois"
TAGS = ("Sécurité", "Vie privée", "Justice", "Télécoms", "Données")
WORD = "données"


@dataclass(frozen=True)
class Archive:
    """Where the synthetic archive is and what is in it."""

    content: Path
    items: int
    with_word: int


def _rfc822(moment: dt.datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _items(updated: bool) -> list[dict]:
    items = []
    for n in range(DAYS // 2):
        moment = START + dt.timedelta(days=2 * n, hours=n % 9)
        number = n + 1
        text = (
            f"<p>Article {number} : la rédaction revient sur l’affaire ; les détails suivent !</p>"
            + (f"<p>Les {WORD} personnelles sont au cœur du dossier.</p>" if n % 3 == 0 else "")
        )
        item = {
            "guid": f"https://fil.example/?p={number}",
            "link": f"https://fil.example/{moment:%Y/%m/%d}/article-{number}/",
            "title": f"Article numéro {number} : le point sur le dossier",
            "date": _rfc822(moment),
            "html": text,
            "tags": [TAGS[n % len(TAGS)]]
            + (["Rare"] if n % 40 == 0 else [])
            + (["Brève"] if n % 10 == 5 else []),
        }
        items.append(item)
    items.append(
        {
            "guid": "https://fil.example/?p=401",
            "link": "https://fil.example/2025/11/01/premier/",
            "title": THOUSANDS_TITLE,
            "date": "Sat, 01 Nov 2025 09:00:00 +0100",
            "html": "<p>Le paquet a été retiré ; 40 000 installations sont concernées.</p>",
            "tags": ["Sécurité"],
        }
    )
    teaser = (
        "<p>Les opérateurs ont signé un accord ; il reste à le faire appliquer.</p>"
        "<p>Il reste 72% de l'article à découvrir.</p>"
        "<p>Vous devez être abonné•e pour lire la suite de cet article.</p>"
    )
    items.append(
        {
            "guid": "https://fil.example/?p=402",
            "link": "https://fil.example/2025/11/20/accord/",
            "title": "Télécoms : un accord sur la fibre",
            "date": "Thu, 20 Nov 2025 10:00:00 +0100",
            "html": teaser,
            "tags": ["Télécoms"],
        }
    )
    title = "Rançongiciel : un hôpital en mode dégradé"
    text = "<p>Un hôpital a dû déclencher son plan blanc.</p>"
    extra = {}
    if updated:
        title = "[MàJ] " + title
        text += "<p>Mise à jour du 28 novembre : les urgences ont rouvert.</p>"
        extra = {"updated": UPDATE_DATE}
    items.append(
        {
            "guid": UPDATED_GUID,
            "link": "https://fil.example/2025/11/27/hopital/",
            "title": title,
            "date": "Thu, 27 Nov 2025 18:00:00 +0100",
            "html": text,
            "tags": ["Sécurité"],
            **extra,
        }
    )
    return items


def _feed(updated: bool) -> bytes:
    data = rss(_items(updated), title="Le Fil")
    # one author given as a bare e-mail address, as a real feed does
    return data.replace(
        b"<item><title>Article num\xc3\xa9ro 5 ",
        b"<item><author>prenom@exemple.fr</author><title>Article num\xc3\xa9ro 5 ",
        1,
    )


def make_archive(base: Path) -> Archive:
    """Fetch both snapshots into `base/content` (fixed fetch times); describe the result."""
    from feed_archive.ingest import archive

    content = base / "content"
    (content / "pages").mkdir(parents=True, exist_ok=True)
    feed = base / "feed.xml"
    config = archive_config(content, {"url": str(feed), "name": "Le Fil", "id": "fil.example"})
    for updated, when in ((False, "2025-11-27T20:00"), (True, "2025-11-28T12:00")):
        feed.write_bytes(_feed(updated))
        moment = dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC)
        (report,) = archive.run(config, now=moment)
        assert not report.problem, report.line()
    items = _items(True)
    return Archive(content, len(items), sum(WORD in item["html"] for item in items))
