"""Times, margins and points are read in the notations race writing uses, with their precision."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feed.check.numbers import recognise_numbers, resolve_point
from feed.check.text import fold
from feed.check.tok import Tok
from feed.timing import format_time, official_ms


def tokens(text: str, kind: str) -> list[Tok]:
    return [t for t in recognise_numbers(fold(text), 0) if t.kind == kind]


@pytest.mark.parametrize(
    ("text", "ms", "unit"),
    [
        ("in 3:34.10", 214_100, 10),
        ("in 3:34.1", 214_100, 100),
        ("in 3:34.094", 214_094, 1),
        ("clocked 3min 34.10sec", 214_100, 10),
        ("clocked 3m 34.10s", 214_100, 10),
        ("clocked 3 min 34.10 sec", 214_100, 10),
        ("through 400 m in 59.5", 59_500, 100),
        ("in 59.50s", 59_500, 10),
        ("about 56 seconds", 56_000, 1000),
        ("1:02:03.4 for the marathon", 3_723_400, 100),
    ],
)
def test_times_in_the_usual_notations_keep_the_precision_they_were_written_to(
    text: str, ms: int, unit: int
) -> None:
    """3:34.10 is to the hundredth, 3:34.1 to the tenth, 3:34.094 to the thousandth."""
    found = tokens(text, "time")
    longest = max(found, key=lambda t: t.end - t.start)
    assert (longest.value, longest.unit) == (ms, unit)


@pytest.mark.parametrize(
    ("text", "ms", "unit"),
    [
        ("by two hundredths of a second", 20, 10),
        ("by two hundredths", 20, 10),
        ("by a tenth", 100, 100),
        ("by three thousandths", 3, 1),
        ("by 13 hundredths", 130, 10),
        ("by two seconds", 2000, 1000),
    ],
)
def test_margins_in_words_are_margins_with_the_unit_as_precision(
    text: str, ms: int, unit: int
) -> None:
    """ "two hundredths" is 20 ms to the hundredth."""
    [margin] = tokens(text, "margin")
    assert (margin.value, margin.unit) == (ms, unit)


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("at 400 m", (400, 400)),
        ("at 1,200 metres", (1200, 1200)),
        ("at the bell", (1100, 1100)),
        ("with a lap to go", (1100, 1100)),
        ("with 200 m to go", (1300, 1300)),
        ("200 out", (1300, 1300)),
        ("with 600 to go", (900, 900)),
        ("in the last 200 m", (1300, 1500)),
        ("after two laps", (800, 800)),
        ("into the straight", (1400, 1400)),
        ("on the last lap", (1100, 1500)),
    ],
)
def test_points_in_the_race_resolve_to_metres_run_in_a_1500(
    text: str, point: tuple[int, int]
) -> None:
    """Every way of naming a point becomes a range of metres run, for the race's geometry."""
    found = tokens(text, "point")
    assert found, text
    tok = max(found, key=lambda t: t.end - t.start)
    assert resolve_point(tok, 1500, 400) == point


def test_a_hedged_point_widens_by_a_split() -> None:
    """ "about 700 m" is anywhere from 600 to 800 m."""
    [tok] = tokens("700 m", "point")
    hedged = Tok("point", tok.start, tok.end, code=tok.code, value=700, to=700, hedged=True)
    assert resolve_point(hedged, 1500, 400) == (600, 800)


def test_a_point_beyond_the_finish_is_no_point_of_this_race() -> None:
    """4800 m names nothing in a 1500 m race."""
    [tok] = tokens("at 4800 m", "point")
    assert resolve_point(tok, 1500, 400) is None


def test_rules_years_ages_ordinals_and_medals_are_read() -> None:
    """TR17.1.2, 2023, the 26-year-old, 14th, bronze."""
    text = "disqualified under TR17.1.2 in 2023; the 26-year-old was 14th; bronze medal"
    found = {t.kind: t for t in recognise_numbers(fold(text), 0)}
    assert found["rule"].code == "17.1.2"
    assert found["year"].value == 2023
    assert found["age"].value == 26
    assert any(t.kind == "ord" and t.value == 14 for t in recognise_numbers(fold(text), 0))
    assert found["medal"].code == "bronze"


@given(st.integers(min_value=40_000, max_value=400_000))
def test_every_official_time_as_written_is_read_back_to_the_hundredth(ms: int) -> None:
    """format_time's output parses to the official time, with a precision of 10 ms."""
    written = format_time(ms)
    found = tokens(f"in {written}", "time")
    longest = max(found, key=lambda t: t.end - t.start)
    assert (longest.value, longest.unit) == (official_ms(ms), 10)
