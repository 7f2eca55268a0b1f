"""The fold itself: seq checks, every event type handled, time travel, state round trips."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import pytest

from feed.errors import ScenarioError, SequenceError
from feed.events import EVENT_TYPES, Event
from feed.projections import Projection, ProjectionState, Snapshot, project
from tests.projections.builders import Stream, athlete


def _race() -> Stream:
    stream = Stream()
    stream.schedule([athlete(1, "ann"), athlete(2, "bea", "KEN")])
    stream.gun()
    stream.split("ann", 400, "59.0")
    stream.split("bea", 400, "59.5")
    stream.split("ann", 800, "1:58.0")
    stream.split("bea", 800, "1:57.9")
    stream.finish("bea", "3:30.0")
    stream.finish("ann", "3:31.0")
    stream.status("official")
    return stream


def _with_seq(event: Event, seq: int) -> Event:
    return msgspec.structs.replace(event, seq=seq)


@pytest.mark.parametrize(
    ("seq", "kind"), [(5, "gap"), (3, "duplicate"), (1, "rewind")], ids=["gap", "dup", "rewind"]
)
def test_a_seq_that_does_not_follow_raises_naming_expected_and_got(seq: int, kind: str) -> None:
    """After seq 3 only seq 4 is accepted; the error says which was expected and which came."""
    events = _race().events
    projection = Projection()
    projection.apply_all(events[:3])
    with pytest.raises(SequenceError) as caught:
        projection.apply(_with_seq(events[3], seq))
    assert (caught.value.expected, caught.value.got, caught.value.kind) == (4, seq, kind)
    assert f"expected seq 4, got {seq}" in str(caught.value)
    assert projection.head_seq == 3


def test_a_stream_that_does_not_start_at_seq_1_is_refused() -> None:
    """The first event must be seq 1."""
    with pytest.raises(SequenceError, match="expected seq 1, got 2"):
        Projection().apply(_with_seq(_race().events[0], 2))


def _every_type() -> dict[str, Callable[[Stream], object]]:
    return {
        "race_scheduled": lambda s: None,  # the stream's first event
        "race_started": lambda s: s.gun(),
        "split_recorded": lambda s: s.split("ann", 100, 15_000),
        "athlete_incident": lambda s: s.incident("ann", 100, 15_100, detail="calf"),
        "athlete_did_not_start": lambda s: s.dns("bea"),
        "athlete_did_not_finish": lambda s: s.dnf("bea"),
        "athlete_finished": lambda s: s.finish("ann", "3:40.0"),
        "photo_finish_requested": lambda s: s.photo_requested("ann"),
        "photo_finish_resolved": lambda s: s.photo({"ann": "3:40.001"}),
        "result_status_changed": lambda s: s.status("unofficial"),
        "protest_lodged": lambda s: s.protest("p1", "KEN", "ann"),
        "protest_decided": lambda s: s.decide("p1", upheld=False),
        "athlete_disqualified": lambda s: s.disqualify("ann"),
        "athlete_reinstated": lambda s: s.reinstate("ann", s.seq),
        "result_amended": lambda s: s.amend("ann", "3:40.010", 1),
        "commentary": lambda s: s.comment("What a race."),
    }


def test_every_event_type_of_the_vocabulary_is_folded() -> None:
    """The fold accepts one event of each type in EVENT_TYPES (its match ends in assert_never)."""
    makers = _every_type()
    assert set(makers) == set(EVENT_TYPES)
    stream = Stream()
    stream.schedule([athlete(1, "ann"), athlete(2, "bea")])
    for make in makers.values():
        make(stream)
    assert {e.__struct_config__.tag for e in stream.events} == set(EVENT_TYPES)
    projection = project(stream.events)
    assert projection.head_seq == len(stream.events)
    row = projection.standings().rows[0]
    assert (row.athlete_id, row.time_ms) == ("ann", 220_010)


def test_an_event_for_an_athlete_not_on_the_start_list_says_which_and_where() -> None:
    """A split for an unknown athlete raises a ScenarioError naming the seq, athlete and race."""
    stream = Stream()
    stream.schedule([athlete(1, "ann")])
    stream.gun()
    stream.split("zed", 100, 15_000)
    with pytest.raises(ScenarioError) as caught:
        project(stream.events)
    assert caught.value.field == "data.athlete_id"
    assert "seq 3 (split_recorded): athlete 'zed'" in str(caught.value)
    assert "race 'final'" in str(caught.value)


def test_an_event_for_a_race_never_scheduled_is_refused() -> None:
    """The race must have been scheduled before any of its events."""
    stream = Stream()
    stream.schedule([athlete(1, "ann")])
    stream.gun(race="other")
    with pytest.raises(ScenarioError, match="race 'other' was never scheduled"):
        project(stream.events)


def test_projecting_as_of_a_seq_applies_exactly_the_events_up_to_it() -> None:
    """until_seq=N equals folding the first N events."""
    events = _race().events
    for n in range(1, len(events) + 1):
        expected = Projection()
        expected.apply_all(events[:n])
        assert project(events, until_seq=n) == expected
    assert project(events, until_seq=6).race_state().leader == "bea"
    assert project(events, until_seq=5).race_state().leader == "ann"


def test_projecting_as_of_a_race_time_applies_events_at_or_before_it() -> None:
    """At 1:58.0 ann's 800 m split is in but bea's finish is not; head_seq is the last applied."""
    projection = project(_race().events, until_race_ms=118_000)
    state = projection.race_state()
    assert [(r.athlete_id, r.distance_m) for r in state.order] == [("bea", 800), ("ann", 800)]
    assert projection.standings().status == "live"
    assert projection.head_seq == 6


def test_a_championship_can_be_projected_for_one_race_at_its_own_race_time() -> None:
    """race= keeps one race; until_race_ms uses that race's own clock."""
    stream = Stream()
    stream.schedule([athlete(1, "ann")], race="heat1")
    stream.schedule([athlete(2, "bea")], race="heat2")
    stream.gun(race="heat1")
    stream.finish("ann", "3:40.0", race="heat1")
    stream.gun(race="heat2")
    stream.split("bea", 400, "60.0", race="heat2")
    stream.finish("bea", "3:35.0", race="heat2")
    only2 = project(stream.events, race="heat2", until_race_ms=60_000)
    assert only2.race_ids() == ["heat2"]
    assert only2.race_state().order[0].distance_m == 400
    assert only2.head_seq == 6
    both = project(stream.events, until_race_ms=60_000)
    assert both.race_ids() == ["heat1", "heat2"]
    assert both.race_state("heat1").order[0].status == "running"
    assert both.race_state().race == "heat2"  # the latest scheduled
    assert [s.race for s in both.all_standings()] == ["heat1", "heat2"]


def test_events_left_out_of_a_projection_are_still_checked_for_order() -> None:
    """A gap among the events project() skips is still a SequenceError."""
    events = _race().events
    broken = [*events[:8], _with_seq(events[8], 12)]
    with pytest.raises(SequenceError, match="expected seq 9, got 12"):
        project(broken, until_race_ms=0)


def test_the_state_round_trips_through_json_and_the_fold_continues_from_it() -> None:
    """A client resuming from a snapshot's state reaches the same projection as a full fold."""
    events = _race().events
    first = project(events, until_seq=5)
    wire = msgspec.json.encode(first.snapshot())
    snapshot = msgspec.json.decode(wire, type=Snapshot)
    assert snapshot.seq == 5
    resumed = Projection.from_state(snapshot.state)
    assert resumed == first
    resumed.apply_all(events[5:])
    assert resumed == project(events)
    assert resumed.standings() == project(events).standings()


def test_a_snapshot_does_not_change_when_the_projection_moves_on() -> None:
    """The snapshot's state is detached from the live one."""
    events = _race().events
    projection = project(events, until_seq=5)
    snapshot = projection.snapshot()
    before = msgspec.json.encode(snapshot)
    projection.apply_all(events[5:])
    assert msgspec.json.encode(snapshot) == before
    assert snapshot.standings[0].as_of_seq == 5


def test_a_copy_folds_on_independently() -> None:
    """copy() gives an equal projection that does not share state."""
    events = _race().events
    projection = project(events, until_seq=5)
    twin = projection.copy()
    assert twin == projection
    twin.apply_all(events[5:])
    assert twin != projection
    assert projection.head_seq == 5


def test_an_empty_projection_has_no_race_to_show() -> None:
    """Asking for the latest race before any is scheduled raises KeyError; unknown names too."""
    projection = Projection()
    assert projection.race_ids() == []
    with pytest.raises(KeyError):
        projection.standings()
    with pytest.raises(KeyError, match="unknown race 'nope'"):
        project(_race().events).race_state("nope")
    assert isinstance(projection.state, ProjectionState)
