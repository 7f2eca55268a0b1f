"""Race state: leader, running order, gaps at equal distance, laps to go, incidents."""

from __future__ import annotations

from feed.projections import RaceStateView, project
from tests.projections.builders import Stream, athlete


def _three() -> Stream:
    stream = Stream()
    stream.schedule([athlete(1, "ann"), athlete(2, "bea", "KEN"), athlete(3, "cat", "POR")])
    stream.gun()
    return stream


def _order(state: RaceStateView) -> list[tuple[int | None, str, str, int | None]]:
    return [(r.position, r.athlete_id, r.status, r.gap_ms) for r in state.order]


def test_before_the_first_split_there_is_no_leader_and_no_laps_to_go() -> None:
    """After the gun but before any split, leader and laps_to_go are None."""
    state = project(_three().events).race_state()
    assert (state.leader, state.laps_to_go, state.status) == (None, None, "live")


def test_the_leader_is_furthest_and_gaps_are_measured_at_equal_distance() -> None:
    """bea leads at 800 m; ann's gap is taken at 700 m, her latest split, against bea's 700 m."""
    stream = _three()
    stream.split("bea", 700, "1:45.000")
    stream.split("ann", 700, "1:45.400")
    stream.split("cat", 700, "1:46.000")
    stream.split("bea", 800, "2:00.000")
    state = project(stream.events).race_state()
    assert state.leader == "bea"
    assert _order(state) == [
        (1, "bea", "running", None),
        (2, "ann", "running", 400),
        (3, "cat", "running", 1000),
    ]
    assert state.clock_ms == 120_000


def test_at_equal_distance_the_earlier_athlete_is_ahead() -> None:
    """Two athletes at the same split are ordered by their time there."""
    stream = _three()
    stream.split("cat", 400, "59.900")
    stream.split("ann", 400, "59.500")
    stream.split("bea", 400, "59.700")
    assert [r.athlete_id for r in project(stream.events).race_state().order] == [
        "ann",
        "bea",
        "cat",
    ]


def test_laps_to_go_is_one_at_the_bell() -> None:
    """1500 m with 400 m laps: 1100 m is the bell (1 to go); 1000 m leaves 2; 700 m 2."""
    laps = {}
    for at_m in (100, 300, 700, 1000, 1100, 1400):
        stream = _three()
        stream.split("ann", at_m, at_m * 150)
        laps[at_m] = project(stream.events).race_state().laps_to_go
    assert laps == {100: 4, 300: 3, 700: 2, 1000: 2, 1100: 1, 1400: 1}


def test_finishers_come_first_in_place_order_and_the_winner_leads_with_no_laps_to_go() -> None:
    """Once the winner is home they lead; runners' gaps are taken against the winner's splits."""
    stream = _three()
    for athlete_id, base in (("ann", 200_000), ("bea", 201_000), ("cat", 204_000)):
        stream.split(athlete_id, 1400, base)
    stream.finish("bea", "3:34.500")
    stream.finish("ann", "3:34.000")
    state = project(stream.events).race_state()
    assert (state.leader, state.laps_to_go) == ("ann", 0)
    assert _order(state) == [
        (1, "ann", "finished", None),
        (2, "bea", "finished", 500),
        (3, "cat", "running", 4000),
    ]
    assert state.order[0].distance_m == 1500


def test_athletes_out_of_the_race_are_listed_last_without_position() -> None:
    """DQ, DNF and DNS follow the runners, with no position and no gap."""
    stream = Stream()
    stream.schedule([athlete(1, "ann"), athlete(2, "bea"), athlete(3, "cat"), athlete(4, "dot")])
    stream.dns("dot")
    stream.gun()
    stream.split("ann", 100, 15_000)
    stream.split("bea", 100, 15_500)
    stream.split("cat", 100, 15_700)
    stream.dnf("bea", 16_000)
    stream.disqualify("cat")
    state = project(stream.events).race_state()
    assert _order(state) == [
        (1, "ann", "running", None),
        (None, "cat", "dq", None),
        (None, "bea", "dnf", None),
        (None, "dot", "dns", None),
    ]


def test_incidents_are_listed_and_shown_on_the_athlete() -> None:
    """Kerr's calf: the incident is in the race's list and on his line of the order."""
    stream = Stream()
    stream.schedule([athlete(1, "kerr", name="Josh Kerr"), athlete(2, "nader", "POR")])
    stream.gun()
    stream.split("kerr", 900, "2:15.0")
    stream.incident("kerr", 900, "2:15.1", kind="injury", detail="calf")
    state = project(stream.events).race_state()
    assert [(i.athlete_id, i.name, i.kind, i.detail, i.distance_m) for i in state.incidents] == [
        ("kerr", "Josh Kerr", "injury", "calf", 900)
    ]
    assert state.order[0].incident == "injury: calf"
    assert state.order[1].incident is None
    assert state.clock_ms == 135_100
