"""The web live blog, in a real browser, follows a replay served by a real server.

The server runs in-process on 127.0.0.1 (port 0) and serves ``clients/web/`` at
``/``; the page connects back to it over a websocket. The test drives the session's
clock with control messages and reads the page as a reader would see it, plus the
bookkeeping the page exposes as ``window.racefeed``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence

import msgspec
from playwright.async_api import Browser, Page, expect
from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve

from feed import codec, wire
from feed.events import Event
from feed.io import load_scenario
from feed.projections import Projection
from feed.server import SessionSpec, run_server
from feed.timing import format_clock
from tests.clients.browserkit import WAIT_MS, control, needs_chromium, open_page

SCENARIO = "tokyo-2025-m1500-final"
RACE = "tokyo-2025-m1500-final"
TOKEN = "t"

pytestmark = needs_chromium


async def feed_state(page: Page) -> dict[str, object]:
    """``window.racefeed`` without the bulky views and lines."""
    state: dict[str, object] = await page.evaluate(
        "({...window.racefeed, views: null, lines: null})"
    )
    return state


def first_seq(events: Sequence[Event], type_: str) -> int:
    """The seq of the first event of a type."""
    return next(event.seq for event in events if event.type == type_)


def projection_at(events: Sequence[Event], seq: int) -> Projection:
    """The projection after the first ``seq`` events."""
    projection = Projection()
    projection.apply_all(events[:seq])
    return projection


def bell_seq(events: Sequence[Event]) -> int:
    """The seq at which the projection first has the leader on the last lap."""
    projection = Projection()
    for event in events:
        projection.apply(event)
        if projection.race_state(RACE).laps_to_go == 1:
            return event.seq
    raise AssertionError("the race never reaches the bell")


async def test_the_page_follows_the_final_through_a_dropped_connection_to_the_medals(
    browser: Browser,
) -> None:
    """The bell, the finish, a dropped connection resumed without loss, then the medals."""
    spec = SessionSpec(name="main", scenario=SCENARIO, speed=20, paused=True, token=TOKEN)
    async with run_server(sessions=[spec]) as server, connect(server.url) as ws:
        session = server.director.sessions["main"]  # type: ignore[union-attr]
        events = session.replay.events
        page, errors = await open_page(browser, server.port)

        # Paused at the bell: Timothy Cheruiyot leads, Kerr is hurt.
        bell = bell_seq(events)
        await control(ws, "seek", seq=bell)
        await page.wait_for_function(f"window.racefeed.lastSeq === {bell}", timeout=WAIT_MS)
        await expect(page.locator("#laps")).to_have_text("BELL", timeout=WAIT_MS)
        await expect(page.locator("#status")).to_have_text("LIVE")
        await expect(page.locator("#leader")).to_contain_text("Timothy Cheruiyot")
        await expect(page.locator("#leader")).to_have_attribute("data-athlete", "cheruiyot-timothy")
        await expect(page.locator("#clock")).to_have_text(format_clock(events[bell - 1].race_ms))
        order = page.locator("#order tbody tr")
        await expect(order.first).to_contain_text("Timothy Cheruiyot")
        await expect(order).to_have_count(14)
        kerr = page.locator("#order tbody tr[data-athlete='kerr-josh']")
        await expect(kerr.locator("td.flag")).to_contain_text("injury: calf")
        await expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
        newest = page.locator("#commentary li").first
        await expect(newest).to_contain_text("The bell! Timothy Cheruiyot leads")

        # Playing: the server drops the page mid-race; it reconnects and resumes.
        finish = first_seq(events, "athlete_finished")
        await control(ws, "play")
        await page.wait_for_function(f"window.racefeed.lastSeq >= {bell + 15}", timeout=WAIT_MS)
        (outbox,) = server.session("main").protocol.sinks
        outbox.connection.transport.abort()  # as a failing network would
        dropped_at = (await feed_state(page))["lastSeq"]
        assert isinstance(dropped_at, int)
        assert dropped_at < finish, "the connection should drop before the finish"
        await expect(page.locator("#connection")).to_have_attribute(
            "data-state", "reconnecting", timeout=WAIT_MS
        )
        await page.wait_for_function(
            "window.racefeed.reconnects >= 1 && window.racefeed.status === 'connected'",
            timeout=WAIT_MS,
        )

        # After the finish: Nader first in 3:34.10, Wightman 0.02 behind.
        results = page.locator("#results tbody tr")
        await expect(results.first).to_contain_text("Isaac Nader", timeout=WAIT_MS)
        await expect(results.first).to_contain_text("3:34.10")
        await expect(results.nth(1)).to_contain_text("Jake Wightman")
        await expect(results.nth(1)).to_contain_text("3:34.12")

        # On to the official result and the end of the replay.
        await control(ws, "speed", speed=1000)
        await page.wait_for_function("window.racefeed.ended === true", timeout=WAIT_MS)
        await expect(page.locator("#status")).to_have_text("OFFICIAL")
        await expect(page.locator("#connection")).to_have_attribute("data-state", "ended")
        await expect(page.locator("#leader")).to_contain_text("Isaac Nader")
        await expect(results).to_have_count(14)
        await expect(results.last).to_contain_text("Josh Kerr")
        await expect(results.last).to_contain_text("4:11.23")
        await expect(page.locator("#order-panel")).to_be_hidden()
        nations = page.locator("#medals tbody tr td.nat")
        await expect(nations).to_have_text(["POR", "GBR", "KEN"])

        state = await feed_state(page)
        assert state["seqs"] == list(range(1, session.position_seq + 1))
        assert state["lastSeq"] == session.position_seq == len(events)
        reconnects = state["reconnects"]
        assert isinstance(reconnects, int)
        assert reconnects >= 1
        assert state["snapshots"] == 1
        assert errors == []


async def test_a_backwards_seek_gives_the_page_a_new_epoch_from_a_fresh_snapshot(
    browser: Browser,
) -> None:
    """After a seek back, the page takes the snapshot of the new epoch and continues from it."""
    spec = SessionSpec(name="main", scenario=SCENARIO, speed=1000, paused=True, token=TOKEN)
    async with run_server(sessions=[spec]) as server, connect(server.url) as ws:
        session = server.director.sessions["main"]  # type: ignore[union-attr]
        events = session.replay.events
        finish = first_seq(events, "athlete_finished")
        page, errors = await open_page(browser, server.port)

        await control(ws, "seek", seq=finish)
        await expect(page.locator("#results tbody tr").first).to_contain_text(
            "Isaac Nader", timeout=WAIT_MS
        )
        back = bell_seq(events) - 1
        await control(ws, "seek", seq=back)
        await page.wait_for_function(
            f"window.racefeed.epoch === 2 && window.racefeed.lastSeq === {back}",
            timeout=WAIT_MS,
        )
        await expect(page.locator("#results-panel")).to_be_hidden()
        laps = projection_at(events, back).race_state(RACE).laps_to_go
        assert laps is not None
        assert laps > 1
        await expect(page.locator("#laps")).to_have_text(f"{laps} laps to go")

        await control(ws, "play")
        await page.wait_for_function("window.racefeed.ended === true", timeout=WAIT_MS)
        await expect(page.locator("#status")).to_have_text("OFFICIAL")
        state = await feed_state(page)
        assert state["snapshots"] == 2
        seqs = state["seqs"]
        assert isinstance(seqs, list)
        # Epoch 1 up to the finish, then epoch 2 from the snapshot on: each gapless.
        assert seqs == [*range(1, finish + 1), *range(back + 1, session.position_seq + 1)]
        assert errors == []


class ScriptedFeed:
    """A websocket peer that plays the server's part from a script: duplicates, gaps, a lag."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.events = events
        self.subscribes: list[dict[str, object]] = []
        self.done = asyncio.Event()
        self.failure: BaseException | None = None

    async def handle(self, ws: ServerConnection) -> None:
        """Serve one page; a failed expectation is kept for the test to raise."""
        try:
            await self.play(ws)
        except BaseException as exc:
            self.failure = exc
            raise
        finally:
            self.done.set()

    async def play(self, ws: ServerConnection) -> None:
        """The whole stream, with the faults of the script."""
        head = len(self.events)
        await self.expect_subscribe(ws)
        await self.send(ws, wire.Subscribed(session="main", stream=RACE, epoch=1, head_seq=head,
                                            next_seq=1))  # fmt: skip
        empty = Projection().snapshot()
        await self.send(
            ws,
            wire.SnapshotMessage(
                session="main",
                epoch=1,
                seq=0,
                state=empty.state,
                race_states=empty.race_states,
                standings=empty.standings,
                medal_table=empty.medal_table,
            ),
        )
        await self.batch(ws, 1, 5)
        await self.batch(ws, 4, 6)  # 4 and 5 again: duplicates
        await ws.send(codec.encode(self.events[7]).decode())  # seq 8 without 7: a gap
        await self.expect_subscribe(ws)
        await self.send(ws, wire.Subscribed(session="main", stream=RACE, epoch=1, head_seq=head,
                                            next_seq=7))  # fmt: skip
        await self.batch(ws, 7, 20)
        # The next events went missing without a later seq to show it; the heartbeat does.
        await self.send(ws, wire.Heartbeat(session="main", epoch=1, head_seq=25))
        await self.expect_subscribe(ws)
        await self.send(ws, wire.Subscribed(session="main", stream=RACE, epoch=1, head_seq=head,
                                            next_seq=21))  # fmt: skip
        await self.batch(ws, 21, head)
        await self.send(ws, wire.End(session="main", epoch=1, head_seq=head))
        await ws.close(1000, "replay finished")

    async def expect_subscribe(self, ws: ServerConnection) -> None:
        """Read the page's next message, which must be a subscribe."""
        message = msgspec.json.decode(await asyncio.wait_for(ws.recv(), WAIT_MS / 1000))
        assert message["op"] == "subscribe", message
        self.subscribes.append(message)

    async def batch(self, ws: ServerConnection, first: int, last: int) -> None:
        """Events ``first..last`` as one batch frame, then the views as of ``last``."""
        envelopes = [codec.encode(event) for event in self.events[first - 1 : last]]
        await ws.send(wire.encode_batch(envelopes).decode())
        projection = Projection()
        projection.apply_all(self.events[:last])
        await self.send(
            ws,
            wire.ViewsMessage(
                session="main",
                epoch=1,
                seq=last,
                race_states=[projection.race_state(race) for race in projection.race_ids()],
                standings=projection.all_standings(),
                medal_table=projection.medal_table(),
            ),
        )

    async def send(self, ws: ServerConnection, message: wire.ServerMessage) -> None:
        """One protocol message as a text frame."""
        await ws.send(wire.encode(message).decode())


async def test_the_page_drops_duplicates_and_refills_gaps_from_the_seq_and_the_heartbeat(
    browser: Browser,
) -> None:
    """Each event is applied once; a skipped seq and a head ahead both resume from lastSeq + 1."""
    events = load_scenario(SCENARIO).events
    script = ScriptedFeed(events)
    async with run_server() as server, serve(script.handle, "127.0.0.1", 0) as fake:
        fake_port = fake.sockets[0].getsockname()[1]
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(
            f"http://127.0.0.1:{server.port}/?server=ws://127.0.0.1:{fake_port}/&session=main"
        )
        await asyncio.wait_for(script.done.wait(), WAIT_MS / 1000)
        if script.failure is not None:
            raise script.failure
        await page.wait_for_function("window.racefeed.ended === true", timeout=WAIT_MS)

        state = await feed_state(page)
        assert state["seqs"] == list(range(1, len(events) + 1))
        assert state["duplicates"] == 2
        assert state["gaps"] == 2
        assert state["reconnects"] == 0
        first, after_gap, after_heartbeat = script.subscribes
        assert first == {"op": "subscribe", "session": "main", "views": True, "snapshot": True}
        assert after_gap == {"op": "subscribe", "session": "main", "views": True,
                             "from_seq": 7, "epoch": 1}  # fmt: skip
        assert after_heartbeat["from_seq"] == 21
        await expect(page.locator("#status")).to_have_text("OFFICIAL")
        await expect(page.locator("#results tbody tr").first).to_contain_text("Isaac Nader")
        assert errors == []


async def test_the_page_writes_its_ticking_clock_by_the_rule_of_feed_timing(
    browser: Browser,
) -> None:
    """The one time the page writes itself, the race clock, agrees with ``feed.timing``.

    Everything else it shows as a time comes written from the server; the page has no
    other formatter to disagree.
    """
    rng = random.Random(2025)
    clocks = [0, 1, 99, 100, 59_999, 60_000, 214_094, 3_599_999, 3_600_000, -1, -99, -100,
              -5_000, -30_000]  # fmt: skip
    clocks += [rng.randrange(-60_000, 8_000_000) for _ in range(500)]
    async with run_server() as server:
        page = await browser.new_page()
        await page.goto(f"http://127.0.0.1:{server.port}/")
        written = await page.evaluate(
            "(clocks) => clocks.map(window.racefeed.format.clock)", clocks
        )
        formatters = await page.evaluate("Object.keys(window.racefeed.format)")
    assert written == [format_clock(ms) for ms in clocks]
    assert formatters == ["clock"]
