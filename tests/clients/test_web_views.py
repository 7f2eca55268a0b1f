"""What the web live blog shows at each moment of the Tokyo final, on a desktop and a phone.

A real server replays the final, paused; the test seeks it from moment to moment
(paused before the gun, 400 m, 800 m, the injury, the bell, the photo under review,
the photo resolved, official) and checks the page in Debian's chromium at 1400x900
and 390x844: the published numbers, the photo finish flags, the layout of the phone
screen, and that no time on the page is malformed or negative. A few screenshots go
to ``docs/`` for the README; the rest to the test's temporary directory.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect
from websockets.asyncio.client import connect

from feed.io import load_scenario
from feed.server import SessionSpec, run_server
from tests.clients.browserkit import (
    DOCS,
    WAIT_MS,
    control,
    malformed_times,
    needs_chromium,
    open_page,
    page_texts,
    wait_for_seq,
)
from tests.clients.moments import MOMENTS, moments

TOKYO = "tokyo-2025-m1500-final"
EVENTS = load_scenario(TOKYO).events
AT = moments(list(EVENTS))
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
# The screenshots kept in docs/ (the README shows them): a handful, not every moment.
KEPT = {
    ("desktop", "official"): "live-blog.png",
    ("desktop", "paused before the gun"): "web-start-list.png",
    ("desktop", "photo under review"): "web-photo-review.png",
    ("phone", "bell"): "web-phone-bell.png",
    ("phone", "official"): "web-phone-official.png",
}

pytestmark = needs_chromium


async def check_moment(page: Page, moment: str) -> None:
    """What the page must show at ``moment`` (the same on every screen size)."""
    leader = page.locator("#leader")
    results = page.locator("#results tbody tr")
    splits = page.locator("#splits thead")
    if moment == "paused before the gun":
        await expect(page.locator("#status")).to_have_text("START LIST")
        await expect(page.locator("#startlist-panel h2")).to_contain_text("Start list")
        await expect(page.locator("#startlist tbody tr")).to_have_count(14)
        await expect(page.locator("#records")).to_contain_text("CR 3:27.65")
        await expect(page.locator("#clock")).to_have_text("-0:20.0")
        await expect(page.locator("#order-panel")).to_be_hidden()
        await expect(leader).to_have_attribute("data-state", "start")
    elif moment == "400 m":
        await expect(leader).to_have_attribute("data-athlete", "laros-niels")
        await expect(splits.locator("tr.lead-name td").first).to_have_text("Niels Laros")
        await expect(splits.locator("tr.lead-time td").first).to_have_text("59.50")
    elif moment == "800 m":
        await expect(leader).to_have_attribute("data-athlete", "cheruiyot-timothy")
        await expect(splits.locator("tr.lead-time td").nth(1)).to_have_text("1:59.88")
        await expect(splits.locator("tr.lead-lap td").nth(1)).to_have_text("1:00.38")
    elif moment == "injury":
        kerr = page.locator("#order tbody tr[data-athlete='kerr-josh']")
        await expect(kerr).to_contain_text("injury: calf")
        await expect(page.locator("#moments li[data-kind='incident']")).to_contain_text(
            "Kerr is in trouble, 600 m to go"
        )
    elif moment == "bell":
        await expect(page.locator("#laps")).to_have_text("BELL")
        await expect(leader).to_have_attribute("data-athlete", "cheruiyot-timothy")
        await expect(page.locator("#moments li[data-kind='bell']")).to_have_count(1)
    elif moment == "photo under review":
        await expect(leader).to_have_attribute("data-state", "photo")
        await expect(leader).to_contain_text("Photo finish - under review")
        await expect(leader).not_to_contain_text("Winner")
        flagged = page.locator("#results tbody tr[data-under-review='true']")
        await expect(flagged).to_have_count(2)
        await expect(flagged.first).to_have_attribute("data-athlete", "nader-isaac")
        await expect(page.locator("#results tbody tr:not([data-medal=''])")).to_have_count(0)
        await expect(page.locator(".pos-box.medal-gold")).to_have_count(0)
    elif moment == "photo resolved":
        await expect(leader).to_contain_text("First across the line")
        await expect(leader).to_contain_text("Isaac Nader")
        await expect(results.first).to_have_attribute("data-medal", "gold")
        await expect(page.locator("#results tbody tr[data-under-review='true']")).to_have_count(0)
        await expect(page.locator("#moments")).to_contain_text("Photo decides it: Nader 3:34.094")
    elif moment == "official":
        await expect(page.locator("#status")).to_have_text("OFFICIAL")
        await expect(leader).to_have_attribute("data-state", "winner")
        await expect(leader.locator(".leader-label")).to_have_text("Winner")
        await expect(results).to_have_count(14)
        await expect(results.first).to_contain_text("3:34.10")
        await expect(results.nth(1)).to_contain_text("3:34.12")
        await expect(results.nth(1)).to_contain_text("+0.02")
        await expect(results.last).to_contain_text("4:11.23")
        await expect(results.last).to_contain_text("injury: calf")
        await expect(page.locator("#medals tbody tr td.nat")).to_have_text(["POR", "GBR", "KEN"])
        await expect(page.locator("#moments li")).to_have_count(7)


async def check_phone_layout(page: Page) -> None:
    """No sideways scroll, a header that leaves room, names on one line, commentary early."""
    layout = await page.evaluate(
        """() => {
          const box = (id) => document.getElementById(id).getBoundingClientRect();
          const names = [...document.querySelectorAll('.name-text')]
            .filter((n) => n.getClientRects().length > 0);
          const medals = document.getElementById('medals-panel');
          return {
            scroll: document.documentElement.scrollWidth,
            header: document.querySelector('header').getBoundingClientRect().height,
            wrapped: names.filter((n) => n.getClientRects().length > 1 ||
                       n.getBoundingClientRect().height > 24).map((n) => n.textContent),
            commentary: box('commentary-panel').top,
            medals: medals.hidden ? null : box('medals-panel').top,
          };
        }"""
    )
    assert layout["scroll"] <= 390, layout
    assert layout["header"] <= 844 * 0.15, layout  # the header does not take half the screen
    assert layout["wrapped"] == [], layout
    if layout["medals"] is not None:
        assert layout["commentary"] < layout["medals"], layout


async def test_each_moment_of_the_final_on_a_desktop_and_a_phone(
    browser: Browser, tmp_path: Path
) -> None:
    spec = SessionSpec(name="main", scenario=TOKYO, paused=True, token="t")
    async with run_server(sessions=[spec]) as server, connect(server.url) as ws:
        pages = {name: await open_page(browser, server.port, width=w, height=h)
                 for name, (w, h) in SIZES.items()}  # fmt: skip
        for moment in MOMENTS:
            await control(ws, "seek", seq=AT[moment])
            for name, (page, _) in pages.items():
                await wait_for_seq(page, AT[moment])
                await check_moment(page, moment)
                assert malformed_times(await page_texts(page)) == [], (name, moment)
                if name == "phone":
                    await check_phone_layout(page)
                kept = KEPT.get((name, moment))
                path = DOCS / kept if kept else tmp_path / f"{name}-{moment}.png"
                await page.screenshot(path=path, animations="disabled")
        for name, (_, errors) in pages.items():
            assert errors == [], name


async def test_no_time_on_the_page_is_negative_or_malformed_at_any_of_the_231_seqs(
    browser: Browser,
) -> None:
    """Stepped one event at a time from the start list to the end, every time shown is well
    formed, and only clocks before the gun carry a minus sign."""
    spec = SessionSpec(name="main", scenario=TOKYO, paused=True, token="t")
    async with run_server(sessions=[spec]) as server:
        page, errors = await open_page(browser, server.port)
        problems: dict[int, list[str]] = {}
        for first in range(1, len(EVENTS) + 1, 10):
            # A connection may send 10 control messages a second: a fresh one every ten.
            async with connect(server.url) as ws:
                for seq in range(first, min(first + 10, len(EVENTS) + 1)):
                    await control(ws, "step")
                    await wait_for_seq(page, seq)
                    found = malformed_times(await page_texts(page))
                    if found:
                        problems[seq] = found
        assert len(EVENTS) == 231
        assert problems == {}
        assert errors == []


async def test_the_clock_ticks_between_events_and_stops_at_the_last_one(
    browser: Browser,
) -> None:
    """From the official result (9:20.0) to the last event (9:30.0) the clock runs, at 5x;
    then it stays at 9:30.0 instead of running on."""
    spec = SessionSpec(name="main", scenario=TOKYO, paused=True, token="t")
    official = AT["official"]
    async with run_server(sessions=[spec]) as server, connect(server.url) as ws:
        page, errors = await open_page(browser, server.port)
        await control(ws, "seek", seq=official)
        await wait_for_seq(page, official)
        await expect(page.locator("#clock")).to_have_text("9:20.0")
        await control(ws, "speed", speed=5)
        await control(ws, "play")
        await page.wait_for_timeout(1000)  # about 5 s of race time; the next event is at 10 s
        assert await page.evaluate("window.racefeed.lastSeq") == official
        between = await page.locator("#clock").text_content()
        assert between is not None
        assert "9:21.0" <= between <= "9:28.0", between
        await page.wait_for_function("window.racefeed.ended === true", timeout=WAIT_MS)
        await expect(page.locator("#clock")).to_have_text("9:30.0")
        await page.wait_for_timeout(1000)
        await expect(page.locator("#clock")).to_have_text("9:30.0")
        assert errors == []


async def test_the_page_says_it_is_offline_then_announces_the_restarted_session(
    browser: Browser,
) -> None:
    """The server dies at the bell: the LIVE badge goes grey and the page says how long ago
    the last update came. It comes back at the start of the race: the page says the
    session restarted rather than quietly rewinding from 2:41.5."""
    bell = AT["bell"]
    spec = SessionSpec(name="main", scenario=TOKYO, paused=True, token="t")
    async with run_server(sessions=[spec]) as first, connect(first.url) as ws:
        port = first.port
        page, errors = await open_page(browser, port)
        await control(ws, "seek", seq=bell)
        await wait_for_seq(page, bell)
        await expect(page.locator("#clock")).to_have_text("2:41.5")
    alert = page.locator("#alert")
    await expect(alert).to_have_attribute("data-kind", "offline", timeout=WAIT_MS)
    await expect(alert).to_have_text(re.compile(r"^Offline - last update \d+ s ago$"))
    await expect(page.locator("body")).to_have_class(re.compile(r"\boffline\b"))
    await page.wait_for_timeout(1100)
    await expect(alert).not_to_have_text("Offline - last update 0 s ago")
    again = SessionSpec(name="main", events=EVENTS, title="again", paused=True, token="t")
    async with run_server("127.0.0.1", port, sessions=[again]) as second:
        notice = page.locator("#notice")
        await expect(notice).to_have_text(
            "Session restarted: back at 0:00.0 (was at 2:41.5)", timeout=WAIT_MS
        )
        await expect(alert).to_be_hidden()
        async with connect(second.url) as ws2:
            await control(ws2, "seek", seq=20)
        await wait_for_seq(page, 20)
        assert await page.evaluate("window.racefeed.restarts") == 1
        lines = await page.evaluate("window.racefeed.lines.map((line) => line.seq)")
        assert lines == sorted(lines) and max(lines) <= 20
    assert errors == []


async def test_a_photo_that_reverses_the_order_changes_the_winner_on_the_page(
    browser: Browser,
) -> None:
    """The clock had Voorbeeld first; the photo gives it to Esempio, both on 3:36.01: no
    colours while it is read, then Esempio in gold with both readings to the thousandth."""
    scenario = "edge-photo-reverses-order"
    events = load_scenario(scenario).events
    asked = next(e.seq for e in events if e.type == "photo_finish_requested")
    decided = next(e.seq for e in events if e.type == "photo_finish_resolved")
    spec = SessionSpec(name="main", scenario=scenario, paused=True, token="t")
    async with run_server(sessions=[spec]) as server, connect(server.url) as ws:
        page, errors = await open_page(browser, server.port)
        results = page.locator("#results tbody tr")
        await control(ws, "seek", seq=asked)
        await wait_for_seq(page, asked)
        await expect(results.first).to_have_attribute("data-athlete", "voorbeeld-daan")
        await expect(results.first).to_have_attribute("data-under-review", "true")
        await expect(page.locator("#results tbody tr:not([data-medal=''])")).to_have_count(0)
        await control(ws, "seek", seq=decided)
        await wait_for_seq(page, decided)
        await expect(results.first).to_have_attribute("data-athlete", "esempio-marco")
        await expect(results.first).to_have_attribute("data-medal", "gold")
        await expect(results.first.locator(".thousandths")).to_have_text("3:36.006")
        await expect(results.nth(1).locator(".thousandths")).to_have_text("3:36.009")
        await expect(page.locator("#leader")).to_have_attribute("data-athlete", "esempio-marco")
        assert malformed_times(await page_texts(page)) == []
        assert errors == []


def test_the_kept_screenshots_are_few_and_small() -> None:
    """docs/ holds a handful of PNGs from these tests, each under 400 kB."""
    for name in KEPT.values():
        path = DOCS / name
        assert path.exists(), f"{path} is made by the moments test"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size < 400_000, path
    assert len(KEPT) <= 6


def test_the_time_check_flags_what_the_page_once_showed() -> None:
    """The check itself: the garbage of negative gaps fails it, the page's own texts pass."""
    assert malformed_times([("+-1:-1:-1.-30", None), ("Kerr +-1:59:59.57", None)]) == [
        "malformed '+-1:-1:-1.-30' in '+-1:-1:-1.-30'",
        "malformed '+-1:59:59.57' in 'Kerr +-1:59:59.57'",
    ]
    assert malformed_times([("-0:43", None), ("-0.43", 5)]) != []
    shown = [("3:34.10", None), ("+0.02", None), ("3:36.006", None), ("-0:20.0", -20_000),
             ("2:41.5", 161_500), ("59.50", None), ("seq 231 · epoch 1", None)]  # fmt: skip
    assert malformed_times(shown) == []
