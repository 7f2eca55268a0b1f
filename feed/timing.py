"""Timing rules: how times are read, rounded and written. The only place they live.

Fully automatic timing reads a finish to 1/1000 s. The official time is that
reading converted to 1/100 s, rounded *up* to the next longer hundredth
(3:34.101 -> 3:34.11; 3:34.100 -> 3:34.10). Places are decided at 1/1000, so two
athletes equal at 1/100 may still be separated. Internally every time is an int of
milliseconds (thousandths of a second).

Every text a view shows is written here: results, splits and lap times
(``format_time``), gaps (``format_gap``) and the race clock (``format_clock``). A
negative amount is written as a minus sign before the amount written as usual, so
no input gives a malformed text; the projections never hand a gap or time below 0
to be shown (see ``feed.projections.race_state``).
"""

from __future__ import annotations

import re

__all__ = [
    "format_clock",
    "format_gap",
    "format_time",
    "official_ms",
    "parse_time",
]

_TIME = re.compile(r"^(?:(?:(\d+):)?([0-5]?\d):)?(\d{1,2})(?:\.(\d{1,3}))?$")


def parse_time(text: str) -> int:
    """Read a written time (``"3:34.101"``, ``"59.5"``, ``"1:02:03.4"``) as milliseconds.

    Raises:
        ValueError: with the expected format, when ``text`` is not a time.
    """
    match = _TIME.match(text.strip())
    if match is None:
        raise ValueError(f"expected a time like '3:34.10' or '59.5' (m:ss.fff), got {text!r}")
    hours, minutes, seconds, fraction = match.groups()
    if minutes is not None and hours is None and int(seconds) >= 60:
        raise ValueError(f"seconds must be below 60 in {text!r}")
    ms = int((fraction or "").ljust(3, "0"))
    total_s = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds)
    return total_s * 1000 + ms


def official_ms(ms: int) -> int:
    """Round a 1/1000 reading up to the next 1/100, as the official time is."""
    return -(-ms // 10) * 10


def format_time(ms: int, *, thousandths: bool = False) -> str:
    """Write a time as results do: ``"3:34.10"`` (official, rounded up) or ``"59.50"``.

    Args:
        ms: the time in milliseconds; below 0 it is written with a leading ``-``, its
            amount rounded as a positive one would be.
        thousandths: write the raw 1/1000 reading instead of the official time.
    """
    if ms < 0:
        return "-" + format_time(-ms, thousandths=thousandths)
    if thousandths:
        whole, frac = divmod(ms, 1000)
        fraction = f"{frac:03d}"
    else:
        whole, frac = divmod(official_ms(ms), 1000)
        fraction = f"{frac // 10:02d}"
    minutes, seconds = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}.{fraction}"
    if minutes:
        return f"{minutes}:{seconds:02d}.{fraction}"
    return f"{seconds}.{fraction}"


def format_gap(ms: int) -> str:
    """Write a gap behind the leader to 1/100, rounded up: ``"+0.02"``, ``"+1:02.40"``.

    The amount is rounded up to the hundredth, away from zero, so a gap of 1 ms
    behind is ``"+0.01"``. A negative gap (ahead rather than behind) carries a
    minus sign instead: ``-430`` is ``"-0.43"``, never a malformed text.
    """
    if ms < 0:
        return "-" + format_time(-ms)
    return "+" + format_time(ms)


def format_clock(race_ms: int) -> str:
    """Write the race clock to 1/10 s for a live display: ``"2:35.1"``, ``"-0:05.0"``."""
    sign = "-" if race_ms < 0 else ""
    tenths = abs(race_ms) // 100
    minutes, rest = divmod(tenths, 600)
    return f"{sign}{minutes}:{rest // 10:02d}.{rest % 10}"
