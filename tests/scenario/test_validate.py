"""Validation: each kind of mistake a well-formed file can make, reported at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenario.scenario_text import HEADER, TWO, athlete, line_of, only, parse, problems, race


def _after(entry: str) -> str:
    return race() + f"\n[[after]]\n{entry}\n"


_AT = '[[after]]\nat = "3:40"\ntype = '
_REFERENCES = {
    "incidents[0].athlete": '[[incidents]]\nathlete = "anne"\nat_m = 900\nkind = "fall"',
    "commentary[0].athletes[0]": '[[commentary]]\nat = "1:00"\ntext = "x"\nathletes = ["anne"]',
    "after[0].athlete": _AT + '"athlete_disqualified"\nathlete = "anne"\nrule = "TR17"',
    "after[0].athletes[1]": _AT + '"photo_finish_requested"\nathletes = ["ann", "anne"]',
    "after[0].against": _AT + '"protest_lodged"\nprotest = "p"\nby = "GBR"\nagainst = "anne"',
}


@pytest.mark.parametrize(("field", "section"), _REFERENCES.items())
def test_an_unknown_athlete_is_reported_where_it_is_named(field: str, section: str) -> None:
    """Every reference to an athlete id must name one of the athletes, with a hint."""
    text = race() + "\n" + section + "\n"
    error = only(text)
    assert error.field == field
    assert error.line == line_of(text, '"anne"')
    assert "unknown athlete 'anne' (did you mean 'ann'?)" in error.message


def test_an_unknown_athlete_in_a_photo_finish_order_is_located_at_its_element() -> None:
    """A multi-line photo order points at the element that names the stranger."""
    text = _after(
        'at = "3:40.0"\ntype = "photo_finish_resolved"\norder = [\n'
        '  { athlete = "ann", time = "3:34.100" },\n'
        '  { athlete = "zed", time = "3:35.200" },\n]'
    )
    error = only(text)
    assert error.field == "after[0].order[1].athlete"
    assert error.line == line_of(text, '"zed"')


def test_a_duplicate_bib_is_reported_at_the_line_of_the_second_athlete() -> None:
    """Bibs are unique; the second use is the mistake."""
    text = race(athlete(4, "ann"), athlete(4, "bea"))
    error = only(text)
    assert error.field == "athletes[1].bib"
    assert error.line == line_of(text, "bib = 4", occurrence=2)
    assert "duplicate bib 4 (first at athletes[0])" in error.message


def test_a_duplicate_athlete_id_is_reported_at_the_second() -> None:
    """Athlete ids are unique, since everything refers to them."""
    text = race(athlete(1, "ann"), athlete(2, "ann"))
    error = only(text)
    assert error.field == "athletes[1].id"
    assert error.line == line_of(text, 'id = "ann"', occurrence=2)


def test_splits_written_out_of_distance_order_are_rejected() -> None:
    """Splits run in increasing distance, as written."""
    text = race(
        athlete(1, "ann", extra='splits = { 800 = "2:00.0", 400 = "1:00.0" }'), athlete(2, "bea")
    )
    error = only(text)
    assert error.field == "athletes[0].splits.400"
    assert error.line == line_of(text, "splits =")
    assert "increase in distance" in error.message


def test_splits_that_do_not_increase_in_time_are_rejected() -> None:
    """A later split must have a later time."""
    text = race(
        athlete(1, "ann", extra='splits = { 400 = "1:00.0", 800 = "0:59.0" }'), athlete(2, "bea")
    )
    error = only(text)
    assert error.field == "athletes[0].splits.800"
    assert "is not later than the split at 400 m (1:00.000)" in error.message


def test_a_split_beyond_the_race_distance_is_rejected() -> None:
    """A split at or after the finish line is not a split."""
    text = race(athlete(1, "ann", extra='splits = { 1600 = "3:50.0" }'), athlete(2, "bea"))
    error = only(text)
    assert error.field == "athletes[0].splits.1600"
    assert "beyond the race distance (1500 m)" in error.message


def test_a_split_key_that_is_not_a_distance_is_rejected() -> None:
    """Split keys are metres."""
    text = race(athlete(1, "ann", extra='splits = { lap1 = "1:00.0" }'), athlete(2, "bea"))
    assert only(text).field == "athletes[0].splits.lap1"


def test_a_split_resolution_that_does_not_divide_the_distance_is_rejected() -> None:
    """split_every_m must divide distance_m."""
    text = race().replace("split_every_m = 100", "split_every_m = 400")
    error = only(text)
    assert error.field == "scenario.split_every_m"
    assert error.line == line_of(text, "split_every_m")
    assert "400 m does not divide the race distance 1500 m" in error.message


def test_a_finish_not_later_than_the_split_before_it_is_rejected() -> None:
    """The finish comes after the last split."""
    text = race(
        athlete(1, "ann", 'finish = "2:50.0"', extra='splits = { 1200 = "2:57.05" }'),
        athlete(2, "bea"),
    )
    error = only(text)
    assert error.field == "athletes[0].finish"
    assert error.line == line_of(text, 'finish = "2:50.0"')
    assert "not later than the split at 1200 m" in error.message


def test_a_finish_segment_faster_than_a_human_can_run_is_rejected() -> None:
    """300 m in 20 s is 15 m/s: no one averages over 11 m/s."""
    text = race(
        athlete(1, "ann", 'finish = "3:17.0"', extra='splits = { 1200 = "2:57.0" }'),
        athlete(2, "bea"),
    )
    error = only(text)
    assert error.field == "athletes[0].finish"
    assert "15.0 m/s; expected at most 11 m/s" in error.message


@pytest.mark.parametrize(
    ("outcome", "found"),
    [
        ('finish = "3:40.0"\ndns = { reason = "ill" }', "finish, dns"),
        ('dnf = { at_m = 300 }\ndns = {}\nfinish = "3:40.0"', "finish, dnf, dns"),
        ("", "none of them"),
    ],
)
def test_an_athlete_needs_exactly_one_outcome(outcome: str, found: str) -> None:
    """Exactly one of finish, dnf, dns: reported at the athlete's table."""
    text = race(athlete(1, "ann"), athlete(2, "bea", outcome))
    error = only(text)
    assert error.field == "athletes[1]"
    assert error.line == line_of(text, "[[athletes]]", occurrence=2)
    assert error.message == f"expected exactly one of finish, dnf, dns; found {found}"


def test_an_after_entry_before_the_winners_finish_is_rejected() -> None:
    """Post-race entries happen at or after the winner's finish."""
    text = _after('at = "3:30.0"\ntype = "result_status_changed"\nstatus = "unofficial"')
    error = only(text)
    assert error.field == "after[0].at"
    assert error.line == line_of(text, 'at = "3:30.0"')
    assert "before the winner's finish (3:34.100)" in error.message


def test_official_before_the_last_finisher_is_rejected() -> None:
    """A result cannot be official while someone is still running."""
    text = _after('at = "3:35.0"\ntype = "result_status_changed"\nstatus = "official"')
    error = only(text)
    assert error.field == "after[0].at"
    assert "before the last finisher (3:35.200)" in error.message


def test_an_incident_beyond_the_dnf_point_is_rejected() -> None:
    """Nothing happens to an athlete after they stopped."""
    text = race(athlete(1, "ann"), athlete(2, "bea", "dnf = { at_m = 700 }"))
    text += '\n[[incidents]]\nathlete = "bea"\nat_m = 900\nkind = "fall"\ncontinues = false\n'
    error = only(text)
    assert error.field == "incidents[0].at_m"
    assert error.line == line_of(text, "at_m = 900")
    assert "beyond 'bea''s DNF point (700 m)" in error.message


def test_an_incident_beyond_the_race_distance_is_rejected() -> None:
    """Incidents happen on the course."""
    text = race() + '\n[[incidents]]\nathlete = "ann"\nat_m = 1600\nkind = "fall"\n'
    assert only(text).field == "incidents[0].at_m"


def test_an_incident_that_stops_an_athlete_needs_a_dnf() -> None:
    """continues = false means the athlete did not finish."""
    text = (
        race() + '\n[[incidents]]\nathlete = "ann"\nat_m = 600\nkind = "fall"\ncontinues = false\n'
    )
    error = only(text)
    assert error.field == "incidents[0].continues"


def test_a_photo_finish_naming_an_athlete_who_did_not_finish_is_rejected() -> None:
    """Only finishers have a place in the photo."""
    text = race(athlete(1, "ann"), athlete(2, "bea", "dnf = { at_m = 700 }"))
    text += (
        '\n[[after]]\nat = "3:40.0"\ntype = "photo_finish_resolved"\n'
        'order = [{ athlete = "ann", time = "3:35.000" }, { athlete = "bea", time = "3:35.100" }]\n'
    )
    error = only(text)
    assert error.field == "after[0].order[1].athlete"
    assert error.line == line_of(text, "order = [")
    assert "cannot place 'bea', who did not finish" in error.message


def test_a_photo_finish_order_must_not_go_back_in_time() -> None:
    """First across the line first: times never decrease down the order."""
    text = _after(
        'at = "3:40.0"\ntype = "photo_finish_resolved"\n'
        'order = [{ athlete = "ann", time = "3:35.300" }, { athlete = "bea", time = "3:35.200" }]'
    )
    assert only(text).field == "after[0].order[1].time"


def test_reinstating_an_athlete_never_disqualified_is_rejected() -> None:
    """A reinstatement undoes a disqualification, so there must be one before it."""
    text = _after('at = "3:40.0"\ntype = "athlete_reinstated"\nathlete = "ann"')
    error = only(text)
    assert error.field == "after[0].athlete"
    assert "'ann' is not disqualified at 3:40.0" in error.message


def test_a_reinstatement_before_the_disqualification_is_rejected() -> None:
    """Order is by time, not by how the file is written."""
    text = race() + (
        '\n[[after]]\nat = "3:50.0"\ntype = "athlete_disqualified"\nathlete = "ann"\nrule = "R"\n'
        '\n[[after]]\nat = "3:45.0"\ntype = "athlete_reinstated"\nathlete = "ann"\n'
    )
    assert only(text).field == "after[1].athlete"


def test_amending_the_time_of_someone_who_has_not_finished_yet_is_rejected() -> None:
    """A correction comes after the time it corrects."""
    text = race(athlete(1, "ann", 'finish = "3:34.1"'), athlete(2, "bea", 'finish = "4:10.0"'))
    text += (
        '\n[[after]]\nat = "3:40.0"\ntype = "result_amended"\nathlete = "bea"\ntime = "4:09.0"\n'
    )
    error = only(text)
    assert error.field == "after[0].athlete"
    assert "before they finish (4:10.000)" in error.message


def test_deciding_a_protest_never_lodged_is_rejected() -> None:
    """protest_decided names a protest lodged before it."""
    text = race() + (
        '\n[[after]]\nat = "3:40.0"\ntype = "protest_lodged"\nprotest = "gbr-1"\nby = "KEN"\n'
        '\n[[after]]\nat = "3:50.0"\ntype = "protest_decided"\nprotest = "gbr-2"\nupheld = false\n'
    )
    error = only(text)
    assert error.field == "after[1].protest"
    assert "protest 'gbr-2' has not been lodged by then (did you mean 'gbr-1'?)" in error.message


def test_a_bad_time_is_reported_with_the_expected_format() -> None:
    """Times are results notation; anything else says what is expected."""
    text = race(athlete(1, "ann", 'finish = "3m34s"'), athlete(2, "bea"))
    error = only(text)
    assert error.field == "athletes[0].finish"
    assert error.line == line_of(text, "3m34s")
    assert "expected a time like '3:34.10' or '59.5' (m:ss.fff), got '3m34s'" in error.message


def test_a_national_record_needs_a_nation() -> None:
    """NR and AR are only meaningful with the nation or area."""
    text = HEADER + '\n[[race.records]]\nkind = "NR"\ntime = "3:30.0"\n' + TWO
    error = only(text)
    assert error.field == "race.records[0].nation"
    assert error.line == line_of(text, "[[race.records]]")


def test_commentary_before_the_start_list_is_published_is_rejected() -> None:
    """Nothing is said before the lead-in starts."""
    text = race() + '\n[[commentary]]\nat = "-0:45.0"\ntext = "early"\n'
    error = only(text)
    assert error.field == "commentary[0].at"
    assert "before the start list is published (-30 s)" in error.message


def test_a_synthetic_list_must_name_fields_of_its_table() -> None:
    """synthetic names invented fields; a misspelt one is caught with a hint."""
    text = race(
        athlete(1, "ann", extra='synthetic = ["finish.thousandths", "bibb"]'), athlete(2, "bea")
    )
    error = only(text)
    assert error.field == "athletes[0].synthetic[1]"
    assert "did you mean 'bib'?" in error.message


def test_splits_for_a_non_starter_and_beyond_the_dnf_point_are_rejected() -> None:
    """A DNS has no splits; a DNF has none at or after where they stopped."""
    text = race(
        athlete(1, "ann", "dns = {}", extra='splits = { 400 = "1:00.0" }'),
        athlete(
            2, "bea", "dnf = { at_m = 700 }", extra='splits = { 400 = "1:00.0", 800 = "2:00.0" }'
        ),
        athlete(3, "cat"),
    )
    found = {e.field: e.message for e in problems(text)}
    assert found["athletes[0].splits"] == "an athlete who did not start has no splits"
    assert "at or beyond the DNF point (700 m)" in found["athletes[1].splits.800"]


def test_a_file_with_several_mistakes_reports_every_one() -> None:
    """All semantic problems come at once, each at its own line."""
    text = race(
        athlete(1, "ann", 'finish = "3:34.1"'),
        athlete(1, "bea", 'finish = "3:35.2"'),
        athlete(3, "cat", ""),
    )
    text += '\n[[incidents]]\nathlete = "dan"\nat_m = 100\nkind = "fall"\n'
    text += '\n[[after]]\nat = "3:00.0"\ntype = "result_status_changed"\nstatus = "official"\n'
    found = problems(text)
    fields = [e.field for e in found]
    assert fields.count("after[0].at") == 2  # before the winner, and official too early
    assert {"athletes[1].bib", "athletes[2]", "incidents[0].athlete"} <= set(fields)
    assert all(e.line is not None for e in found)
    assert [e.line for e in found] == sorted(e.line or 0 for e in found)


def test_a_race_with_every_kind_of_entry_is_valid() -> None:
    """The fixture that uses the whole format passes every check."""
    path = Path(__file__).parent / "fixtures" / "mini-final.toml"
    assert parse(path.read_text(), str(path))


def test_a_split_spacing_that_would_make_millions_of_events_is_refused() -> None:
    """900 km with a split every metre: refused before compiling, saying what would do."""
    from feed.builder import RaceBuilder
    from feed.errors import ScenarioInvalid

    race = RaceBuilder("far", distance_m=900_000, split_every_m=1)
    for n in range(3):
        race.finish(race.athlete(f"Runner {n}", "GBR"), "20:00:00.0")
    with pytest.raises(ScenarioInvalid, match=r"makes 2,700,000 split events") as info:
        race.events()
    assert "a split every 15 m or more would do" in str(info.value)
