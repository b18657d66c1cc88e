"""Synthetic French article pages for the search benchmark, in the built article.html shape.

`make_site(folder, n)` writes n pages under folder/<yyyy>/<mm>/<dd>/<slug>/index.html, dated
over 2016-2025, with ~600 words of Zipf-like French each; deterministic for a given seed.
"""

from __future__ import annotations

import html
import random
import re
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "feeds"
WORDS_PER_ITEM = 600
SOURCES = ("Le Fil Numérique", "Le Fil Numérique (abonnés)", "Brèves du Fil", "Le Fil Éco", "Labo")
FIRST_YEAR, LAST_YEAR = 2016, 2025

# ---------------------------------------------------------------- synthetic French text


def _sample_words() -> list[str]:
    """Real French words taken from the bundled sample feeds (our own text)."""
    words: list[str] = []
    for path in sorted(SAMPLES.glob("*.xml")):
        text = html.unescape(html.unescape(path.read_text(encoding="utf-8")))
        text = re.sub(r"<[^>]+>", " ", text)
        words += re.findall(r"[a-zàâäçéèêëîïôöùûüÿœæ]{2,}", text.lower())
    return words


_SUFFIXES = (
    "",
    "s",
    "tion",
    "tions",
    "ment",
    "ments",
    "ique",
    "iques",
    "eur",
    "eurs",
    "euse",
    "ité",
    "ités",
    "age",
    "ages",
    "iste",
    "istes",
    "isme",
    "er",
    "é",
    "ée",
    "ées",
    "ant",
)
_SYLLABLES = (
    "ba",
    "cor",
    "dé",
    "fra",
    "gou",
    "lan",
    "mé",
    "nor",
    "pro",
    "ré",
    "sta",
    "tel",
    "vi",
    "zo",
    "cha",
    "pli",
    "tra",
    "ver",
    "mon",
    "sé",
    "qua",
    "bri",
    "ges",
    "ri",
)


class FrenchText:
    """Zipf-like French prose from real sample words, derived forms and proper nouns."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        counts: dict[str, int] = {}
        for word in _sample_words():
            counts[word] = counts.get(word, 0) + 1
        common = sorted(counts, key=lambda w: -counts[w])
        stems = [w for w in common if len(w) > 4]
        derived = sorted({s[:-1] + suffix for s in stems for suffix in _SUFFIXES[:12]})
        self.rng.shuffle(derived)
        names = sorted(
            {
                "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3)))
                for _ in range(6000)
            }
        )
        # rank order: frequent real words first, then derived words, then rare proper nouns
        self.vocab = common + derived + [n.capitalize() for n in names]
        weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(self.vocab))]
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def words(self, n: int) -> list[str]:
        """`n` words drawn with the Zipf weights."""
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=n)

    def paragraph(self, n: int) -> str:
        """One paragraph of about `n` words in sentences."""
        out, left = [], n
        while left > 0:
            size = min(left, self.rng.randint(8, 24))
            sentence = " ".join(self.words(size))
            out.append(sentence[0].upper() + sentence[1:] + ".")
            left -= size
        return " ".join(out)


# ---------------------------------------------------------------- synthetic site

#: The shape of theme/templates/article.html as built: filters inline on the kicker (kind), the
#: source link, the dates (year), the body (paywalled:non) or the paywall notice (paywalled:oui)
#: and the tag links; three related items, title only.
ARTICLE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Archive du Fil Numérique</title>
<link rel="stylesheet" href="/theme/css/theme.css">
</head>
<body>
<a class="skip" href="#main">Aller au contenu</a>
<header class="site"><div class="wrap bar"><a class="brand" href="/">Archive du Fil Numérique</a>
<nav aria-label="Menu principal"><ul><li><a href="/archives/">Calendrier</a></li>
<li><a href="/tags/">Thèmes</a></li><li><a href="/sources/">Sources</a></li>
<li><a href="/search/">Rechercher</a></li></ul></nav>
<form role="search" aria-label="Rechercher dans l’archive" action="/search/" method="get">
<label class="vh" for="q">Rechercher</label>
<input type="search" id="q" name="q"><button type="submit">Rechercher</button></form>
</div></header>
<main id="main" class="wrap" tabindex="-1">
<nav class="crumbs"><a href="/archives/">Calendrier</a> › <a href="/{year}/">{year}</a></nav>
<article class="post">
<header><p class="kicker" data-pagefind-filter="kind:{kind}"><a href="/sources/x/" \
data-pagefind-filter="source">{source}</a></p>
<p class="dates" data-pagefind-filter="year:{year}">Publié le <time datetime="{iso}">{human}</time>\
</p></header>
<div class="body" data-pagefind-body data-pagefind-sort="date:{sort}" \
data-pagefind-meta="date:{iso}"{free}>
<h1>{title}</h1>
<div class="text">
{body}
</div>
</div>
{notice}<p class="tags">{tag_links}</p>
</article>
<aside class="related"><h2 id="related">À lire aussi</h2><ul class="lines">{related}</ul></aside>
</main>
<footer class="site"><div class="wrap"><p>Archive du Fil Numérique</p></div></footer>
</body>
</html>
"""
NOTICE = (
    '<p class="notice" role="note" data-pagefind-filter="paywalled:oui">Réservé aux abonnés\u202f: '
    "l’archive ne garde que le début de cet article.</p>\n"
)


def make_site(folder: Path, n: int, seed: int = 7) -> Path:
    """Write `n` synthetic article pages (the theme's article shape) under `folder`."""
    text = FrenchText(seed)
    rng = text.rng
    tags = sorted({" ".join(text.words(rng.randint(1, 2))).capitalize() for _ in range(400)})[:300]
    start = datetime(FIRST_YEAR, 1, 1, 8, 0)
    span = (datetime(LAST_YEAR, 12, 31, 20, 0) - start).total_seconds()
    for i in range(n):
        when = start + timedelta(seconds=span * i / max(n - 1, 1))
        title = " ".join(text.words(rng.randint(6, 11))).capitalize()
        if i % 7 == 0:
            title = "Données personnelles\u202f: " + title
        slug = f"item-{i:06d}"
        brief = i % 5 == 0
        words = 120 if brief else WORDS_PER_ITEM
        paragraphs = [text.paragraph(words // 6) for _ in range(6)]
        if i % (max(n, 8) // 8) == 3:  # a rare word, in 8 items spread over the years
            paragraphs[2] += " Un cas zygomatique."
        page_tags = rng.sample(tags, 3)
        target = folder / f"{when:%Y}" / f"{when:%m}" / f"{when:%d}" / slug / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        escaped = [html.escape(t) for t in page_tags]
        paywalled = i % 9 == 0
        target.write_text(
            ARTICLE.format(
                title=html.escape(title),
                iso=when.strftime("%Y-%m-%dT%H:%M:00+01:00"),
                human=f"{when:%d/%m/%Y %H:%M}",
                sort=f"{when:%Y-%m-%dT%H:%M}",
                year=f"{when:%Y}",
                source=html.escape(rng.choice(SOURCES)),
                kind="brève" if brief else "article",
                free="" if paywalled else ' data-pagefind-filter="paywalled:non"',
                notice=NOTICE if paywalled else "",
                tag_links=" ".join(
                    f'<a class="tag" href="/tag/x/" data-pagefind-filter="tag">{t}</a>'
                    for t in escaped
                ),
                related="".join(
                    f'<li><a href="/x/">{html.escape(" ".join(text.words(8)))}</a></li>'
                    for _ in range(3)
                ),
                body="\n".join(f"<p>{p}</p>" for p in paragraphs),
            ),
            encoding="utf-8",
        )
    return folder
