"""A race built in code compiles like a file, with the same rules and the same errors."""

from __future__ import annotations

import pytest

from feed.builder import RaceBuilder
from feed.errors import ScenarioInvalid
from feed.projections import project
from feed.scenario import parse_scenario


def photo_finish_race() -> RaceBuilder:
    race = RaceBuilder("built-photo", title="A photo finish")
    ann = race.athlete("Ann Example", "GBR", pb="4:01.00")
    bea = race.athlete("Bea Sample", "KEN")
    race.splits(ann, {400: "62.0", 800: "2:04.0"}).finish(ann, "4:00.051")
    race.finish(bea, "4:00.049")
    race.photo_finish(at="4:05", order=[(bea, "4:00.049"), (ann, "4:00.051")])
    return race.unofficial(at="4:10").official(at="6:00")


def test_athlete_ids_are_surname_first_like_the_built_in_scenarios() -> None:
    """``Isaac Nader`` becomes ``nader-isaac``; accents are folded."""
    race = RaceBuilder()
    assert race.athlete("Isaac Nader", "POR") == "nader-isaac"
    assert race.athlete("Samuel Pihlström", "SWE") == "pihlstrom-samuel"


def test_a_built_race_projects_to_the_result_it_describes() -> None:
    """Two athletes apart by 0.002 s: the photo decides, and marks come from the bests."""
    standings = project(photo_finish_race().events()).standings()
    assert standings.status == "official"
    rows = [(r.place, r.athlete_id, r.time, r.annotations) for r in standings.rows]
    assert rows == [(1, "sample-bea", "4:00.05", []), (2, "example-ann", "4:00.06", ["PB"])]


def test_the_toml_a_builder_writes_is_a_valid_scenario_file() -> None:
    """``to_toml`` gives a file that the parser reads back to the same race."""
    race = photo_finish_race()
    assert parse_scenario(race.to_toml(), "built-photo.toml") == race.spec()


def test_a_dnf_after_a_fall_and_a_dns_come_out_as_marks() -> None:
    """Falls, DNFs and DNSs built in code follow the same rules as in files."""
    race = RaceBuilder("built-marks")
    ann, bea, cat = (race.athlete(n, "USA") for n in ("Ann A", "Bea B", "Cat C"))
    race.finish(ann, "3:59.000").dns(cat, reason="ill")
    race.incident(bea, at_m=700, kind="fall", continues=False).dnf(bea, at_m=700)
    rows = project(race.events()).standings().rows
    assert [(r.athlete_id, r.mark) for r in rows] == [("a-ann", None), ("b-bea", "DNF"),
                                                      ("c-cat", "DNS")]  # fmt: skip


def test_a_correction_built_in_code_moves_the_medals() -> None:
    """A disqualification after the result is official hands the medals on."""
    race = RaceBuilder("built-dq")
    nations = ["KEN", "USA", "GBR", "ESP"]
    ids = [race.athlete(f"Runner {c}", nation) for c, nation in zip("ABCD", nations, strict=True)]
    for i, athlete in enumerate(ids):
        race.finish(athlete, f"3:40.{i}00")
    race.unofficial(at="4:00").official(at="5:00")
    race.protest(at="6:00", protest_id="p1", by="GBR", against=ids[1])
    race.disqualify(ids[1], at="7:00", rule="TR17.1.2", protest_id="p1").official(at="8:00")
    medals = project(race.events()).medal_table()
    assert [(a.nation, a.medal) for a in medals.awards] == [("KEN", "gold"), ("GBR", "silver"),
                                                            ("ESP", "bronze")]  # fmt: skip


def test_a_mistake_in_a_built_race_gets_a_located_error() -> None:
    """A finish faster than the split before it is reported with its field."""
    race = RaceBuilder("built-broken")
    ann = race.athlete("Ann Example", "GBR")
    race.splits(ann, {800: "2:10.0"}).finish(ann, "2:00.0")
    with pytest.raises(ScenarioInvalid, match=r"athletes\[0\]"):
        race.events()


def test_naming_an_unknown_athlete_says_which_are_known() -> None:
    """The builder refuses an id it never handed out."""
    race = RaceBuilder()
    race.athlete("Ann Example", "GBR")
    with pytest.raises(KeyError, match="known: example-ann"):
        race.finish("nobody", "4:00.0")


@pytest.mark.parametrize("distance", [800, 5000, 10_000])
def test_a_builder_names_the_event_after_its_distance(distance: int) -> None:
    """``RaceBuilder(distance_m=800).to_toml()`` says 800 metres, not 1500."""
    race = RaceBuilder(distance_m=distance)
    athlete = race.athlete("Ann Example", "GBR")
    race.finish(athlete, "40:00.000")
    assert race.spec().race.event == f"{distance:,} metres"
