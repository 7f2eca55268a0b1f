"""The blog's running clock and its link: ticked from replay_state, stopped, offline."""

from __future__ import annotations

from feed.events import Event
from feed.io import load_scenario
from feed.terminal import LiveBlog
from feed.wire import ReplayStatus

RACE = "tokyo-2025-m1500-final"
EVENTS: list[Event] = load_scenario(RACE).events


def status(
    state: str, race_ms: int, *, speed: float = 1.0, until: int | None = None
) -> ReplayStatus:
    return ReplayStatus(
        session="main", epoch=1, state=state, speed=speed,  # type: ignore[arg-type]
        position_seq=3, race=RACE, race_ms=race_ms, until_race_ms=until,
    )  # fmt: skip


def blog_at(seq: int, now: float = 100.0) -> LiveBlog:
    blog = LiveBlog()
    for event in EVENTS[:seq]:
        blog.apply(event, now)
    return blog


def test_the_clock_ticks_at_the_replay_speed_while_playing() -> None:
    """From the gun at 0:00.0, 1.5 s later at 2x the clock says 0:03.0."""
    blog = blog_at(3)  # the gun
    blog.set_replay(status("playing", 0, speed=2.0), 100.0)
    assert blog.clock_ms(RACE, 100.0) == 0
    assert blog.clock_ms(RACE, 101.5) == 3000


def test_the_clock_stops_where_the_server_says_the_next_event_is() -> None:
    blog = blog_at(3)
    blog.set_replay(status("playing", 0, until=1_500), 100.0)
    assert blog.clock_ms(RACE, 105.0) == 1_500


def test_without_a_limit_the_clock_runs_no_further_than_the_longest_idle_gap() -> None:
    """A server that does not send until_race_ms: at most 10 s past the last event."""
    blog = blog_at(3)
    blog.set_replay(status("playing", 0), 100.0)
    assert blog.clock_ms(RACE, 160.0) == 10_000


def test_a_new_event_moves_the_clock_on_from_its_own_time() -> None:
    """The limit of an old replay_state no longer holds once a later event came."""
    blog = blog_at(3)
    blog.set_replay(status("playing", 0, until=1_500), 100.0)
    for event in EVENTS[3:10]:
        blog.apply(event, 110.0)
    clock = EVENTS[9].race_ms
    assert blog.clock_ms(RACE, 111.0) == clock + 1000


def test_paused_ended_or_offline_the_clock_shows_the_last_event() -> None:
    """The clock does not run on after the replay is over (9:30.0 is the last event)."""
    blog = blog_at(len(EVENTS))
    last = EVENTS[-1].race_ms
    blog.set_replay(status("ended", last), 100.0)
    assert blog.clock_ms(RACE, 500.0) == last
    paused = blog_at(50)
    paused.set_replay(status("paused", EVENTS[49].race_ms), 100.0)
    assert paused.clock_ms(RACE, 200.0) == EVENTS[49].race_ms
    offline = blog_at(50)
    offline.set_replay(status("playing", EVENTS[49].race_ms), 100.0)
    offline.set_connected(False, 101.0)
    assert offline.clock_ms(RACE, 105.0) == EVENTS[49].race_ms


def test_offline_says_how_long_ago_the_last_update_came() -> None:
    blog = blog_at(50, now=100.0)
    blog.set_connected(True, 100.0)
    assert blog.offline_text(130.0) is None
    blog.set_connected(False, 131.0)
    assert blog.offline_text(142.4) == "offline - last update 42 s ago"
    blog.set_connected(True, 143.0)
    assert blog.offline_text(143.0) is None
