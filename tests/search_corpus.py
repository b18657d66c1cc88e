"""A synthetic French archive over 16 months for the search tests, and what it truly holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: The common word: most items hold it, so every index group has matches.
WORD = "données"
#: Months of the archive, oldest first: 2024-09 .. 2025-12 (16 months).
MONTHS = [(2024, m) for m in range(9, 13)] + [(2025, m) for m in range(1, 13)]
#: Most pages an index holds in the test builds: the newest month alone, then ~8 groups.
MAX_PAGES = 9
#: Filler words that share no stem with WORD (Pagefind stems French: "donner" would match).
FILLER = (
    "Le comité examine le projet de réseau pendant la séance publique du mardi soir et "
    "plusieurs élus posent des questions précises sur le calendrier des travaux prévus"
).split()


@dataclass(frozen=True)
class Post:
    """One archived item as written: what a reader could search for in it."""

    day: str
    slug: str
    title: str
    text: str
    tag: str
    paywalled: bool

    @property
    def has_word(self) -> bool:
        """Whether the title or text holds WORD (the only form of its stem used here)."""
        return WORD in self.title or WORD in self.text


def _posts() -> list[Post]:
    """Every item of the archive: 12 in the newest month, 3 to 6 in each older one."""
    posts = []
    number = 0
    for year, month in MONTHS:
        newest = (year, month) == MONTHS[-1]
        for n in range(14 if newest else 3 + (month % 4)):
            number += 1
            matches = newest and n < 12 or not newest and number % 4 != 0
            if number % 11 == 0 and matches:
                # the word deep in a sentence: the excerpt starts mid-sentence
                text = " ".join(FILLER * 3) + f" avec les {WORD} du cadastre. Fin du compte rendu."
            elif matches:
                text = (
                    f"Les {WORD} publiques : un inventaire ; enfin ! Qui les ouvre ? "
                    f"Le ministère parle de « {WORD} ouvertes » pour la {number}e fois."
                )
            else:
                text = "Un billet sans rapport : le comité ne dit rien ; rien du tout."
            posts.append(
                Post(
                    day=f"{year}-{month:02d}-{1 + n * 2:02d}",
                    slug=f"billet-{number:03d}",
                    title=f"Billet {number} : point d’étape",
                    text=text,
                    tag="Droit" if number % 3 == 0 else "Tech",
                    paywalled=number % 5 == 0,
                )
            )
    return posts


POSTS = _posts()


def matching(**filters: str) -> int:
    """How many items hold WORD and pass `filters` (tag=..., paywalled="oui"/"non")."""
    found = [p for p in POSTS if p.has_word]
    if "tag" in filters:
        found = [p for p in found if p.tag == filters["tag"]]
    if "paywalled" in filters:
        found = [p for p in found if p.paywalled == (filters["paywalled"] == "oui")]
    return len(found)


def write_corpus(content: Path) -> list[Post]:
    """Write every post of the archive under `content/archive/`, as the plugin writes them."""
    for post in POSTS:
        folder = content / "archive" / "test-feed" / post.day[:4] / post.day[5:7]
        folder.mkdir(parents=True, exist_ok=True)
        paywall = "Paywalled: true\n" if post.paywalled else ""
        (folder / f"{post.slug}.md").write_text(
            f"Title: {post.title}\nDate: {post.day} 10:00:00+01:00\nTags: {post.tag}\n"
            f"Category: Test Feed\nSlug: {post.slug}\nAuthors: Test\nSummary: {post.title}\n"
            f"Source: https://example.org/{post.slug}\nGuid: https://example.org/?p={post.slug}\n"
            f"Feed: Test Feed\n{paywall}\n{post.text}\n",
            encoding="utf-8",
        )
    return POSTS


#: The search page's filters, as named in the URL and in Pagefind.
FILTERS = ("tag", "source", "year", "kind", "paywalled", "updated")
