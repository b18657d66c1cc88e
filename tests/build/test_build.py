"""A real Pelican build of fetched items: every item has its page, dates in local time."""

from __future__ import annotations

import html
import re

from conftest import SAMPLE_1, build_site, fetch_into


def test_build_from_fetched_items(tmp_path):
    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    output = build_site(content, tmp_path / "output")
    pages = sorted(output.glob("20[0-9][0-9]/[01][0-9]/[0-3][0-9]/*/index.html"))
    assert len(pages) == 29
    cnil = next(p for p in pages if p.parent.name.startswith("donnees-personnelles-la-cnil"))
    assert cnil.parent.parent.parent.parent.name == "2025"
    assert cnil.parts[-5:-2] == ("2025", "10", "31")
    text = cnil.read_text(encoding="utf-8")
    assert "16:08" in text
    # published 16:08 in Paris (15:08 UTC): never shown in UTC (the provenance lines show when
    # the fetch ran, which is the clock's time: left out here)
    dated = re.sub(r'<section class="provenance".*?</section>', "", text, flags=re.S)
    assert "15:08" not in dated
    assert "la CNIL sanctionne un courtier" in html.unescape(text)
    assert 'href="https://fil-numerique.example/2025/10/31/donnees-personnelles' in text
    for page in pages:
        body = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|iframe)[^>]*>\s*alert", body)
        assert "javascript:" not in body
