"""A results table becomes a valid scenario, and every invented value is marked as such."""

from __future__ import annotations

from datetime import datetime

import pytest

from feed.errors import TableInvalid
from feed.events import AthleteFinished, RaceScheduled, SplitRecorded
from feed.importers import RaceDetails, read_table, scenario_text
from feed.projections import project
from feed.scenario import RaceSpec, compile_race, parse_scenario

DETAILS = RaceDetails(scenario_id="club-race")


def imported(text: str, details: RaceDetails = DETAILS, name: str = "r.csv") -> RaceSpec:
    table = read_table(text.encode(), name)
    spec = parse_scenario(scenario_text(table, details), f"{details.scenario_id}.toml")
    assert isinstance(spec, RaceSpec)
    return spec


def test_times_to_the_hundredth_get_thousandths_that_round_up_to_them_in_place_order() -> None:
    """Apart at 1/1000 in place order, equal for a dead heat; marked synthetic."""
    spec = imported(
        "place,name,time\n1,Ann,2:00.10\n2,Bea,2:00.10\n3,Cat,2:00.50\n3,Dot,2:00.50\n"
        "5,Eve,2:01.123\n",
        RaceDetails(scenario_id="club-race", distance_m=800),
    )
    finishes = {a.name: (a.finish, a.synthetic) for a in spec.athletes}
    assert finishes["Ann"][0] < finishes["Bea"][0] <= "2:00.100"
    assert finishes["Cat"][0] == finishes["Dot"][0]
    assert finishes["Eve"] == ("2:01.123", ["bib"])  # given to 1/1000: a reading, kept
    assert all("finish.thousandths" in synthetic for name, (_, synthetic) in finishes.items()
               if name != "Eve")  # fmt: skip
    rows = project(compile_race(spec)).standings().rows
    assert [(r.place, r.name, r.time) for r in rows] == [
        (1, "Ann", "2:00.10"), (2, "Bea", "2:00.10"), (3, "Cat", "2:00.50"),
        (3, "Dot", "2:00.50"), (5, "Eve", "2:01.13"),
    ]  # fmt: skip


def test_the_distance_comes_from_the_event_name_when_nobody_gives_it() -> None:
    """ "Women's 5000m" is 5000 m; without any clue the import asks for --distance."""
    spec = imported(
        "name,time\nAnn,15:00.00\n", RaceDetails(scenario_id="x", event="Women's 5000m")
    )
    assert spec.race.distance_m == 5000
    with pytest.raises(TableInvalid, match="--distance"):
        imported("name,time\nAnn,15:00.00\n")


def test_what_the_table_does_not_give_is_invented_and_named() -> None:
    """Bibs, the gun, the meeting and the status times: all in synthetic lists."""
    spec = imported("name,time\nAnn,4:00.00\n", RaceDetails(scenario_id="x", distance_m=1500))
    assert {"championship", "round", "venue", "scheduled_start", "gun"} <= set(spec.race.synthetic)
    assert spec.athletes[0].synthetic == ["bib", "finish.thousandths"]
    assert all(entry.synthetic == ["at"] for entry in spec.after)


def test_a_gun_the_user_gives_is_not_synthetic_and_a_schedule_alone_leaves_the_gun_so() -> None:
    """--gun is a measurement; --scheduled-start says when, not when it went."""
    gun = datetime.fromisoformat("2025-06-14T14:05:07+01:00")
    spec = imported("name,time\nAnn,4:00.00\n", RaceDetails(scenario_id="x", distance_m=1500,
                    gun=gun, championship="C", round="Final", venue="V"))  # fmt: skip
    assert spec.race.synthetic == [] and spec.race.gun == gun
    spec = imported("name,time\nAnn,4:00.00\n", RaceDetails(scenario_id="x", distance_m=1500,
                    scheduled_start=gun, championship="C", round="Final", venue="V"))  # fmt: skip
    assert spec.race.synthetic == ["gun"]


def test_a_lif_start_time_with_a_date_and_offset_is_the_gun() -> None:
    """FinishLynx writes the time of day of the start; the day and offset come from the user."""
    text = "1,1,1,Men 1500,,,,,,1500,14:05:07.120\n1,7,1,Example,Ann,GBR,3:40.123\n"
    details = RaceDetails(scenario_id="x", date=datetime(2025, 6, 14).date(), utc_offset="+01:00")
    spec = imported(text, details, name="heat.lif")
    assert spec.race.gun == datetime.fromisoformat("2025-06-14T14:05:07.120+01:00")
    assert "gun" not in spec.race.synthetic


def test_dnf_dns_and_dq_become_the_scenario_outcomes_and_a_disqualification() -> None:
    """A DQ keeps its time and gets its rule after the race; a DNF's point is invented."""
    spec = imported(
        "place,name,time,status\n1,Ann,4:00.00,\n,Bea,,DNF\n,Cat,,DNS\n,Dot,4:01.00,DQ TR17.3.1\n"
        ",Eve,,DQ\n",
        RaceDetails(scenario_id="x", distance_m=1500),
    )
    athletes = {a.name: a for a in spec.athletes}
    assert athletes["Bea"].dnf is not None and "dnf.at_m" in athletes["Bea"].synthetic
    assert athletes["Cat"].dns is not None
    assert athletes["Eve"].finish is not None and "finish" in athletes["Eve"].synthetic
    rules = [getattr(entry, "rule", None) for entry in spec.after]
    assert "TR17.3.1" in rules and "" in rules
    rows = project(compile_race(spec)).standings().rows
    assert [(r.name, r.mark) for r in rows] == [
        ("Ann", None), ("Dot", "DQ"), ("Eve", "DQ"), ("Bea", "DNF"), ("Cat", "DNS"),
    ]  # fmt: skip


def test_places_that_disagree_with_times_are_errors_at_the_row() -> None:
    """A later place with a faster time, a shared place with two times, a gap in places."""
    with pytest.raises(TableInvalid) as caught:
        imported("place,name,time\n1,Ann,4:00.00\n2,Bea,3:59.00\n2,Cat,4:01.00\n5,Dot,4:02.00\n",
                 RaceDetails(scenario_id="x", distance_m=1500))  # fmt: skip
    rows = [error.row for error in caught.value.errors]
    assert rows == [2, 3, 4], caught.value


def test_an_impossible_split_is_an_error_at_its_cell() -> None:
    """400 m in 20 s is 20 m/s: the distance, or the split, is wrong."""
    with pytest.raises(TableInvalid) as caught:
        imported("name,400,time\nAnn,20.0,4:00.00\n", RaceDetails(scenario_id="x", distance_m=1500))
    [error] = caught.value.errors
    assert (error.row, error.column_name) == (1, "400") and "m/s" in error.message


def test_split_columns_are_measured_and_the_rest_of_the_splits_estimated() -> None:
    """The compiled events say which split is from the table and which was interpolated."""
    spec = imported("name,400 m,time\nAnn,60.00,2:02.00\nBea,61.00,2:03.00\n",
                    RaceDetails(scenario_id="x", distance_m=800))  # fmt: skip
    events = compile_race(spec)
    measured = {(e.data.athlete_id, e.data.distance_m) for e in events
                if isinstance(e, SplitRecorded) and not e.data.estimated}  # fmt: skip
    assert measured == {("ann", 400), ("bea", 400)}
    finished = [e.data.synthetic for e in events if isinstance(e, AthleteFinished)]
    assert finished == [["thousandths"], ["thousandths"]]
    scheduled = next(e for e in events if isinstance(e, RaceScheduled))
    assert "gun" in scheduled.data.race.synthetic
