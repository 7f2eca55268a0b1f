"""Reading a FinishLynx result file: the heat line, then one line per competitor."""

from __future__ import annotations

from pathlib import Path

import pytest

from feed.errors import TableInvalid
from feed.importers.lif import read_lif

PARIS = Path(__file__).parents[2] / "docs" / "examples" / "results" / "paris-2024-m800-final.lif"


def test_the_heat_line_gives_the_event_and_distance_and_each_line_a_result() -> None:
    """Place, ID, lane, last name, first name, affiliation, time, as documented."""
    table = read_lif(PARIS.read_bytes(), str(PARIS))
    assert (table.event, table.distance_m, table.start_time) == (
        "Men's 800 Metres Final",
        800,
        None,
    )
    first = table.rows[0]
    assert (first.place, first.name, first.nation, first.time_ms) == (
        1, "Emmanuel Wanyonyi", "KEN", 101_190,
    )  # fmt: skip
    assert len(table.rows) == 8


def test_codes_in_the_place_field_are_marks_and_scratches_are_left_out() -> None:
    """DNF, DQ (DSQ) and DNS have no place; SCR never started and is not listed."""
    text = (
        "3,1,2,Men 1500,,,,,,1500,19:05:01.25\n"
        "1,101,4,Example,Ann,GBR,3:40.123,,\n"
        "DNF,102,5,Sample,Bea,KEN,,\n"
        "DSQ,103,6,Muster,Cat,GER,3:41.00\n"
        "SCR,104,7,Voorbeeld,Dan,NED,\n"
    )
    table = read_lif(text.encode(), "heat.lif")
    assert table.start_time == "19:05:01.25"
    assert [(r.name, r.place, r.status, r.thousandths) for r in table.rows] == [
        ("Ann Example", 1, None, True),
        ("Bea Sample", None, "DNF", False),
        ("Cat Muster", None, "DQ", False),
    ]


def test_a_bad_place_and_a_bad_time_are_located_by_line_and_field() -> None:
    """Every problem, at its line, with the documented field's name."""
    text = "1,1,1,Men 800,,,,,,800\nfirst,7,1,A,B,GBR,1:50.0\n2,8,2,C,D,KEN,1:5x.0\n"
    with pytest.raises(TableInvalid) as caught:
        read_lif(text.encode(), "heat.lif")
    found = [(e.line, e.column, e.column_name) for e in caught.value.errors]
    assert found == [(2, 1, "place"), (3, 7, "time")]


def test_a_file_that_does_not_start_with_a_heat_line_says_what_it_expected() -> None:
    """A CSV table given as .lif: the first line is not event, round, heat."""
    with pytest.raises(TableInvalid, match="expected the heat line first"):
        read_lif(b"place,name,time\n1,Ann,3:40.00\n", "heat.lif")


def test_a_start_time_that_is_not_a_time_of_day_is_reported() -> None:
    """25:00:00 fits the pattern but is no time of day."""
    with pytest.raises(TableInvalid, match="field 11"):
        read_lif(b"1,1,1,Men 800,,,,,,800,25:00:00.000\n1,7,1,A,B,GBR,1:50.0\n", "heat.lif")
