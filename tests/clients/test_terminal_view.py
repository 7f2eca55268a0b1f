"""The terminal live blog draws the race, the commentary, the result and the medals."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console

from feed.events import (
    AthleteDidNotFinish,
    AthleteDidNotFinishData,
    AthleteFinished,
    AthleteFinishedData,
    AthleteIncident,
    AthleteIncidentData,
    Entrant,
    Event,
    PhotoFinishRequested,
    PhotoFinishRequestedData,
    PhotoFinishResolved,
    PhotoFinishResolvedData,
    PhotoPlace,
    RaceInfo,
    RaceScheduled,
    RaceScheduledData,
    RaceStarted,
    ResultStatusChanged,
    ResultStatusChangedData,
    SplitRecorded,
    SplitRecordedData,
)
from feed.io import load_scenario
from feed.projections import project
from feed.terminal import LiveBlog, Screen, play_log, watch_feed

RACE = "test-m1500-final"
_GUN = datetime(2025, 9, 17, 13, 20, 40, tzinfo=UTC)
_AT = (400, 800, 1100, 1200, 1300, 1400)
# bib, id, name, nation, splits at _AT (ms), finish (ms) or None for a DNF at 1200 m
_FIELD = [
    (1, "laros-niels", "Niels Laros", "NED",
     (59500, 120000, 164300, 178100, 192200, 206400), 214520),
    (2, "cheruiyot-timothy", "Timothy Cheruiyot", "KEN",
     (59700, 119880, 164000, 177900, 192100, 206300), 214500),
    (3, "cheruiyot-reynold", "Reynold Cheruiyot", "KEN",
     (60100, 120300, 164600, 178300, 192000, 206100), 214250),
    (4, "wightman-jake", "Jake Wightman", "GBR",
     (59900, 120200, 164200, 178000, 191800, 205900), 214117),
    (5, "nader-isaac", "Isaac Nader", "POR",
     (60300, 120500, 164900, 178600, 192400, 206000), 214094),
    (6, "kerr-josh", "Josh Kerr", "GBR",
     (60000, 120400, 165500, 181000, 197000, 213000), 251230),
    (7, "ben-adrian", "Adrián Ben", "ESP",
     (60500, 120700, 165000, 178900), None),
]  # fmt: skip

Build = Callable[[dict[str, object]], Event]


def _bind(cls: Callable[..., Event], data: object) -> Build:
    return lambda env: cls(**env, data=data)


def build_race() -> list[Event]:
    """A small final: T. Cheruiyot leads at the bell, Nader wins a photo, Kerr limps home."""
    info = RaceInfo(
        championship="Test Championships",
        event="Men's 1500 metres",
        round="Final",
        venue="Test Stadium",
        scheduled_start="2025-09-17T22:20:00+09:00",
        distance_m=1500,
    )
    start_list = [Entrant(bib=b, athlete_id=a, name=n, nation=c) for b, a, n, c, *_ in _FIELD]
    timeline: list[tuple[int, int, Build]] = [
        (-30000, 0, _bind(RaceScheduled, RaceScheduledData(race=info, start_list=start_list))),
        (0, 1, lambda env: RaceStarted(**env)),
    ]
    for bib, athlete, _, _, splits, finish in _FIELD:
        for distance, elapsed in zip(_AT, splits, strict=False):
            data = SplitRecordedData(athlete_id=athlete, distance_m=distance, elapsed_ms=elapsed)
            timeline.append((elapsed, 10 + bib, _bind(SplitRecorded, data)))
        if finish is None:
            dnf = AthleteDidNotFinishData(athlete_id=athlete, distance_m=1200, reason="fell")
            timeline.append((179500, 30, _bind(AthleteDidNotFinish, dnf)))
        else:
            done = AthleteFinishedData(athlete_id=athlete, elapsed_ms=finish)
            timeline.append((finish, 40, _bind(AthleteFinished, done)))
    injury = AthleteIncidentData(athlete_id="kerr-josh", distance_m=900, kind="injury",
                                 detail="calf")  # fmt: skip
    photo = [PhotoPlace(athlete_id="nader-isaac", elapsed_ms=214094),
             PhotoPlace(athlete_id="wightman-jake", elapsed_ms=214117)]  # fmt: skip
    timeline += [
        (135000, 20, _bind(AthleteIncident, injury)),
        (216000, 50, _bind(PhotoFinishRequested,
                           PhotoFinishRequestedData(athlete_ids=["nader-isaac", "wightman-jake"]))),
        (230000, 50, _bind(PhotoFinishResolved, PhotoFinishResolvedData(order=photo))),
        (260000, 50, _bind(ResultStatusChanged, ResultStatusChangedData(status="unofficial"))),
        (400000, 50, _bind(ResultStatusChanged, ResultStatusChangedData(status="official"))),
    ]  # fmt: skip
    timeline.sort(key=lambda entry: (entry[0], entry[1]))
    events: list[Event] = []
    for seq, (race_ms, _, build) in enumerate(timeline, start=1):
        at = (_GUN + timedelta(milliseconds=race_ms)).isoformat(timespec="milliseconds")
        envelope = {"seq": seq, "stream": RACE, "race": RACE, "race_ms": race_ms, "at": at}
        events.append(build(envelope))
    return events


def screen(blog: LiveBlog) -> str:
    console = Console(record=True, width=140, file=io.StringIO())
    console.print(Screen(blog))
    return console.export_text()


def row(*cells: str) -> re.Pattern[str]:
    """A table row holding these cells in this order, separated by blanks only (``*``: any)."""
    pattern = r"\s+".join(r"\S+" if cell == "*" else re.escape(cell) for cell in cells)
    return re.compile(r"^\s*" + pattern + r"(\s|$)", re.M)


def cells(*texts: str) -> re.Pattern[str]:
    """These cells in this order on one line, anywhere on it (a table beside another)."""
    return re.compile(r"(^|\s)" + r"\s+".join(re.escape(t) for t in texts) + r"(\s|$)", re.M)


def first_bell(events: list[Event]) -> int:
    """The seq of the split at which the leader reaches the bell (1100 m of 1500)."""
    return next(e.seq for e in events if isinstance(e, SplitRecorded) and e.data.distance_m == 1100)


def test_an_empty_blog_waits_for_the_start_list() -> None:
    assert "Waiting for the start list" in screen(LiveBlog())


def test_before_the_gun_the_screen_shows_the_start_list() -> None:
    blog = LiveBlog()
    blog.apply(build_race()[0])
    text = screen(blog)
    assert "START LIST" in text
    assert "-0:30.0" in text
    assert row("1", "1", "Niels Laros", "NED").search(text)
    assert "Coming up: the men's 1500 m final" in text


def test_at_the_bell_the_leader_tops_the_running_order_and_the_bell_is_called() -> None:
    events = build_race()
    blog = LiveBlog()
    for event in events[: first_bell(events)]:
        blog.apply(event)
    text = screen(blog)
    assert row("1", "2", "Timothy Cheruiyot", "KEN", "1100 m").search(text)
    assert "The bell! Timothy Cheruiyot leads" in text
    assert "LIVE" in text
    assert "BELL: last lap" in text
    assert "2:44.0" in text  # the race clock at the bell split
    assert "! injury: calf" in text  # Kerr's marker in the running order


def test_the_final_screen_shows_the_official_result_and_the_medal_table() -> None:
    blog = LiveBlog()
    for event in build_race():
        blog.apply(event)
    text = screen(blog)
    assert "OFFICIAL" in text
    assert row("1", "Isaac Nader", "POR", "3:34.10").search(text)
    assert row("2", "Jake Wightman", "GBR", "3:34.12").search(text)
    assert row("6", "Josh Kerr", "GBR", "4:11.23").search(text)
    assert row("Adrián Ben", "ESP", "DNF").search(text)
    assert row("1", "POR", "1", "0", "0", "1").search(text)
    assert row("2", "GBR", "0", "1", "0", "1").search(text)
    assert row("3", "KEN", "0", "0", "1", "1").search(text)
    assert "OFFICIAL: Nader wins in 3:34.10" in text


def test_a_finisher_heads_the_running_order_with_the_official_time() -> None:
    """Once someone has finished they lead the order as first across the line, not as winner."""
    events = build_race()
    winner = next(e.seq for e in events if isinstance(e, AthleteFinished))
    blog = LiveBlog()
    for event in events[: winner - 1]:
        blog.apply(event)
    assert " Fin " not in screen(blog)
    blog.apply(events[winner - 1])
    text = screen(blog)
    assert row("1", "5", "Isaac Nader", "POR", "Fin", "3:34.10").search(text)
    assert "First across the line: Isaac Nader POR 3:34.10" in text
    assert "Winner" not in text
    assert "Medal table" not in text  # nothing counts until the result is official


def test_the_commentary_pins_key_moments_then_shows_the_latest_lines_first() -> None:
    blog = LiveBlog()
    for event in build_race():
        blog.apply(event)
    text = screen(blog)
    moments, latest = text.index("Key moments"), text.index("Latest")
    assert moments < text.index("The gun!") < text.index("Photo decides it") < latest
    assert latest < text.index("Reynold Cheruiyot third") < text.index("Wightman second")


def test_a_duplicate_delivery_changes_nothing() -> None:
    """At-least-once delivery: a seq seen before is dropped, not folded twice."""
    events = build_race()
    once, twice = LiveBlog(), LiveBlog()
    for event in events:
        once.apply(event)
        twice.apply(event)
        twice.apply(event)
    assert twice.lines == once.lines
    assert screen(twice) == screen(once)


def test_a_blog_reset_from_a_snapshot_keeps_its_commentary_and_does_not_repeat_the_past() -> None:
    events = build_race()
    bell = first_bell(events)
    blog = LiveBlog()
    for event in events[:10]:
        blog.apply(event)
    kept = list(blog.lines)
    blog.reset(project(events, until_seq=bell))
    assert blog.lines == kept
    assert blog.notice is None  # a snapshot ahead of what was shown: nothing to announce
    for event in events[bell:]:
        blog.apply(event)
    assert "bell" not in {line.kind for line in blog.lines}
    assert blog.lines[: len(kept)] == kept
    assert row("1", "Isaac Nader", "POR", "3:34.10").search(screen(blog))


def test_a_snapshot_behind_in_the_same_epoch_is_announced_as_a_restart() -> None:
    """The session restarted: say so, and drop only the lines past the snapshot."""
    events = build_race()

    def at_the_bell_then_back_in(epoch: int) -> LiveBlog:
        blog = LiveBlog()
        blog.follow_epoch(1)
        for event in events[: first_bell(events)]:
            blog.apply(event)
        blog.reset(project(events, until_seq=2), epoch=epoch)
        return blog

    restarted = at_the_bell_then_back_in(1)
    assert restarted.notice == "Session restarted: back at 0:00.0 (was at 2:44.0)"
    assert [line.seq for line in restarted.lines] == [1, 2]
    assert "Session restarted: back at 0:00.0 (was at 2:44.0)" in screen(restarted)
    assert at_the_bell_then_back_in(2).notice == "Replay moved back to 0:00.0"


def test_play_log_off_a_terminal_prints_the_commentary_then_the_final_screen() -> None:
    console = Console(record=True, width=140, file=io.StringIO())
    play_log(build_race(), console)
    text = console.export_text()
    assert "0:00.0  The gun! 7 away in the men's 1500 m final.\n" in text
    assert "2:44.0  The bell! Timothy Cheruiyot leads\n" in text
    assert text.count("Commentary") == 1  # the screen is drawn once, at the end
    assert row("1", "Isaac Nader", "POR", "3:34.10").search(text)


def test_play_log_on_a_terminal_draws_a_screen_per_event() -> None:
    events = build_race()
    console = Console(record=True, width=140, file=io.StringIO(), force_terminal=True)
    play_log(events, console)
    assert console.export_text().count("─ Commentary ") == len(events)


async def _stream(events: list[Event]) -> AsyncIterator[Event]:
    for event in events:
        yield event


async def test_watch_feed_off_a_terminal_prints_lines_as_they_come() -> None:
    console = Console(record=True, width=140, file=io.StringIO())
    await watch_feed(_stream(build_race()), console)
    text = console.export_text()
    assert "3:34.0  Nader is first across the line in 3:34.10!\n" in text
    assert cells("3", "KEN", "0", "0", "1", "1").search(text)


async def test_watch_feed_on_a_terminal_ends_on_the_final_screen() -> None:
    console = Console(record=True, width=140, height=60, file=io.StringIO(), force_terminal=True)
    await watch_feed(_stream(build_race()), console, refresh_per_second=1000)
    text = console.export_text()
    final = text[text.rindex("Test Championships") :]
    assert "OFFICIAL: Nader wins in 3:34.10" in final
    assert cells("1", "POR", "1", "0", "0", "1").search(final)


async def test_watch_feed_draws_the_last_event_even_when_events_outpace_the_refresh() -> None:
    """However fast the stream, the screen left behind includes its last event."""
    console = Console(record=True, width=140, height=60, file=io.StringIO(), force_terminal=True)
    await watch_feed(_stream(build_race()), console, refresh_per_second=0.5)
    text = console.export_text()
    assert text.count("─ Commentary ") <= 3  # throttled: first draw, final draw (and Live's)
    assert "OFFICIAL: Nader wins in 3:34.10" in text[text.rindex("Test Championships") :]


@pytest.fixture(scope="module")
def tokyo() -> list[Event]:
    return load_scenario("tokyo-2025-m1500-final").events


def test_tokyo_at_the_bell_timothy_cheruiyot_leads_the_running_order(tokyo: list[Event]) -> None:
    blog = LiveBlog()
    for event in tokyo[: first_bell(tokyo)]:
        blog.apply(event)
    text = screen(blog)
    assert row("1", "*", "Timothy Cheruiyot", "KEN", "1100 m").search(text)
    assert "The bell! Timothy Cheruiyot leads" in text
    # Kerr's splits there are interpolated, not measured: shown as estimates.
    assert row(
        "*", "*", "Josh Kerr", "GBR", "1000", "m", "~2:32.00", "~+4.17", "! injury: calf"
    ).search(text)


def test_tokyo_ends_official_with_nader_first_kerr_last_and_three_medals(
    tokyo: list[Event],
) -> None:
    blog = LiveBlog()
    for event in tokyo:
        blog.apply(event)
    text = screen(blog)
    assert "OFFICIAL" in text
    assert row("1", "Isaac Nader", "POR", "3:34.10").search(text)
    assert row("2", "Jake Wightman", "GBR", "3:34.12").search(text)
    assert row("14", "Josh Kerr", "GBR", "4:11.23").search(text)
    assert row("1", "POR", "1", "0", "0", "1").search(text)
    assert row("2", "GBR", "0", "1", "0", "1").search(text)
    assert row("3", "KEN", "0", "0", "1", "1").search(text)
    assert "Photo decides it: Nader 3:34.094 ahead of Wightman" in text


def test_a_championship_shows_the_latest_race_and_medals_from_every_race() -> None:
    events = load_scenario("tokyo-2025-championship").events
    blog = LiveBlog()
    for event in events:
        blog.apply(event)
    text = screen(blog)
    races = blog.projection.race_ids()
    assert len(races) > 1
    latest = blog.projection.state.races[races[-1]].info
    assert f"{latest.event} · {latest.round}" in text
    assert "Result (OFFICIAL)" in text
    assert set(blog.projection.medal_table().races_counted) == set(races)
    assert row("*", "POR", "1", "*", "*", "*").search(text)  # the 1500 m gold still counts


async def test_watch_feed_draws_the_latest_event_during_a_quiet_spell() -> None:
    """Events throttled away are drawn once the stream goes quiet, not only at its end."""
    console = Console(record=True, width=140, height=60, file=io.StringIO(), force_terminal=True)
    seen_while_quiet: list[str] = []

    async def stream_then_pause() -> AsyncIterator[Event]:
        for event in build_race():
            yield event
        await asyncio.sleep(0.5)  # ten refresh intervals with nothing new
        seen_while_quiet.append(console.export_text(clear=False))

    await watch_feed(stream_then_pause(), console, refresh_per_second=20)
    quiet = seen_while_quiet[0]
    assert "OFFICIAL: Nader wins in 3:34.10" in quiet[quiet.rindex("Test Championships") :]
