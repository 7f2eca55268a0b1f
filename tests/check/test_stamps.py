"""Live-blog entries are stamped with race time or wall time, in the formats docs/check.md lists."""

from __future__ import annotations

import pytest

from feed.check.stamps import parse_stamp
from feed.check.text import split_entries
from feed.check.timeline import stamp_moment

TOKYO_START = "2025-09-17T22:20:00+09:00"


@pytest.mark.parametrize(
    ("line", "ms", "unit"),
    [
        ("[2:14] Kerr is in trouble", 134_000, 1000),
        ("[1:59.9] Cheruiyot leads", 119_900, 100),
        ("[3:34.10] Nader wins", 214_100, 10),
        ("[13:05] Mfano wins the 5000 m", 785_000, 1000),
        ("2:14 Kerr is in trouble", 134_000, 1000),
        ("2:14 - Kerr is in trouble", 134_000, 1000),
        ("- [0:30] A slow start", 30_000, 1000),
    ],
)
def test_race_time_stamps_give_the_time_since_the_gun_and_their_resolution(
    line: str, ms: int, unit: int
) -> None:
    """Bracketed stamps take any minutes; bare ones one digit; the fraction sets the resolution."""
    stamp, skip = parse_stamp(line)
    assert stamp is not None and stamp.kind == "race_time"
    assert (stamp.ms, stamp.unit_ms) == (ms, unit)
    assert line[skip:].split(maxsplit=1)[0] in ("Kerr", "Cheruiyot", "Nader", "Mfano", "A")


@pytest.mark.parametrize(
    ("line", "ms", "unit", "offset"),
    [
        ("13:22 Nader hits the front", (13 * 60 + 22) * 60_000, 60_000, None),
        ("13:22:05 Nader hits the front", ((13 * 60 + 22) * 60 + 5) * 1000, 1000, None),
        ("13:22 UTC Nader hits the front", (13 * 60 + 22) * 60_000, 60_000, 0),
        ("13:22 BST: Nader hits the front", (13 * 60 + 22) * 60_000, 60_000, 60),
        ("13:22 +09:00 Nader hits the front", (13 * 60 + 22) * 60_000, 60_000, 540),
        ("1:22pm Nader hits the front", (13 * 60 + 22) * 60_000, 60_000, None),
        ("10:05 am | The start list is out", (10 * 60 + 5) * 60_000, 60_000, None),
    ],
)
def test_wall_time_stamps_have_two_digit_hours_or_am_pm_and_an_optional_zone(
    line: str, ms: int, unit: int, offset: int | None
) -> None:
    """Two-digit hours are wall time, minute resolution unless seconds are given."""
    stamp, _ = parse_stamp(line)
    assert stamp is not None and stamp.kind == "wall_time"
    assert (stamp.ms, stamp.unit_ms, stamp.utc_offset_min) == (ms, unit, offset)


@pytest.mark.parametrize(
    "line",
    [
        "Nader won in 3:34.10.",
        "2025 was a good year",
        "12:5 is no clock",
        "[2:75] not a time",
        "25:10 is not a clock time",
        "",
    ],
)
def test_lines_that_do_not_open_with_a_stamp_have_none(line: str) -> None:
    """A time inside the text, or a malformed one, is no stamp."""
    assert parse_stamp(line) == (None, 0)


def test_a_line_that_opens_with_a_bare_race_time_is_stamped_as_documented() -> None:
    """ "3:34.10 was the winning time" reads as an entry at race time 3:34.10: write such a
    report line another way, or bracket stamps, to avoid it."""
    stamp, skip = parse_stamp("3:34.10 was the winning time")
    assert stamp is not None and stamp.ms == 214_100 and skip == len("3:34.10 ")


def test_a_stamped_line_opens_an_entry_and_an_unstamped_line_continues_it() -> None:
    """Lines after a stamped one belong to it until a blank line or the next stamp."""
    text = "# Live\n[1:00] Laros leads\nthrough 400 m.\n[2:00] Cheruiyot\n\nA report paragraph.\n"
    entries = split_entries(text)
    assert [(e.stamp.label if e.stamp else None) for e in entries] == [
        None,
        "[1:00]",
        "[2:00]",
        None,
    ]
    assert text[entries[1].start : entries[1].end] == "Laros leads\nthrough 400 m."


def test_wall_time_is_read_in_the_venue_zone_on_the_race_day_unless_told_otherwise() -> None:
    """22:22 in Tokyo is 13:22 UTC; a default offset or a written zone overrides the venue's."""
    stamp, _ = parse_stamp("22:22 The bell")
    assert stamp is not None
    moment = stamp_moment(stamp, TOKYO_START, None)
    assert (moment.start_at, moment.end_at) == (
        "2025-09-17T13:22:00.000Z",
        "2025-09-17T13:23:00.000Z",
    )
    london = stamp_moment(parse_stamp("14:22 The bell")[0], TOKYO_START, 60)  # type: ignore[arg-type]
    assert london.start_at == "2025-09-17T13:22:00.000Z"


def test_a_wall_time_after_midnight_belongs_to_the_day_nearest_the_race() -> None:
    """A blog of a 23:50 race that runs past midnight stays on the race night."""
    stamp, _ = parse_stamp("00:05 Result official")
    assert stamp is not None
    moment = stamp_moment(stamp, "2025-09-17T23:50:00+09:00", None)
    assert moment.start_at == "2025-09-17T15:05:00.000Z"


def test_a_race_time_stamp_covers_its_resolution() -> None:
    """[2:14] is the second from 2:14.000 to 2:14.999."""
    stamp, _ = parse_stamp("[2:14] x")
    assert stamp is not None
    moment = stamp_moment(stamp, TOKYO_START, None)
    assert (moment.start_ms, moment.end_ms, moment.label) == (134_000, 135_000, "[2:14]")
