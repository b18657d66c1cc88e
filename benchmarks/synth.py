"""Synthetic French archives and feeds of N items, deterministic for a given seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from feed_archive.post import Post, format_date, key_of, render, slugify

ZONE = ZoneInfo("Europe/Paris")
FEED_NAME = "Le Fil Numérique"
SITE = "https://fil-numerique.example"
START = datetime(2016, 1, 4, 7, 0, tzinfo=UTC)
END = datetime(2025, 12, 20, 19, 0, tzinfo=UTC)

_NOUNS = (
    "données personnelles|sécurité|réseau|opérateur|fibre optique|régulateur|Commission européenne"
    "|Assemblée nationale|Sénat|ministère|gouvernement|plateforme|application|logiciel libre"
    "|navigateur|moteur de recherche|intelligence artificielle|modèle de langage|processeur"
    "|carte graphique|serveur|centre de données|cloud souverain|hébergeur|start-up|entreprise"
    "|utilisateur|internaute|abonné|journaliste|chercheur|développeur|administration|collectivité"
    "|hôpital|école|université|banque|assureur|vulnérabilité|faille|rançongiciel|attaque"
    "|fuite de données|mot de passe|chiffrement|certificat|protocole|norme|brevet|licence"
    "|droit d’auteur|redevance|amende|sanction|enquête|plainte|décision|arrêt|jugement|tribunal"
    "|Conseil d’État|Cour de justice|CNIL|Arcep|Arcom|ANSSI|smartphone|ordinateur portable"
    "|tablette|console|satellite|antenne|réseau mobile|5G|forfait|tarif|facture|budget|marché"
    "|concurrence|monopole|fusion|rachat|levée de fonds|chiffre d’affaires|bénéfice|emploi"
    "|télétravail|formation|numérique|souveraineté|transparence|vie privée|surveillance"
    "|reconnaissance faciale|caméra|algorithme|publicité ciblée|cookie|consentement|traçage"
).split("|")
_VERBS = (
    "annonce|publie|dévoile|confirme|dément|prépare|lance|suspend|renforce|corrige|sanctionne"
    "|examine|autorise|interdit|finance|rachète|recrute|supprime|déploie|teste|accuse|défend"
    "|conteste|précise|détaille|révèle|critique|soutient|propose|adopte|rejette|modifie"
).split("|")
_ADJECTIVES = (
    "nouveau|important|majeur|discret|inédit|européen|français|national|public|privé|ouvert"
    "|sensible|coûteux|gratuit|rapide|lent|fragile|robuste|controversé|attendu|tardif|complet"
    "|partiel|technique|juridique|financier|numérique|mobile|sécurisé|vulnérable|massif|local"
).split("|")
_LINKS = (
    "selon le rapport|d’après nos informations|comme l’explique le communiqué|"
    "dans un billet de blog|lors d’une audition|au Journal officiel|"
    "d’après une source proche du dossier|dans sa délibération"
).split("|")
_TAGS = tuple(
    dict.fromkeys(
        [n.split(" ")[0].capitalize() for n in _NOUNS]
        + [
            f"{n.capitalize()} {a}"
            for n in ("réseau", "logiciel", "droit", "marché")
            for a in _ADJECTIVES
        ]
        + [f"Dossier {i:03d}" for i in range(200)]
    )
)[:300]
_AUTHORS = (
    "Julien Marchand|Claire Dubois|Sébastien Gautier|Amélie Lefèvre|Thomas Nguyen|Inès Benali"
    "|Marc Rey|Sophie Lambert|Hugo Petit|Léa Moreau"
).split("|")
PAYWALL = "Il reste 72 % de l’article à lire. Vous devez être abonné pour lire la suite."


def _sentence(rng: random.Random) -> str:
    noun, other = rng.choice(_NOUNS), rng.choice(_NOUNS)
    words = [
        "Le" if rng.random() < 0.5 else "La",
        noun,
        rng.choice(_ADJECTIVES),
        rng.choice(_VERBS),
        "un" if rng.random() < 0.5 else "une",
        other,
        rng.choice(_ADJECTIVES),
    ]
    tail = rng.random()
    if tail < 0.3:
        words += [rng.choice(_LINKS) + ",", "pour", str(rng.randint(2, 950)), "millions d’euros"]
    elif tail < 0.5:
        words += ["à", f"« {rng.choice(_NOUNS)} {rng.choice(_ADJECTIVES)} »"]
    elif tail < 0.7:
        words += [
            "depuis",
            str(rng.randint(2008, 2025)),
            "et",
            rng.choice(_VERBS),
            "le",
            rng.choice(_NOUNS),
        ]
    else:
        words += [
            "avec",
            "le",
            rng.choice(_NOUNS),
            "et",
            "la",
            rng.choice(_NOUNS),
            rng.choice(_ADJECTIVES),
        ]
    text = " ".join(words)
    end = rng.choices((".", " ?", " !", "…"), (90, 4, 3, 3))[0]
    return text[0].upper() + text[1:] + end


def _paragraph(rng: random.Random, words: int) -> list[str]:
    sentences: list[str] = []
    count = 0
    while count < words:
        sentence = _sentence(rng)
        sentences.append(sentence)
        count += sentence.count(" ") + 1
    return sentences


def body_blocks(rng: random.Random, words: int) -> list[tuple[str, object]]:
    """Blocks of one item's text: ("p", sentences), ("h2", text), ("ul", items), ("quote", text)."""
    blocks: list[tuple[str, object]] = []
    total = 0
    while total < words:
        roll = rng.random()
        if blocks and roll < 0.08:
            blocks.append(("h2", _sentence(rng).rstrip(".?!…")))
        elif blocks and roll < 0.14:
            blocks.append(("ul", [_sentence(rng) for _ in range(rng.randint(2, 4))]))
        elif blocks and roll < 0.18:
            blocks.append(("quote", _sentence(rng)))
        else:
            size = rng.randint(50, 90)
            blocks.append(("p", _paragraph(rng, size)))
            total += size
    return blocks


def _link(rng: random.Random, index: int) -> str:
    return f"{SITE}/dossiers/{index % 97}/{slugify(rng.choice(_NOUNS))}/"


def blocks_markdown(rng: random.Random, blocks: list[tuple[str, object]], index: int) -> str:
    """The blocks as Markdown, with a link and some emphasis, like the plugin writes them."""
    parts: list[str] = []
    for kind, value in blocks:
        if kind == "h2":
            parts.append(f"## {value}")
        elif kind == "ul":
            parts.append("\n".join(f"- {v}" for v in value))  # type: ignore[union-attr]
        elif kind == "quote":
            parts.append(f"> {value}")
        else:
            sentences = list(value)  # type: ignore[call-overload]
            if rng.random() < 0.5:
                sentences[0] = f"**{sentences[0]}**"
            if rng.random() < 0.6:
                at = rng.randrange(len(sentences))
                sentences[at] = f"[{sentences[at].rstrip('.?!…')}]({_link(rng, index)})."
            parts.append(" ".join(sentences))
    return "\n\n".join(parts)


def blocks_html(rng: random.Random, blocks: list[tuple[str, object]], index: int) -> str:
    """The blocks as the HTML a WordPress-like feed puts in content:encoded."""
    parts: list[str] = []
    for kind, value in blocks:
        if kind == "h2":
            parts.append(f'<h2 class="wp-block-heading">{escape(str(value))}</h2>')
        elif kind == "ul":
            items = "".join(f"<li>{escape(v)}</li>" for v in value)  # type: ignore[union-attr]
            parts.append(f'<ul class="wp-block-list">{items}</ul>')
        elif kind == "quote":
            parts.append(
                f'<blockquote class="wp-block-quote"><p>{escape(str(value))}</p></blockquote>'
            )
        else:
            sentences = [escape(s) for s in value]  # type: ignore[union-attr]
            if rng.random() < 0.5:
                sentences[0] = f"<strong>{sentences[0]}</strong>"
            if rng.random() < 0.6:
                at = rng.randrange(len(sentences))
                sentences[at] = (
                    f'<a href="{_link(rng, index)}" target="_blank" rel="noopener">'
                    f"{sentences[at]}</a>"
                )
            parts.append(f'<p class="has-text-align-left">{" ".join(sentences)}</p>')
    if rng.random() < 0.5:
        parts.insert(
            1,
            f'<figure class="wp-block-image size-large"><img decoding="async" loading="lazy" '
            f'width="1024" height="576" src="{SITE}/wp-content/uploads/{index}.jpg" '
            f'alt="Illustration {index}" class="wp-image-{index}" '
            f'srcset="{SITE}/wp-content/uploads/{index}-300x169.jpg 300w, '
            f'{SITE}/wp-content/uploads/{index}-768x432.jpg 768w" '
            f'sizes="(max-width: 1024px) 100vw, 1024px" /><figcaption>Illustration : '
            f"{escape(rng.choice(_NOUNS))}</figcaption></figure>",
        )
    return "\n".join(parts)


class Item:
    """One synthetic item: identity, dates, title, tags, text blocks, flags."""

    def __init__(self, index: int, count: int, seed: int = 0) -> None:
        rng = random.Random(f"{seed}:{index}")
        self.rng = rng
        self.index = index
        span = (END - START).total_seconds()
        self.date = START + timedelta(seconds=span * (index + rng.random() * 0.9) / max(count, 1))
        self.brief = rng.random() < 0.12
        self.paywalled = not self.brief and rng.random() < 0.15
        self.updated = rng.random() < 0.05
        title = _sentence(rng).rstrip(".?!…")
        self.title = f"☕️ {title}" if self.brief else title
        self.tags = tuple(dict.fromkeys(rng.sample(_TAGS, rng.randint(2, 4))))
        self.authors = (rng.choice(_AUTHORS),)
        words = rng.randint(60, 120) if self.brief else rng.randint(480, 720)
        self.blocks = body_blocks(rng, words)
        self.guid = f"{SITE}/?p={100000 + index}"
        self.link = f"{SITE}/{self.date:%Y/%m/%d}/{slugify(title, 60)}-{index}/"

    def summary(self) -> str:
        """The first sentences, cut like the plugin's Summary."""
        first = next(v for k, v in self.blocks if k == "p")
        text = " ".join(first)  # type: ignore[call-overload]
        return text if len(text) <= 280 else text[:280].rsplit(" ", 1)[0] + "…"


def make_post(item: Item) -> Post:
    """The Post the plugin would have archived for this item."""
    body = blocks_markdown(item.rng, item.blocks, item.index)
    if item.paywalled:
        body += "\n\n" + PAYWALL
    modified = ""
    if item.updated:
        modified = format_date(item.date + timedelta(hours=item.rng.randint(1, 72)), ZONE)
    return Post(
        identity=item.guid,
        title=item.title,
        date=format_date(item.date, ZONE),
        slug=f"{slugify(item.title, 70) or 'item'}-{key_of(item.guid)}",
        feed=FEED_NAME,
        body=body,
        tags=item.tags,
        category=FEED_NAME,
        authors=item.authors,
        summary=item.summary(),
        source=item.link,
        modified=modified,
        paywalled=item.paywalled,
    )


def write_archive(
    content: Path, count: int, start: int = 0, seed: int = 0, total: int | None = None
) -> list[Path]:
    """Write items `start`..`start+count` of a `total`-item archive under `content/archive`."""
    total = total or (start + count)
    folder = content / "archive" / slugify(FEED_NAME, 60)
    written: list[Path] = []
    for index in range(start, start + count):
        post = make_post(Item(index, total, seed))
        path = folder / post.date[:4] / post.date[5:7] / f"{post.slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(post), encoding="utf-8")
        written.append(path)
    return written


def feed_xml(count: int, seed: int = 0) -> bytes:
    """An RSS 2.0 feed of `count` items with full HTML in content:encoded (~7 KB per item)."""
    items: list[str] = []
    for index in range(count - 1, -1, -1):
        item = Item(index, count, seed)
        html_text = blocks_html(item.rng, item.blocks, index)
        if item.paywalled:
            html_text += f"\n<p><em>{escape(PAYWALL)}</em></p>"
        categories = "".join(f"<category><![CDATA[{t}]]></category>" for t in item.tags)
        items.append(
            "<item>"
            f"<title>{escape(item.title)}</title>"
            f"<link>{escape(item.link)}</link>"
            f"<dc:creator><![CDATA[{item.authors[0]}]]></dc:creator>"
            f"<pubDate>{format_datetime(item.date)}</pubDate>"
            f"{categories}"
            f'<guid isPermaLink="false">{escape(item.guid)}</guid>'
            f"<description><![CDATA[<p>{escape(item.summary())}</p>]]></description>"
            f"<content:encoded><![CDATA[{html_text}]]></content:encoded>"
            "</item>\n"
        )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel><title>{FEED_NAME}</title><link>{SITE}/</link>"
        "<description>Actualités du numérique</description><language>fr-FR</language>\n"
    )
    return (head + "".join(items) + "</channel></rss>\n").encode("utf-8")
