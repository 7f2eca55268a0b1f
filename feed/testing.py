"""Compare what a client shows with the reference projection, and say readably where they differ.

A client under test keeps its own idea of the result table and the medal table, in
whatever shape it likes. Hand its rows over as mappings (or objects with
attributes) carrying the compared fields, and these helpers line them up with the
reference, row by row::

    assert_standings(my_client.rows, reference.standings())

    AssertionError: standings differ from the reference (as of seq 231) in 2 rows:
      row  field       client         reference      reference row
      1    athlete_id  wightman-jake  nader-isaac    place 1, Isaac Nader
      2    athlete_id  nader-isaac    wightman-jake  place 2, Jake Wightman

Mid-race the reference also holds athletes still running and non-finishers; hand
``finishers(reference.standings())`` over to compare only the placed rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from feed.projections.views import MedalRow, MedalTable, StandingRow, Standings

__all__ = [
    "MEDAL_FIELDS",
    "STANDINGS_FIELDS",
    "assert_medals",
    "assert_standings",
    "finishers",
    "medals_diff",
    "standings_diff",
]

STANDINGS_FIELDS = ("place", "athlete_id", "time", "mark")
MEDAL_FIELDS = ("rank", "nation", "gold", "silver", "bronze")

_Row = Mapping[str, object] | object
_R = TypeVar("_R")


def finishers(standings: Standings | Sequence[_R]) -> list[_R] | list[StandingRow]:
    """Only the rows with a place (the finishers), in order: what a results list shows.

    Takes the reference ``Standings`` or any rows (mappings or objects with a ``place``).
    """
    if isinstance(standings, Standings):
        return [row for row in standings.rows if row.place is not None]
    return [row for row in standings if _field(row, "place") not in (None, _MISSING)]


def standings_diff(
    actual: Sequence[_Row],
    expected: Standings | Sequence[StandingRow],
    fields: Sequence[str] = STANDINGS_FIELDS,
) -> list[str]:
    """The differences between a client's result rows and the reference, as table lines."""
    return _diff(actual, expected.rows if isinstance(expected, Standings) else expected, fields)


def medals_diff(
    actual: Sequence[_Row],
    expected: MedalTable | Sequence[MedalRow],
    fields: Sequence[str] = MEDAL_FIELDS,
) -> list[str]:
    """The differences between a client's medal rows and the reference, as table lines."""
    return _diff(actual, expected.rows if isinstance(expected, MedalTable) else expected, fields)


def assert_standings(
    actual: Sequence[_Row],
    expected: Standings | Sequence[StandingRow],
    fields: Sequence[str] = STANDINGS_FIELDS,
) -> None:
    """Fail with a readable table when the client's result rows differ from the reference.

    Args:
        actual: the client's rows (mappings or objects with the compared fields).
        expected: the reference ``Standings``, or just the rows to hold the client to.
        fields: the fields compared, row by row.
    """
    lines = standings_diff(actual, expected, fields)
    if lines:
        head = "standings differ from the reference"
        if isinstance(expected, Standings):
            head += f" (as of seq {expected.as_of_seq})"
        raise AssertionError(_report(head, lines))


def assert_medals(
    actual: Sequence[_Row],
    expected: MedalTable | Sequence[MedalRow],
    fields: Sequence[str] = MEDAL_FIELDS,
) -> None:
    """Fail with a readable table when the client's medal rows differ from the reference."""
    lines = medals_diff(actual, expected, fields)
    if lines:
        raise AssertionError(_report("the medal table differs from the reference", lines))


def _diff(actual: Sequence[_Row], expected: Sequence[object], fields: Sequence[str]) -> list[str]:
    rows: list[tuple[str, str, str, str, str]] = []
    for index in range(max(len(actual), len(expected))):
        mine = actual[index] if index < len(actual) else None
        theirs = expected[index] if index < len(expected) else None
        for name in fields:
            got = _field(mine, name)
            want = _field(theirs, name)
            if got != want:
                who = _who(theirs)
                rows.append((str(index + 1), name, _show(got, mine), _show(want, theirs), who))
    if not rows:
        return []
    table = [("row", "field", "client", "reference", "reference row"), *rows]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in table]  # fmt: skip


def _field(row: object, name: str) -> object:
    if row is None:
        return _MISSING
    if isinstance(row, Mapping):
        return row.get(name, _MISSING)
    return getattr(row, name, _MISSING)


def _who(row: object) -> str:
    """The reference row in words (``"place 1, Isaac Nader"``), so a diff names who it is."""
    if row is None:
        return "(no row)"
    parts = []
    for label, key in (("place", "place"), ("rank", "rank")):
        value = _field(row, key)
        if value is not None and value is not _MISSING:
            parts.append(f"{label} {value}")
    mark = _field(row, "mark")
    if isinstance(mark, str):
        parts.append(mark)
    for key in ("name", "nation"):
        value = _field(row, key)
        if isinstance(value, str):
            parts.append(value)
            break
    return ", ".join(parts)


def _show(value: object, row: object) -> str:
    if row is None:
        return "(no row)"
    if value is _MISSING:
        return "(no field)"
    return "None" if value is None else str(value)


def _report(head: str, lines: list[str]) -> str:
    count = len(lines) - 1
    return f"{head} in {count} field{'s' if count != 1 else ''}:\n  " + "\n  ".join(lines)


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


_MISSING = _Missing()
