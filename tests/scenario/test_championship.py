"""A championship: the events of all its races merged into one stream."""

from __future__ import annotations

import pytest

from feed.errors import ScenarioInvalid
from feed.events import AthleteDisqualified, AthleteReinstated, RaceScheduled
from feed.scenario import ChampionshipSpec, RaceSpec, compile_championship, compile_race
from tests.scenario.scenario_text import HEADER, TWO, parse, parse_race

CHAMPS = '[scenario]\nid = "champs"\ntitle = "Session"\nkind = "championship"\nraces = {races}\n'


def _race(race_id: str, gun: str, extra: str = "") -> RaceSpec:
    header = HEADER.replace('id = "test-race"', f'id = "{race_id}"').replace(
        "2025-09-17T22:20:40+09:00", gun
    )
    return parse_race(header + TWO + extra, f"{race_id}.toml")


def _champs(*race_ids: str) -> ChampionshipSpec:
    spec = parse(CHAMPS.format(races=list(race_ids)).replace("'", '"'), "champs.toml")
    assert isinstance(spec, ChampionshipSpec)
    return spec


_DQ_AND_BACK = (
    '\n[[after]]\nat = "3:40"\ntype = "athlete_disqualified"\nathlete = "ann"\nrule = "R"\n'
    '\n[[after]]\nat = "3:50"\ntype = "athlete_reinstated"\nathlete = "ann"\n'
)


@pytest.fixture
def races() -> dict[str, RaceSpec]:
    return {
        "early": _race("early", "2025-09-17T22:20:40+09:00", _DQ_AND_BACK),
        "late": _race("late", "2025-09-17T22:22:40+09:00", _DQ_AND_BACK),
    }


def test_the_events_of_every_race_are_merged_by_time(races: dict[str, RaceSpec]) -> None:
    """One stream named after the championship; each event keeps its race; ``at`` never falls."""
    events = compile_championship(_champs("late", "early"), races)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert {e.stream for e in events} == {"champs"}
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert len(events) == len(compile_race(races["early"])) + len(compile_race(races["late"]))
    assert {e.race for e in events} == {"early", "late"}


def test_equal_times_follow_the_race_order_of_the_file() -> None:
    """Two races with the same gun: at each instant, the first listed race goes first."""
    gun = "2025-09-17T22:20:40+09:00"
    races = {"one": _race("one", gun), "two": _race("two", gun)}
    events = compile_championship(_champs("two", "one"), races)
    schedules = [e.race for e in events if isinstance(e, RaceScheduled)]
    assert schedules == ["two", "one"]
    assert [e.race for e in events[:2]] == ["two", "one"]


def test_each_race_keeps_its_own_clock(races: dict[str, RaceSpec]) -> None:
    """race_ms counts from each race's own gun."""
    events = compile_championship(_champs("early", "late"), races)
    guns = [(e.race, e.race_ms, e.at) for e in events if type(e).__name__ == "RaceStarted"]
    assert guns == [
        ("early", 0, "2025-09-17T13:20:40.000Z"),
        ("late", 0, "2025-09-17T13:22:40.000Z"),
    ]


def test_corrections_point_at_the_championship_seq(races: dict[str, RaceSpec]) -> None:
    """supersedes is renumbered with the stream, and stays within its own race."""
    events = compile_championship(_champs("early", "late"), races)
    by_seq = {e.seq: e for e in events}
    reinstatements = [e for e in events if isinstance(e, AthleteReinstated)]
    assert len(reinstatements) == 2
    for event in reinstatements:
        undone = by_seq[event.data.supersedes]
        assert isinstance(undone, AthleteDisqualified)
        assert undone.race == event.race


def test_a_missing_race_is_reported_by_its_field(races: dict[str, RaceSpec]) -> None:
    """A race that cannot be found says which entry of races named it."""
    with pytest.raises(ScenarioInvalid) as caught:
        compile_championship(_champs("early", "middle"), races)
    (error,) = caught.value.errors
    assert error.field == "scenario.races[1]"
    assert "'middle' not found" in error.message


def test_a_race_listed_twice_is_rejected(races: dict[str, RaceSpec]) -> None:
    """Each race appears once in a session."""
    with pytest.raises(ScenarioInvalid) as caught:
        compile_championship(_champs("early", "early"), races)
    assert caught.value.errors[0].field == "scenario.races[1]"
