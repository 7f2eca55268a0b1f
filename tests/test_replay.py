"""The replay scheduler: due times, pause, speed, seek, step and epochs, without a clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feed.errors import SequenceError
from feed.events import Commentary, CommentaryData, Event
from feed.replay import Replay, at_ms, check_speed, format_utc

_START = datetime(2025, 9, 17, 13, 20, 0, tzinfo=UTC)


def _log(gaps_ms: list[int], *, races: int = 1) -> list[Event]:
    """A log of commentary events, the first at the start, each next one ``gap`` ms later."""
    events: list[Event] = []
    moment = _START
    per_race = max(1, -(-(len(gaps_ms) + 1) // races))
    for index, gap in enumerate([0, *gaps_ms]):
        moment += timedelta(milliseconds=gap)
        race = f"race-{index // per_race}"
        gun = _START if index < per_race else moment
        events.append(
            Commentary(
                seq=index + 1,
                stream="s",
                race=race,
                race_ms=(moment - gun) // timedelta(milliseconds=1),
                at=format_utc(moment),
                data=CommentaryData(text=f"line {index + 1}"),
            )
        )
    return events


def _seqs(events: list[Event]) -> list[int]:
    return [event.seq for event in events]


def test_an_event_is_due_at_its_time_and_not_a_moment_before() -> None:
    """At 1x, the event 2.5 s into the log is due 2.5 s after play, never earlier."""
    replay = Replay(_log([2500]))
    replay.play(100.0)
    assert _seqs(replay.due(100.0)) == [1]
    deadline = replay.next_deadline()
    assert deadline == pytest.approx(102.5)
    assert deadline is not None
    assert replay.due(deadline - 1e-6) == []
    assert _seqs(replay.due(deadline)) == [2]
    assert replay.state == "ended"
    assert replay.next_deadline() is None


def test_deadline_of_names_each_event_s_time_under_the_current_clock() -> None:
    """At 2x from t=10, the event 3 s into the log is due at 11.5; paused, at no time."""
    replay = Replay(_log([1000, 2000]), speed=2)
    assert replay.deadline_of(3) is None
    replay.play(10.0)
    assert replay.deadline_of(3) == pytest.approx(11.5)
    with pytest.raises(ValueError, match="no event 4"):
        replay.deadline_of(4)


def test_speed_scales_the_schedule() -> None:
    """At 10x, an event 2.5 s in is due after 0.25 s."""
    replay = Replay(_log([2500]), speed=10)
    replay.play(0.0)
    replay.due(0.0)
    assert replay.next_deadline() == pytest.approx(0.25)


def test_idle_gaps_are_compressed_to_max_gap() -> None:
    """A day between two races is replayed as max_gap_ms."""
    replay = Replay(_log([86_400_000]), max_gap_ms=10_000)
    replay.play(0.0)
    replay.due(0.0)
    assert replay.next_deadline() == pytest.approx(10.0)
    assert Replay(_log([86_400_000]), max_gap_ms=None).events  # no compression is allowed


def test_a_paused_replay_delivers_nothing_until_played() -> None:
    """Pause holds the clock: nothing more is due however long it stays paused."""
    replay = Replay(_log([1000, 1000]))
    replay.play(0.0)
    assert _seqs(replay.due(0.5)) == [1]
    replay.pause(0.5)
    assert replay.state == "paused"
    assert replay.next_deadline() is None
    assert replay.due(1000.0) == []
    replay.play(1000.0)
    assert replay.next_deadline() == pytest.approx(1000.5)
    assert _seqs(replay.due(1000.5)) == [2]


def test_what_was_due_before_a_pause_stays_due() -> None:
    """An event whose time came before the pause is delivered even if due() is called after."""
    replay = Replay(_log([1000]))
    replay.play(0.0)
    replay.pause(5.0)
    assert _seqs(replay.due(5.0)) == [1, 2]


def test_a_speed_change_keeps_the_position() -> None:
    """Halfway to an event at 1x, switching to 10x leaves a twentieth of the wait."""
    replay = Replay(_log([1000]))
    replay.play(0.0)
    replay.due(0.0)
    replay.set_speed(10, 0.5)
    assert replay.next_deadline() == pytest.approx(0.55)


def test_instant_speed_makes_everything_due_at_once() -> None:
    """Instant delivers the rest of the log in one go."""
    replay = Replay(_log([1000] * 9), speed="instant")
    replay.play(3.0)
    assert replay.next_deadline() == 3.0
    assert _seqs(replay.due(3.0)) == list(range(1, 11))


def test_from_instant_back_to_a_speed_continues_from_the_last_event() -> None:
    """Switching away from instant anchors at the last delivered event."""
    replay = Replay(_log([1000, 1000]), speed="instant")
    replay.step(0.0)
    assert _seqs(replay.due(0.0)) == [1]
    replay.set_speed(1.0, 10.0)
    replay.play(10.0)
    assert replay.next_deadline() == pytest.approx(11.0)


def test_step_delivers_exactly_one_event_and_pauses() -> None:
    """Step from a playing replay pauses it and makes one more event due."""
    replay = Replay(_log([1000, 0, 5000]))
    replay.play(0.0)
    assert _seqs(replay.due(0.5)) == [1]
    replay.step(0.5)
    assert replay.state == "paused"
    assert _seqs(replay.due(0.5)) == [2]
    replay.step(0.6)
    assert _seqs(replay.due(0.6)) == [3]
    assert replay.due(100.0) == []


def test_seek_forward_releases_the_events_passed_over() -> None:
    """Seeking to seq 3 makes 1..3 due at once; the epoch stays."""
    replay = Replay(_log([1000] * 4))
    replay.seek_seq(3, 0.0)
    assert replay.epoch == 1
    assert _seqs(replay.due(0.0)) == [1, 2, 3]
    replay.play(0.0)
    assert replay.next_deadline() == pytest.approx(1.0)


def test_seek_backwards_starts_a_new_epoch() -> None:
    """After a seek back to seq 2, event 3 is due again, in epoch 2."""
    replay = Replay(_log([1000] * 4), speed="instant")
    replay.play(0.0)
    assert len(replay.due(0.0)) == 5
    assert replay.state == "ended"
    replay.seek_seq(2, 1.0)
    assert replay.epoch == 2
    assert replay.position_seq == 2
    assert _seqs(replay.due(1.0)) == [3, 4, 5]


def test_seek_to_the_same_place_keeps_the_epoch() -> None:
    """Seeking to where the replay already is changes nothing the client saw."""
    replay = Replay(_log([1000] * 4))
    replay.seek_seq(2, 0.0)
    replay.due(0.0)
    replay.seek_seq(2, 1.0)
    assert replay.epoch == 1


def test_seek_race_ms_counts_events_up_to_that_race_time() -> None:
    """Seeking to race time 2.5 s passes the events at 0, 1 and 2 s."""
    replay = Replay(_log([1000] * 4))
    replay.seek_race_ms(2500, 0.0)
    assert _seqs(replay.due(0.0)) == [1, 2, 3]
    assert replay.race_clock(0.0) == ("race-0", 2500)
    replay.play(0.0)
    assert replay.next_deadline() == pytest.approx(0.5)
    replay.seek_race_ms(0, 1.0)
    assert replay.epoch == 2
    assert replay.position_seq == 1


def test_seek_race_ms_uses_the_named_race_of_a_championship() -> None:
    """In a stream of several races, race time is that race's clock."""
    events = _log([1000, 1000, 86_400_000, 1000, 1000], races=2)
    replay = Replay(events)
    replay.seek_race_ms(1000, 0.0, race="race-1")
    assert _seqs(replay.due(0.0)) == [1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="no event of race 'nope'"):
        replay.seek_race_ms(0, 0.0, race="nope")


def test_seek_outside_the_log_is_refused_with_the_range() -> None:
    """A seq beyond the log is a ValueError naming the valid range."""
    replay = Replay(_log([1000]))
    with pytest.raises(ValueError, match=r"expected 0\.\.2, got 3"):
        replay.seek_seq(3, 0.0)


def test_rebase_stamps_emitted_at_and_keeps_at() -> None:
    """A rebasing replay sets emitted_at to the wall time given; at is untouched."""
    events = _log([1000])
    replay = Replay(events, rebase=True, speed="instant")
    replay.play(0.0)
    wall = datetime(2030, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
    out = replay.due(0.0, wall=wall)
    assert [e.emitted_at for e in out] == ["2030-01-02T03:04:05.678Z"] * 2
    assert [e.at for e in out] == [e.at for e in events]
    again = Replay(events, rebase=True, speed="instant")
    again.play(0.0)
    with pytest.raises(ValueError, match="wall time"):
        again.due(0.0)


def test_original_timestamps_leave_emitted_at_unset() -> None:
    """Without rebase, events come out exactly as they are in the log."""
    events = _log([10])
    replay = Replay(events, speed="instant")
    replay.play(0.0)
    assert replay.due(0.0) == events


def test_a_log_with_a_gap_in_seq_is_refused() -> None:
    """The scheduler checks ordering instead of assuming it."""
    events = _log([1, 1])
    with pytest.raises(SequenceError, match="expected seq 2, got 3"):
        Replay([events[0], events[2]])


def test_a_log_out_of_time_order_is_refused() -> None:
    """An at that goes back is named by seq."""
    first, second = _log([1000])
    data = CommentaryData(text="")
    swapped = [
        Commentary(seq=1, stream="s", race="r", race_ms=0, at=second.at, data=data),
        Commentary(seq=2, stream="s", race="r", race_ms=0, at=first.at, data=data),
    ]
    with pytest.raises(ValueError, match="event seq 2"):
        Replay(swapped)


def test_speed_limits() -> None:
    """Speeds from 0.1 to 1000 and 'instant' are accepted; others say what is expected."""
    assert check_speed(0.1) == 0.1
    assert check_speed(1000) == 1000.0
    assert check_speed("instant") == "instant"
    for bad in (0.05, 1001, 0, -1):
        with pytest.raises(ValueError, match=r"expected 0\.1\.\.1000"):
            check_speed(bad)


def test_at_ms_needs_an_offset() -> None:
    """A naive timestamp is refused."""
    assert at_ms("1970-01-01T00:00:01.5Z") == 1500
    with pytest.raises(ValueError, match="UTC offset"):
        at_ms("2025-01-01T00:00:00")


# -- properties -----------------------------------------------------------------------

_gaps = st.lists(st.integers(min_value=0, max_value=30_000), min_size=0, max_size=40)
_speeds = st.one_of(st.sampled_from([0.1, 1.0, 2.5, 10.0, 1000.0, "instant"]))
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.floats(min_value=0.0, max_value=20.0)),
        st.tuples(st.just("speed"), _speeds),
        st.tuples(st.just("pause"), st.none()),
        st.tuples(st.just("play"), st.none()),
        st.tuples(st.just("step"), st.none()),
        st.tuples(st.just("seek"), st.integers(min_value=0, max_value=40)),
        st.tuples(st.just("seek_ms"), st.integers(min_value=-5000, max_value=400_000)),
    ),
    max_size=30,
)


def _schedule(events: list[Event], max_gap_ms: int) -> list[float]:
    """Independent model of the replay offsets (ms) with gaps compressed."""
    offsets = [0.0]
    moments = [at_ms(e.at) for e in events]
    for before, after in itertools.pairwise(moments):
        offsets.append(offsets[-1] + min(after - before, max_gap_ms))
    return offsets


@settings(max_examples=150, deadline=None)
@given(gaps=_gaps, speed=_speeds, waits=st.lists(st.floats(0.0, 5.0), max_size=50))
def test_due_never_returns_an_event_early(
    gaps: list[int], speed: float | str, waits: list[float]
) -> None:
    """Played at a constant speed from 0, every event comes out at or after offset / speed."""
    events = _log(gaps)
    replay = Replay(events, speed=speed)  # type: ignore[arg-type]
    offsets = _schedule(events, 10_000)
    replay.play(0.0)
    now = 0.0
    for wait in [*waits, 1e9]:
        for event in replay.due(now):
            if speed != "instant":
                assert now * 1000.0 * float(speed) >= offsets[event.seq - 1] - 1e-6
        deadline = replay.next_deadline()
        if deadline is not None and deadline > now:
            assert replay.due(deadline - 1e-7 * max(1.0, deadline)) == [] or speed == "instant"
        now += wait


@settings(max_examples=300, deadline=None)
@given(gaps=_gaps, ops=_ops)
def test_any_sequence_of_controls_delivers_the_log_in_order_once_per_epoch(
    gaps: list[int], ops: list[tuple[str, object]]
) -> None:
    """Under any mix of speed changes, pauses, steps and seeks, each epoch is an in-order
    gapless continuation, a backwards seek bumps the epoch, pause stops the flow, and
    playing to the end delivers every event."""
    events = _log(gaps)
    replay = Replay(events)
    now = 0.0
    delivered: list[int] = []  # seqs delivered in the current epoch, from 1
    epoch = replay.epoch
    replay.play(now)
    for name, arg in ops:
        before = replay.position_seq
        if name == "wait":
            assert isinstance(arg, float)
            paused = replay.state == "paused" and replay.next_deadline() is None
            now += arg
            got = replay.due(now)
            if paused:
                assert got == []
            delivered.extend(_seqs(got))
        elif name == "speed":
            replay.set_speed(arg, now)  # type: ignore[arg-type]
        elif name == "pause":
            replay.pause(now)
        elif name == "play":
            replay.play(now)
        elif name == "step":
            replay.step(now)
            got = replay.due(now)
            assert len(got) <= 1 or replay.position_seq <= before + len(got)
            delivered.extend(_seqs(got))
        elif name == "seek":
            assert isinstance(arg, int)
            target = min(arg, len(events))
            replay.seek_seq(target, now)
            if target < before:
                assert replay.epoch == epoch + 1
                delivered = delivered[:target]
            delivered.extend(_seqs(replay.due(now)))
        elif name == "seek_ms":
            assert isinstance(arg, int)
            replay.seek_race_ms(arg, now)
            if replay.epoch != epoch:
                delivered = delivered[: replay.position_seq]
            delivered.extend(_seqs(replay.due(now)))
        if replay.epoch != epoch:
            assert replay.epoch == epoch + 1
            epoch = replay.epoch
        assert delivered == list(range(1, len(delivered) + 1))
        assert replay.position_seq == len(delivered)
    replay.play(now)
    while (deadline := replay.next_deadline()) is not None:
        now = max(now, deadline)
        delivered.extend(_seqs(replay.due(now)))
    assert delivered == [e.seq for e in events]
    assert replay.state == "ended"


def test_the_race_clock_stops_at_the_next_event_and_at_the_last_one() -> None:
    """Between events the clock runs up to the next one (a long gap compressed); it never
    runs on past the last event."""
    replay = Replay(_log([1000, 60_000]), max_gap_ms=10_000)
    assert replay.race_clock_limit() == 0  # nothing released: the first event's time
    replay.play(0.0)
    replay.due(0.0)
    assert replay.race_clock_limit() == 1000
    assert replay.race_clock(5.0) == ("race-0", 1000)
    replay.due(1.0)
    assert replay.race_clock_limit() == 11_000  # 60 s idle, replayed as 10 s
    assert replay.race_clock(30.0) == ("race-0", 11_000)
    replay.due(11.0)
    assert replay.state == "ended"
    assert replay.race_clock_limit() == 61_000
    assert replay.race_clock(100.0) == ("race-0", 61_000)
