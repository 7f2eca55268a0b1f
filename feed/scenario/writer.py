"""Writing scenario TOML: values, keys, commented lines, ids and event names (pure).

The builder, ``racefeed new`` and the results importers all write scenario files
by hand rather than through a TOML library, so that the files keep the layout and
comments of the documented format (``docs/scenario-format.md``)::

    lines = ["[race]", line("distance_m", 800, "metres"), ...]
    text = "\\n".join(lines) + "\\n"
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["Inline", "Raw", "athlete_id", "event_name", "key", "line", "pairs", "value"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_COMMENT_COLUMN = 40  # where comments start, when the line leaves room


class Raw(str):
    """A TOML value written as it is (a date-time, say)."""

    __slots__ = ()


class Inline(dict[str, object]):
    """A TOML inline table: ``{ at_m = 700, reason = "fell" }``."""


def value(item: object) -> str:
    """Write one value as TOML.

    Raises:
        TypeError: a value TOML cannot hold.
    """
    match item:
        case Raw():
            return str(item)
        case bool():
            return "true" if item else "false"
        case int() | float():
            return repr(item)
        case str():
            return _string(item)
        case Inline():
            return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in item.items()) + " }"
        case list():
            return "[" + ", ".join(value(entry) for entry in item) + "]"
        case _:
            raise TypeError(f"cannot write {item!r} as TOML")


def key(name: str) -> str:
    """A key, bare when it can be, quoted otherwise."""
    return name if _BARE_KEY.fullmatch(name) else _string(name)


def line(name: str, item: object, comment: str = "") -> str:
    """``name = value``, with ``# comment`` lined up after it when there is one."""
    text = f"{key(name)} = {value(item)}"
    if not comment:
        return text
    return f"{text.ljust(_COMMENT_COLUMN - 1)} # {comment}"


def pairs(table: dict[str, object]) -> list[str]:
    """Every entry of ``table`` as a ``key = value`` line, in order."""
    return [line(name, item) for name, item in table.items()]


def athlete_id(name: str) -> str:
    """``"Isaac Nader"`` -> ``"nader-isaac"``, as the built-in scenarios name athletes."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return "-".join(words[-1:] + words[:-1]) or "athlete"


def event_name(distance_m: int) -> str:
    """The event's name for a distance: ``"800 metres"``, ``"10,000 metres"``."""
    return f"{distance_m:,} metres"


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    escaped = "".join(
        f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char for char in escaped
    )
    return f'"{escaped}"'
