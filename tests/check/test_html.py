"""The HTML page shows the text with each claim marked, verdict and evidence on hover."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from feed.check.html import render_html
from tests.check.checkkit import checker
from tests.clients.browserkit import CHROMIUM, browser

__all__ = ["browser"]  # the fixture, imported for the page test below

TEXT = (
    "Nader won in 3:34.20 <fast>. Ingebrigtsen was second.\n\n[2:42] The bell: T. Cheruiyot leads."
)


def page() -> str:
    return render_html(checker("tokyo-2025-m1500-final").check(TEXT), title="Tokyo & co")


def test_every_claim_is_marked_with_its_verdict_and_the_text_is_kept() -> None:
    """Marks carry the gravest verdict on their words; the text reads as written, escaped."""
    html = page()
    assert re.search(r'<mark class="contradicted" tabindex="0">[^<]*3:34\.20', html)
    assert re.search(r'<mark class="not_checkable" tabindex="0">Ingebrigtsen was second', html)
    assert re.search(r'<mark class="supported" tabindex="0">T\. Cheruiyot leads', html)
    assert "&lt;fast&gt;" in html and "<fast>" not in html
    assert "<title>Tokyo &amp; co</title>" in html


def test_the_page_is_self_contained() -> None:
    """No script, no stylesheet or image fetched from anywhere."""
    html = page()
    assert "<script" not in html
    assert not re.search(r"(src|href)=", html)
    assert "http" not in html


def test_the_hover_text_says_what_the_feed_says_and_the_seq() -> None:
    """Each mark's tip lists its claims: verdict, kind, the feed's fact, the seq, the moment."""
    html = page()
    assert "Isaac Nader ran 3:34.10 (seq 224)" in html
    assert "judged at race time [2:42]" in html


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
async def test_in_a_browser_the_evidence_appears_when_the_reader_hovers_a_claim(
    browser: Browser,
) -> None:
    """Hidden until hovered; then the contradiction and the feed's time are shown."""
    tab = await browser.new_page()
    await tab.set_content(page())
    mark = tab.locator("mark.contradicted").first
    tip = mark.locator(".tip")
    await expect(tip).to_be_hidden()
    await mark.hover()
    await expect(tip).to_be_visible()
    await expect(tip).to_contain_text("Isaac Nader ran 3:34.10")
    await tab.close()
