"""Time stamps of live-blog entries: the formats accepted, and what each one means.

An entry is a line that starts with a stamp, then a separator (a space, and
optionally ``-``, ``–``, ``—``, ``:`` or ``|``), then its text. Accepted stamps:

- **Race time** (since the gun) in square brackets: ``[2:14]``, ``[1:59.9]``,
  ``[3:34.10]``, ``[13:05]`` (any minutes).
- **Race time** without brackets, one-digit minutes only: ``2:14``, ``1:59.9``.
- **Wall time**, two-digit hours: ``13:22``, ``13:22:05``, optionally with a zone:
  ``13:22 UTC`` (also ``GMT``, ``Z``, ``BST``, ``CET``, ``CEST``, ``JST``, ``EDT``,
  ``EST``, ``PDT``, ``PST``, ``UTC+9``, ``+09:00``). Without a zone, wall time is the
  venue's local time (the offset of the race's scheduled start), unless the caller
  gives another default.
- **Wall time** on a 12-hour clock: ``1:22pm``, ``10:22 pm`` (with the same zones).

A stamp covers its whole resolution: ``2:14`` is the second from 2:14.000 to
2:14.999, ``13:22`` the minute from 13:22:00 to 13:22:59. A claim is supported when
the feed supports it at some moment of that window (see ``feed.check.timeline``).
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

__all__ = ["ZONES", "Stamp", "parse_stamp"]

ZONES: dict[str, int] = {
    "utc": 0, "gmt": 0, "z": 0, "bst": 60, "cet": 60, "cest": 120, "jst": 540,
    "edt": -240, "est": -300, "pdt": -420, "pst": -480,
}  # fmt: skip

_SEPARATOR = r"(?:\s*[-–—:|]\s+|\s+)(?=\S)"
_ZONE = (
    r"(?:\s*(?P<zone>UTC[+-]\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}"
    r"|(?:UTC|GMT|Z|BST|CEST|CET|JST|EDT|EST|PDT|PST|local)\b))?"
)
_BULLET = r"^\s*(?:[-*•]\s+)?"
_RACE_BRACKETED = re.compile(
    _BULLET + r"\[(?P<m>\d{1,3}):(?P<s>\d{2})(?:\.(?P<f>\d{1,3}))?\]" + _SEPARATOR
)
_RACE_BARE = re.compile(_BULLET + r"(?P<m>\d):(?P<s>\d{2})(?:\.(?P<f>\d{1,3}))?" + _SEPARATOR)
_WALL = re.compile(
    _BULLET
    + r"(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?!\.\d)(?:\s*(?P<ampm>[ap]\.?m\.?))?"
    + _ZONE
    + _SEPARATOR,
    re.IGNORECASE,
)
_WALL_12H = re.compile(
    _BULLET + r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})\s*(?P<ampm>[ap]\.?m\.?)" + _ZONE + _SEPARATOR,
    re.IGNORECASE,
)


class Stamp(msgspec.Struct, frozen=True, kw_only=True):
    """A parsed stamp.

    Attributes:
        kind: ``race_time`` or ``wall_time``.
        label: the stamp as written.
        ms: race time since the gun, or wall time since midnight, in ms.
        unit_ms: its resolution (1000 for whole seconds, 60000 for minutes).
        utc_offset_min: the zone written with a wall time, in minutes; None: not given.
    """

    kind: Literal["race_time", "wall_time"]
    label: str
    ms: int
    unit_ms: int
    utc_offset_min: int | None = None


def parse_stamp(line: str) -> tuple[Stamp | None, int]:
    """The stamp at the start of ``line`` and how many characters it takes with its separator.

    Returns ``(None, 0)`` when the line does not start with a stamp.
    """
    for pattern in (_RACE_BRACKETED, _WALL_12H, _WALL, _RACE_BARE):
        match = pattern.match(line)
        if match is None:
            continue
        stamp = _race(match) if pattern in (_RACE_BRACKETED, _RACE_BARE) else _wall(match)
        if stamp is not None:
            return stamp, match.end()
    return None, 0


def _race(match: re.Match[str]) -> Stamp | None:
    seconds = int(match["s"])
    if seconds >= 60:
        return None
    fraction = match["f"] or ""
    unit = 10 ** (3 - len(fraction))
    ms = (int(match["m"]) * 60 + seconds) * 1000 + (int(fraction) * unit if fraction else 0)
    label = _label(match)
    return Stamp(kind="race_time", label=label, ms=ms, unit_ms=unit)


def _wall(match: re.Match[str]) -> Stamp | None:
    hour, minute = int(match["h"]), int(match["mi"])
    second = match.groupdict().get("s")
    ampm = (match["ampm"] or "").replace(".", "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59 or (second is not None and int(second) > 59):
        return None
    offset = _zone(match["zone"])
    ms = ((hour * 60 + minute) * 60 + int(second or 0)) * 1000
    unit = 1000 if second is not None else 60_000
    return Stamp(kind="wall_time", label=_label(match), ms=ms, unit_ms=unit, utc_offset_min=offset)


def _zone(zone: str | None) -> int | None:
    if not zone:
        return None
    lowered = zone.lower()
    if lowered in ZONES:
        return ZONES[lowered]
    if lowered == "local":
        return None
    match = re.fullmatch(r"(?:utc)?([+-])(\d{1,2}):?(\d{2})?", lowered)
    if match is None:
        return None
    sign = -1 if match[1] == "-" else 1
    return sign * (int(match[2]) * 60 + int(match[3] or 0))


def _label(match: re.Match[str]) -> str:
    """The stamp as written, without the bullet and separator."""
    text = match.group(0).strip()
    return re.sub(r"^[-*•]\s+", "", text).rstrip("-–—:| ").strip()
