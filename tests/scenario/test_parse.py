"""Parsing: TOML syntax and the structure of every table, with every problem located."""

from __future__ import annotations

import pytest

from feed.errors import ScenarioError, ScenarioInvalid
from feed.scenario import ChampionshipSpec, RaceSpec, decode_source, parse_scenario
from tests.scenario.scenario_text import (
    HEADER,
    PATH,
    TWO,
    athlete,
    line_of,
    only,
    parse,
    problems,
    race,
)


def test_a_valid_race_parses_into_a_race_spec() -> None:
    """The smallest complete race file gives a RaceSpec with its athletes."""
    spec = parse(race())
    assert isinstance(spec, RaceSpec)
    assert [a.id for a in spec.athletes] == ["ann", "bea"]
    assert spec.race.distance_m == 1500


def test_malformed_toml_is_reported_at_its_line() -> None:
    """A TOML syntax error names the file, the line and the column."""
    text = race() + '\n[[commentary]]\nat = "1:00.0"\ntext = "unterminated\n'
    error = only(text)
    assert error.line == line_of(text, 'text = "unterminated')
    assert error.format().startswith(f"{PATH}:{error.line}: invalid TOML: ")
    assert "column" in error.message


def test_an_unknown_field_suggests_the_close_name() -> None:
    """A typo in a key is an error at its line with a 'did you mean'."""
    text = race(athlete(1, "ann", 'finsh = "3:34.1"'), athlete(2, "bea"))
    found = problems(text)
    typo = next(e for e in found if e.field == "athletes[0].finsh")
    assert typo.line == line_of(text, "finsh")
    assert "did you mean 'finish'?" in typo.message


def test_an_unknown_field_with_no_close_name_lists_the_expected_ones() -> None:
    """Without a close name, the message lists the fields the table takes."""
    text = race().replace('venue = "Test Stadium"', 'venue = "Test Stadium"\nweather = "rain"')
    error = only(text)
    assert error.field == "race.weather"
    assert error.line == line_of(text, "weather")
    assert "expected one of:" in error.message and "distance_m" in error.message


def test_a_wrong_type_says_what_was_found_and_what_was_expected() -> None:
    """A string where an integer belongs is reported with both."""
    text = race().replace("distance_m = 1500", 'distance_m = "1500"')
    error = only(text)
    assert error.field == "race.distance_m"
    assert error.line == line_of(text, "distance_m")
    assert error.message == "expected an integer > 0 and <= 1000000, found string '1500'"


def test_a_missing_required_field_is_reported_at_its_table() -> None:
    """A missing name is located at the header of the athlete that lacks it."""
    text = race(athlete(1, "ann"), athlete(2, "bea").replace('name = "Bea"\n', ""))
    error = only(text)
    assert error.field == "athletes[1].name"
    assert error.message == "missing required field"
    assert error.line == line_of(text, "[[athletes]]", occurrence=2)


def test_a_missing_table_is_reported_by_field_without_a_line() -> None:
    """A file with no [race] says so, as file: field: message."""
    text = HEADER.split("[race]")[0] + TWO
    error = only(text)
    assert error.format() == f"{PATH}: race: missing required field"


def test_every_structural_problem_is_reported_not_only_the_first() -> None:
    """Three independent mistakes give three located errors."""
    text = race(
        athlete(1, "ann", 'finish = "3:34.1"', extra="colour = 'red'"),
        athlete('"two"', "bea"),
    ).replace('round = "Final"', "round = 3")
    found = {e.field: e for e in problems(text)}
    assert set(found) == {"athletes[0].colour", "athletes[1].bib", "race.round"}
    assert found["athletes[1].bib"].line == line_of(text, 'bib = "two"')
    assert found["race.round"].line == line_of(text, "round = 3")


def test_a_start_time_without_a_utc_offset_is_rejected() -> None:
    """scheduled_start must carry an offset; a local date-time is located and explained."""
    text = race().replace("2025-09-17T22:20:00+09:00", "2025-09-17T22:20:00")
    error = only(text)
    assert error.field == "race.scheduled_start"
    assert "UTC offset" in error.message
    assert error.line == line_of(text, "scheduled_start")


def test_a_gun_without_a_utc_offset_is_rejected() -> None:
    """The gun too must carry an offset."""
    text = race().replace("gun = 2025-09-17T22:20:40+09:00", "gun = 2025-09-17T22:20:40")
    assert only(text).field == "race.gun"


def test_the_gun_defaults_to_the_scheduled_start() -> None:
    """Without a gun, the race starts when it was scheduled to."""
    spec = parse(race().replace("gun = 2025-09-17T22:20:40+09:00\n", ""))
    assert isinstance(spec, RaceSpec)
    assert spec.race.gun is None


def test_an_unknown_kind_is_reported_and_the_rest_still_checked() -> None:
    """kind must be race or championship; other problems are still found."""
    text = race().replace('kind = "race"', 'kind = "relay"').replace('round = "Final"', "round = 1")
    found = {e.field: e.message for e in problems(text)}
    assert found["scenario.kind"] == "expected 'race' or 'championship', found string 'relay'"
    assert "race.round" in found


def test_an_unknown_after_type_suggests_the_close_one() -> None:
    """The ``type`` of an after entry is checked against the known ones."""
    text = race() + '\n[[after]]\nat = "3:40.0"\ntype = "photo_finish_resolve"\n'
    error = only(text)
    assert error.field == "after[0].type"
    assert "did you mean 'photo_finish_resolved'?" in error.message
    assert error.line == line_of(text, "photo_finish_resolve")


def test_a_field_of_another_after_type_is_unknown() -> None:
    """Each after type takes only its own fields."""
    text = race() + '\n[[after]]\nat = "3:40.0"\ntype = "result_status_changed"\nathlete = "x"\n'
    found = {e.field: e for e in problems(text)}
    assert set(found) == {"after[0].athlete", "after[0].status"}
    assert found["after[0].athlete"].line == line_of(text, 'athlete = "x"')


def test_an_incident_kind_outside_the_list_is_rejected_with_a_hint() -> None:
    """Literal fields say which values they take."""
    text = race() + '\n[[incidents]]\nathlete = "ann"\nat_m = 900\nkind = "injurey"\n'
    error = only(text)
    assert error.field == "incidents[0].kind"
    assert "one of 'fall', 'injury', 'obstruction'" in error.message
    assert "did you mean 'injury'?" in error.message


def test_the_file_name_is_the_id_and_a_different_id_is_a_warning() -> None:
    """A copied or renamed file loads under its file name, and says the id it had."""
    warnings: list[ScenarioError] = []
    spec = parse_scenario(race(), "somewhere/other-name.toml", warnings=warnings)
    assert spec.scenario.id == "other-name"
    [warning] = warnings
    assert (warning.field, warning.line) == ("scenario.id", 2)
    assert "'other-name'" in warning.message and "'test-race'" in warning.message


def test_a_file_may_leave_its_id_to_its_name() -> None:
    """Without ``id``, a file named ``my-race.toml`` is the scenario ``my-race``."""
    text = race().replace('id = "test-race"\n', "")
    warnings: list[ScenarioError] = []
    assert parse_scenario(text, "my-race.toml", warnings=warnings).scenario.id == "my-race"
    assert warnings == []


def test_a_file_whose_name_is_not_an_id_keeps_its_own() -> None:
    """``My Race.toml`` cannot be an id, so the file's ``id`` stands."""
    assert parse_scenario(race(), "My Race.toml").scenario.id == "test-race"


def test_a_scenario_id_must_be_plain() -> None:
    """Ids travel in URLs: lowercase letters, digits and hyphens."""
    text = race().replace('id = "test-race"', 'id = "Test Race"')
    error = only(text, path="<string>")
    assert error.field == "scenario.id"
    assert "lowercase letters, digits and hyphens" in error.message


def test_a_championship_parses_into_a_championship_spec() -> None:
    """kind = championship takes a list of races and nothing race-like."""
    text = (
        '[scenario]\nid = "champs"\ntitle = "C"\nkind = "championship"\n'
        'races = ["a-race", "b-race"]\n'
    )
    spec = parse(text, "champs.toml")
    assert isinstance(spec, ChampionshipSpec)
    assert spec.scenario.races == ["a-race", "b-race"]


def test_a_championship_without_races_is_invalid() -> None:
    """A championship needs at least one race."""
    text = '[scenario]\nid = "champs"\ntitle = "C"\nkind = "championship"\nraces = []\n'
    error = only(text, "champs.toml")
    assert error.field == "scenario.races"
    assert error.line == 5


def test_a_race_listed_twice_in_a_championship_is_reported_at_its_line() -> None:
    """Each race appears once in a session; the repeat is located."""
    text = (
        '[scenario]\nid = "champs"\ntitle = "C"\nkind = "championship"\n'
        'races = [\n  "a-race",\n  "b-race",\n  "a-race",\n]\n'
    )
    error = only(text, "champs.toml")
    assert error.field == "scenario.races[2]"
    assert error.line == 8
    assert "listed twice (first at races[0])" in error.message


def test_bytes_that_are_not_utf8_are_reported_at_their_line() -> None:
    """A bad byte is located by line."""
    with pytest.raises(ScenarioInvalid) as caught:
        decode_source(b'[scenario]\nid = "\xff"\n', "x.toml")
    (error,) = caught.value.errors
    assert error.line == 2
    assert "0xff" in error.message


def test_an_empty_file_reports_the_missing_tables() -> None:
    """An empty file is valid TOML but misses every required table."""
    assert {e.field for e in problems("")} == {"scenario", "race", "athletes"}
