"""Timing rules: thousandths in, hundredths (rounded up) out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feed.timing import format_clock, format_gap, format_time, official_ms, parse_time


@pytest.mark.parametrize(
    ("reading", "official"),
    [("3:34.101", "3:34.11"), ("3:34.100", "3:34.10"), ("3:34.091", "3:34.10"),
     ("59.999", "1:00.00"), ("4:11.23", "4:11.23")],
)  # fmt: skip
def test_an_official_time_is_the_reading_rounded_up_to_the_hundredth(
    reading: str, official: str
) -> None:
    """3:34.101 is 3:34.11 officially, while 3:34.100 stays 3:34.10."""
    assert format_time(parse_time(reading)) == official


@pytest.mark.parametrize(
    ("text", "ms"),
    [("3:34.10", 214_100), ("59.5", 59_500), ("1:02:03.4", 3_723_400), ("0.001", 1),
     ("3:34", 214_000)],
)  # fmt: skip
def test_written_times_are_read_as_milliseconds(text: str, ms: int) -> None:
    """Results notation with one to three decimals is read exactly."""
    assert parse_time(text) == ms


@pytest.mark.parametrize("text", ["", "3:60.00", "abc", "3:34.1234", "-1.0", "3::4"])
def test_a_malformed_time_says_what_was_expected(text: str) -> None:
    """A bad time raises ValueError naming the expected format."""
    with pytest.raises(ValueError, match=r"expected a time|below 60"):
        parse_time(text)


@given(st.integers(min_value=0, max_value=10_000_000))
def test_rounding_up_never_goes_below_the_reading_nor_a_hundredth_above(ms: int) -> None:
    """The official time is the smallest hundredth at or above the reading."""
    official = official_ms(ms)
    assert official % 10 == 0
    assert ms <= official < ms + 10


@given(st.integers(min_value=0, max_value=10_000_000))
def test_thousandths_round_trip_through_writing_and_reading(ms: int) -> None:
    """Writing a reading to the thousandth and reading it back is lossless."""
    assert parse_time(format_time(ms, thousandths=True)) == ms


@given(st.integers(min_value=0, max_value=10_000_000))
def test_official_times_round_trip_through_writing_and_reading(ms: int) -> None:
    """An official time, written and read back, is the same official time."""
    assert parse_time(format_time(ms)) == official_ms(ms)


def test_gaps_and_the_race_clock_are_written_for_people() -> None:
    """Gaps carry a plus sign; the race clock shows tenths and a minus before the gun."""
    assert format_gap(20) == "+0.02"
    assert format_gap(62_391) == "+1:02.40"
    assert format_clock(155_149) == "2:35.1"
    assert format_clock(-5_000) == "-0:05.0"


def test_a_negative_gap_or_time_carries_a_minus_sign_never_garbage() -> None:
    """-430 ms is 0.43 ahead: "-0.43"; the amount is rounded up as a positive one would be."""
    assert format_gap(-430) == "-0.43"
    assert format_gap(-1) == "-0.01"
    assert format_gap(0) == "+0.00"
    assert format_time(-214_094) == "-3:34.10"
    assert format_time(-5, thousandths=True) == "-0.005"


@given(st.integers(min_value=-10_000_000, max_value=10_000_000))
def test_any_gap_is_a_sign_then_the_official_time_of_its_amount(ms: int) -> None:
    """Whatever the input, the text is + or - and a well formed time that reads back."""
    text = format_gap(ms)
    assert text[0] == ("-" if ms < 0 else "+")
    assert parse_time(text[1:]) == official_ms(abs(ms))
