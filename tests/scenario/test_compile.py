"""Compiling a race: ordering, tie-breaks, interpolated splits, DNF, corrections."""

from __future__ import annotations

import itertools
from pathlib import Path

import msgspec
import pytest

from feed.codec import encode_events
from feed.errors import ScenarioInvalid
from feed.events import (
    AthleteDidNotFinish,
    AthleteDidNotStart,
    AthleteDisqualified,
    AthleteFinished,
    AthleteIncident,
    AthleteReinstated,
    Commentary,
    Event,
    PhotoFinishResolved,
    RaceScheduled,
    RaceStarted,
    ResultAmended,
    SplitRecorded,
)
from feed.scenario import RaceSpec, compile_race
from feed.timing import parse_time
from tests.scenario.scenario_text import athlete, parse_race, race

MINI = Path(__file__).parent / "fixtures" / "mini-final.toml"


@pytest.fixture(scope="module")
def mini() -> RaceSpec:
    return parse_race(MINI.read_text(), str(MINI))


@pytest.fixture(scope="module")
def events(mini: RaceSpec) -> list[Event]:
    return compile_race(mini)


def _splits(events: list[Event], athlete_id: str) -> list[tuple[int, int]]:
    return [
        (e.data.distance_m, e.data.elapsed_ms)
        for e in events
        if isinstance(e, SplitRecorded) and e.data.athlete_id == athlete_id
    ]


def test_seqs_run_from_one_without_a_gap(events: list[Event]) -> None:
    """The stream is numbered 1, 2, 3 ..."""
    assert [e.seq for e in events] == list(range(1, len(events) + 1))


def test_events_are_in_race_time_order(events: list[Event]) -> None:
    """race_ms never goes backwards, and ``at`` is the gun plus race_ms in UTC."""
    assert [e.race_ms for e in events] == sorted(e.race_ms for e in events)
    gun = next(e for e in events if isinstance(e, RaceStarted))
    assert gun.at == "2025-09-17T13:20:40.000Z"
    finish = next(e for e in events if isinstance(e, AthleteFinished))
    assert (finish.race_ms, finish.at) == (214_094, "2025-09-17T13:24:14.094Z")


def test_stream_and_race_name_the_scenario(mini: RaceSpec, events: list[Event]) -> None:
    """By default both stream and race are the scenario id; stream can be overridden."""
    assert {(e.stream, e.race) for e in events} == {("mini-final", "mini-final")}
    other = compile_race(mini, stream="session-1")
    assert {(e.stream, e.race) for e in other} == {("session-1", "mini-final")}


def test_the_schedule_comes_first_with_the_start_list_then_the_dns(events: list[Event]) -> None:
    """race_scheduled lead_in_s before the gun, with records and synthetic marks, then DNS."""
    scheduled, dns = events[0], events[1]
    assert isinstance(scheduled, RaceScheduled)
    assert scheduled.race_ms == -30_000
    info = scheduled.data.race
    assert (info.title, info.distance_m, info.scheduled_start) == (
        "Mini final: every kind of event in one small race",
        1500,
        "2025-09-17T22:20:00+09:00",
    )
    assert [(r.kind, r.time_ms, r.nation) for r in info.records] == [
        ("CR", 207_650, None),
        ("NR", 210_000, "POR"),
    ]
    alpha = scheduled.data.start_list[0]
    assert (alpha.bib, alpha.pb_ms, alpha.sb_ms, alpha.born) == (7, 213_000, 214_500, "1999-08-17")
    assert alpha.synthetic == ["bib", "finish.thousandths"]
    assert [entrant.athlete_id for entrant in scheduled.data.start_list] == [
        "alpha",
        "bravo",
        "charlie",
        "delta",
        "echo",
    ]
    assert isinstance(dns, AthleteDidNotStart)
    assert (dns.data.athlete_id, dns.race_ms) == ("echo", -30_000)


def test_commentary_before_the_gun_sits_between_schedule_and_gun(events: list[Event]) -> None:
    """Negative race-clock times are before the gun."""
    kinds = [type(e) for e in events[:4]]
    assert kinds == [RaceScheduled, AthleteDidNotStart, Commentary, RaceStarted]
    assert events[2].race_ms == -10_000


def test_splits_follow_the_resolution_and_stop_before_the_finish(events: list[Event]) -> None:
    """A split every split_every_m metres, and athlete_finished at the finish distance."""
    distances = [d for d, _ in _splits(events, "alpha")]
    assert distances == list(range(100, 1500, 100))


def test_known_splits_are_hit_exactly_and_the_rest_increase(events: list[Event]) -> None:
    """The curve goes through the file's splits, and time increases along it."""
    splits = dict(_splits(events, "alpha"))
    assert splits[400] == parse_time("1:00.31")
    assert splits[800] == parse_time("2:00.62")
    assert splits[1200] == parse_time("2:57.05")
    times = [0, *splits.values(), parse_time("3:34.094")]
    assert all(b > a for a, b in itertools.pairwise(times))


def test_the_running_order_at_a_known_split_is_the_files(events: list[Event]) -> None:
    """At 400 m the splits come out in the order of the times written."""
    at_400 = [
        e.data.athlete_id
        for e in events
        if isinstance(e, SplitRecorded) and e.data.distance_m == 400
    ]
    assert at_400 == ["bravo", "delta", "alpha", "charlie"]


def test_a_dnf_stops_the_splits_at_the_dnf_point(events: list[Event]) -> None:
    """No split at or after where the athlete stopped; then the incident and the DNF."""
    assert [d for d, _ in _splits(events, "delta")] == [100, 200, 300, 400, 500, 600]
    dnf = next(e for e in events if isinstance(e, AthleteDidNotFinish))
    assert (dnf.data.athlete_id, dnf.data.distance_m, dnf.data.reason) == ("delta", 700, "fell")
    # The DNF point is reached at about the pace of the last known segment (60.2 s per
    # 400 m), in the order of the last known split: behind bravo, ahead of alpha.
    assert abs(dnf.race_ms - (60_200 + round(60_200 / 400 * 300))) < 500
    at_700 = {name: dict(_splits(events, name))[700] for name in ("alpha", "bravo")}
    assert at_700["bravo"] <= dnf.race_ms <= at_700["alpha"]
    fall = next(
        e for e in events if isinstance(e, AthleteIncident) and e.data.athlete_id == "delta"
    )
    assert fall.race_ms == dnf.race_ms
    assert events.index(fall) == events.index(dnf) - 1


def test_a_dns_has_no_race_events(events: list[Event]) -> None:
    """A non-starter appears only in the start list and its DNS."""
    touching = [e for e in events if getattr(e.data, "athlete_id", None) == "echo"]
    assert [type(e) for e in touching] == [AthleteDidNotStart]


def test_an_incident_happens_at_the_athletes_time_at_that_distance(events: list[Event]) -> None:
    """The injury at 900 m is at charlie's 900 m split, right after it."""
    injury = next(e for e in events if isinstance(e, AthleteIncident) and e.data.kind == "injury")
    split_900 = dict(_splits(events, "charlie"))[900]
    assert injury.race_ms == split_900
    previous = events[events.index(injury) - 1]
    assert isinstance(previous, SplitRecorded) and previous.data.athlete_id == "charlie"


def test_corrections_name_the_seq_they_supersede(events: list[Event]) -> None:
    """A reinstatement points at the DQ; an amendment at the athlete's latest time (the photo)."""
    by_seq = {e.seq: e for e in events}
    reinstated = next(e for e in events if isinstance(e, AthleteReinstated))
    undone = by_seq[reinstated.data.supersedes]
    assert isinstance(undone, AthleteDisqualified)
    assert undone.data.athlete_id == "alpha"
    amended = next(e for e in events if isinstance(e, ResultAmended))
    replaced = by_seq[amended.data.supersedes]
    assert isinstance(replaced, PhotoFinishResolved)


def test_an_amendment_of_an_amendment_supersedes_the_first_amendment() -> None:
    """The latest time is the one replaced, finish then amendment then amendment."""
    text = race() + "".join(
        f'\n[[after]]\nat = "{at}"\ntype = "result_amended"\nathlete = "ann"\ntime = "{t}"\n'
        for at, t in (("4:00", "3:34.2"), ("4:10", "3:34.3"))
    )
    events = compile_race(parse_race(text))
    finish = next(
        e for e in events if isinstance(e, AthleteFinished) and e.data.athlete_id == "ann"
    )
    first, second = (e for e in events if isinstance(e, ResultAmended))
    assert (first.data.supersedes, second.data.supersedes) == (finish.seq, first.seq)


def test_ties_break_by_kind_then_distance_then_bib() -> None:
    """Equal times: splits before finishes, further first, lower bib first."""
    text = race(
        athlete(9, "zed", 'finish = "3:00.0"', extra='splits = { 1400 = "2:50.0" }'),
        athlete(2, "bea", 'finish = "3:30.0"', extra='splits = { 1300 = "2:50.0" }'),
        athlete(1, "ann", 'finish = "3:30.0"', extra='splits = { 1300 = "2:50.0" }'),
        athlete(5, "eve", 'finish = "2:50.0"'),
    )
    events = compile_race(parse_race(text))
    at_170 = [
        (type(e).__name__, getattr(e.data, "distance_m", 1500), getattr(e.data, "athlete_id", ""))
        for e in events
        if e.race_ms == 170_000
    ]
    assert at_170 == [
        ("SplitRecorded", 1400, "zed"),
        ("SplitRecorded", 1300, "ann"),
        ("SplitRecorded", 1300, "bea"),
        ("AthleteFinished", 1500, "eve"),
    ]


def test_compiling_twice_gives_identical_bytes(mini: RaceSpec) -> None:
    """The order is total, so a scenario always compiles to the same log."""
    assert encode_events(compile_race(mini)) == encode_events(compile_race(mini))


def test_the_resolution_sets_the_split_spacing() -> None:
    """split_every_m = 500 gives splits at 500 and 1000 m only."""
    text = race().replace("split_every_m = 100", "split_every_m = 500")
    events = compile_race(parse_race(text))
    assert [d for d, _ in _splits(events, "ann")] == [500, 1000]


def test_a_dnf_with_no_splits_runs_with_the_field() -> None:
    """Without splits, the DNF point is reached at the finishers' median time there."""
    text = race(
        athlete(1, "ann", 'finish = "3:30.0"'),
        athlete(2, "bea", 'finish = "3:40.0"'),
        athlete(3, "cat", "dnf = { at_m = 750 }"),
    )
    events = compile_race(parse_race(text))
    dnf = next(e for e in events if isinstance(e, AthleteDidNotFinish))
    assert dnf.race_ms == (105_000 + 110_000) // 2


def test_an_invalid_spec_built_in_code_is_refused_by_the_compiler(mini: RaceSpec) -> None:
    """compile_race checks what it is given, and says where the problem is."""
    broken = msgspec.structs.replace(mini, athletes=[*mini.athletes, mini.athletes[0]])
    with pytest.raises(ScenarioInvalid) as caught:
        compile_race(broken)
    assert {e.field for e in caught.value.errors} == {"athletes[5].id", "athletes[5].bib"}
