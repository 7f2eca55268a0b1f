"""The checker's view of the feed at any seq is the reference projection at that seq."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from feed.check.model import Moment
from feed.check.timeline import Timeline
from feed.projections import project
from tests.check.checkkit import events

TOKYO = events("tokyo-2025-m1500-final")
TIMELINE = Timeline(TOKYO)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(TOKYO)), min_size=1, max_size=8))
def test_the_state_at_any_seq_in_any_order_is_the_projection_as_of_that_seq(
    seqs: list[int],
) -> None:
    """Asked forwards, backwards or again, each state equals project(until_seq=N)."""
    for seq in seqs:
        assert TIMELINE.state(seq).projection == project(TOKYO, until_seq=seq)


def test_evidence_names_the_latest_event_behind_a_fact_up_to_a_seq() -> None:
    """Nader's time in force: his finish, then the photo that re-read it."""
    finish = next(e.seq for e in TOKYO if e.type == "athlete_finished")
    photo = next(e.seq for e in TOKYO if e.type == "photo_finish_resolved")
    race = TOKYO[0].race
    assert TIMELINE.evidence.latest("time", race, "nader-isaac", until=photo - 1) == finish
    assert TIMELINE.evidence.latest("time", race, "nader-isaac", until=photo) == photo
    assert TIMELINE.evidence.latest("time", race, "nader-isaac", until=finish - 1) is None


def test_a_race_time_window_gives_the_state_before_it_and_one_after_each_event_in_it() -> None:
    """[2:42] covers 2:42.000-2:42.999: the state standing at 2:42.000, then each event."""
    moment = Moment(kind="race_time", label="[2:42]", start_ms=162_000, end_ms=163_000)
    seqs = TIMELINE.seqs_for(moment, TOKYO[0].race)
    inside = [e.seq for e in TOKYO if 162_000 <= e.race_ms < 163_000]
    assert seqs[1:] == inside
    assert TIMELINE.evidence.by_seq[seqs[0]].race_ms < 162_000


def test_a_wall_time_window_is_read_against_the_events_utc_times() -> None:
    """The minute 13:22 UTC holds the events stamped in it."""
    moment = Moment(
        kind="wall_time", start_at="2025-09-17T13:22:00.000Z", end_at="2025-09-17T13:23:00.000Z"
    )
    seqs = TIMELINE.seqs_for(moment, None)
    assert all(TIMELINE.evidence.by_seq[s].at.startswith("2025-09-17T13:22") for s in seqs[1:])
    assert len(seqs) > 10
