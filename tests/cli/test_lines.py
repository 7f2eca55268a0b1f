"""Readable lines for the terminal: the leader at each 100 m, incidents, finishes, statuses."""

from __future__ import annotations

from feed.cli.lines import RaceLines, describe
from feed.io import load_scenario
from tests.kit.races import make_race


def test_the_tokyo_final_reads_as_a_race() -> None:
    """Leader and top five at each new 100 m of the leader, Kerr's injury, the photo, the result."""
    lines = RaceLines()
    text = [
        line
        for event in load_scenario("tokyo-2025-m1500-final").events
        for line in lines.apply(event)
    ]
    leader_lines = [line for line in text if " m  " in line and "leads in" in line]
    assert len(leader_lines) == 14  # 100 m .. 1400 m; the finish has its own lines
    assert leader_lines[7].split()[:5] == ["1:59.8", "800", "m", "Timothy", "Cheruiyot"]
    assert leader_lines[7].count(", ") == 4  # the top five
    assert any("incident: Josh Kerr, injury (calf) at 900 m, continues" in line for line in text)
    assert any(
        "photo finish: Isaac Nader 3:34.10 (3:34.094), Jake Wightman" in line for line in text
    )
    assert any(line.endswith("finish: Josh Kerr 4:11.23 (4:11.226), 14th so far") for line in text)
    assert text[-2].endswith("result official (no protests)")


def test_splits_behind_the_leader_make_no_line() -> None:
    """Only the leader reaching a new 100 m is news."""
    events = make_race()
    lines = RaceLines()
    out = {event.seq: lines.apply(event) for event in events}
    first_at_100 = next(e for e in events if getattr(e.data, "distance_m", 0) == 100)
    second_at_100 = next(
        e for e in events if getattr(e.data, "distance_m", 0) == 100 and e.seq > first_at_100.seq
    )
    assert len(out[first_at_100.seq]) == 1
    assert out[second_at_100.seq] == []


def test_describe_writes_any_event_without_context() -> None:
    """Ids stand in for names when no start list was seen."""
    events = make_race()
    assert describe(events[0]).startswith("start list: Test 1500 m final, 4 athletes")
    split = events[2]
    assert describe(split) == "split: runner-1 100 m in 14.40"
    assert (
        describe(split, lambda race, athlete: athlete.upper()) == "split: RUNNER-1 100 m in 14.40"
    )
