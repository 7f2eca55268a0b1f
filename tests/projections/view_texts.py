"""Check every time, gap and clock text a view carries: well formed, and never negative.

The views are walked as JSON (the shape clients get), so a field added later is
checked too: ``clock_text`` and ``clock`` are race clocks (a minus only before the
gun: beside a negative ``clock_ms`` or ``race_ms``), ``gap_text`` a gap (a plus
sign), ``thousandths`` a 1/1000 reading, and ``time`` and every other ``*_text`` a
time to 1/100. Gaps, laps and times in ms are never negative. An empty text means
"nothing to show" and is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import msgspec

__all__ = ["problems"]

_HUNDREDTHS = r"(?:\d+:[0-5]\d:[0-5]\d|[1-9]\d*:[0-5]\d|[1-5]?\d)\.\d{2}"
_PATTERNS = {
    "time": re.compile(rf"{_HUNDREDTHS}"),
    "gap": re.compile(rf"\+{_HUNDREDTHS}"),
    "thousandths": re.compile(r"(?:\d+:[0-5]\d:[0-5]\d|[1-9]\d*:[0-5]\d|[1-5]?\d)\.\d{3}"),
    "clock": re.compile(r"-?\d+:[0-5]\d\.\d"),
}
_NEVER_NEGATIVE = {"gap_ms", "lap_ms", "time_ms", "elapsed_ms", "pb_ms", "sb_ms"}


def _kind(key: str) -> str | None:
    if key in ("clock_text", "clock"):
        return "clock"
    if key == "gap_text":
        return "gap"
    if key == "thousandths":
        return "thousandths"
    if key == "time" or key.endswith("_text"):
        return "time"
    return None


def _objects(value: object, path: str) -> Iterator[tuple[str, dict[str, object]]]:
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _objects(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, f"{path}[{index}]")


def problems(view: object, name: str = "$") -> list[str]:
    """Every malformed or negative text (and negative gap or lap) in ``view``, with its path."""
    found: list[str] = []
    for path, fields in _objects(msgspec.to_builtins(view), name):
        before_gun = any(
            isinstance(fields.get(key), int) and fields[key] < 0  # type: ignore[operator]
            for key in ("clock_ms", "race_ms")
        )
        for key, value in fields.items():
            kind = _kind(key)
            if kind is not None and isinstance(value, str) and value:
                if not _PATTERNS[kind].fullmatch(value):
                    found.append(f"{path}.{key} = {value!r} is not a {kind}")
                elif value.startswith("-") and not before_gun:
                    found.append(f"{path}.{key} = {value!r} is negative after the gun")
            if key in _NEVER_NEGATIVE and isinstance(value, int) and value < 0:
                found.append(f"{path}.{key} = {value} is negative")
    return found
