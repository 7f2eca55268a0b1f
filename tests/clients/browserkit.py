"""What the browser tests share: Debian's chromium, the page, control messages, time checks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from playwright.async_api import Browser, Page, async_playwright
from websockets.asyncio.client import ClientConnection

from feed import wire

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "DOCS",
    "TOKEN",
    "WAIT_MS",
    "browser",
    "control",
    "malformed_times",
    "needs_chromium",
    "open_page",
    "page_texts",
    "wait_for_seq",
]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = Path(__file__).resolve().parents[2] / "docs"
TOKEN = "t"
WAIT_MS = 15_000


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium, headless, with nothing that reaches out to the network."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()


needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]


async def control(ws: ClientConnection, action: wire.ControlAction, **fields: object) -> None:
    """Drive the session's clock; the server answers the controller with ``replay_state``."""
    message = wire.Control(session="main", action=action, token=TOKEN, **fields)  # type: ignore[arg-type]
    await ws.send(wire.encode(message).decode())
    reply = msgspec.json.decode(await ws.recv(decode=False))
    assert reply["op"] == "replay_state", reply


async def open_page(
    browser: Browser, port: int, *, width: int = 1400, height: int = 900
) -> tuple[Page, list[str]]:
    """The live blog at ``/`` of the server on ``port``, subscribed; the list collects errors."""
    page = await browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"http://127.0.0.1:{port}/")
    await page.wait_for_function(
        "window.racefeed.snapshots >= 1 && window.racefeed.status === 'connected'",
        timeout=WAIT_MS,
    )
    return page, errors


async def wait_for_seq(page: Page, seq: int) -> None:
    """Until the page holds ``seq`` and has drawn the views of it."""
    await page.wait_for_function(
        f"window.racefeed.lastSeq === {seq} && window.racefeed.views"
        f" && window.racefeed.views.seq === {seq}",
        timeout=WAIT_MS,
    )
    await page.evaluate("new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")


_TEXTS = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const host = node.parentElement;
    if (!host || host.getClientRects().length === 0) continue;  // not shown
    if (host.closest(".kind-commentary .line-text")) continue;  // the stream's own words
    const timed = host.closest("[data-race-ms]");
    found.push([node.textContent, timed ? Number(timed.dataset.raceMs) : null]);
  }
  return found;
}"""

# A number with a ':' or '.' in it, with any signs around: what a time looks like on the page.
_TOKEN = re.compile(r"[+\-]*\d+(?:[:.][+\-]*\d+)+")
_WELL_FORMED = re.compile(
    r"\+?(?:\d+:[0-5]\d:[0-5]\d|[1-9]\d*:[0-5]\d|[1-5]?\d)\.\d{2,3}"  # a time or a gap
    r"|-?\d+:[0-5]\d\.\d"  # the race clock
)


async def page_texts(page: Page) -> list[tuple[str, int | None]]:
    """Every text shown, with the race time of the element it belongs to (if it has one)."""
    texts: list[tuple[str, int | None]] = await page.evaluate(_TEXTS)
    return texts


def malformed_times(texts: list[tuple[str, int | None]]) -> list[str]:
    """Time-like tokens that are malformed, or negative outside a clock before the gun."""
    problems = []
    for text, race_ms in texts:
        for token in _TOKEN.findall(text):
            if not _WELL_FORMED.fullmatch(token):
                problems.append(f"malformed {token!r} in {text!r}")
            elif token.startswith("-") and (race_ms is None or race_ms >= 0):
                problems.append(f"negative {token!r} in {text!r}")
    return problems
