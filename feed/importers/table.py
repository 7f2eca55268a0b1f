"""A results table as every importer reads it: rows of results, each cell located.

Importers turn a file's bytes into a ``ResultsTable``; ``scenario.scenario_text``
turns the table into a scenario. Between them sit the checks that do not depend on
the format (``check_table``): places agree with times, one row per bib, splits
that increase and could have been run. Every problem is collected, located by line,
row and column, and raised together as ``TableInvalid``.
"""

from __future__ import annotations

import re
from typing import Literal, TypeAlias

import msgspec

from feed.errors import TableError, TableInvalid
from feed.scenario.validate import MAX_SPEED_M_PER_S, MAX_TIME_MS
from feed.timing import format_time, parse_time

__all__ = [
    "Cell",
    "Problems",
    "ResultRow",
    "ResultsTable",
    "Status",
    "check_table",
    "decode_text",
    "parse_mark",
    "parse_result_time",
]

Status: TypeAlias = Literal["DNF", "DNS", "DQ"]

_STATUS_WORDS: dict[str, Status] = {
    "DNF": "DNF", "DNS": "DNS", "DQ": "DQ", "DSQ": "DQ", "DISQ": "DQ",
    "DID NOT FINISH": "DNF", "DID NOT START": "DNS", "DISQUALIFIED": "DQ",
}  # fmt: skip
_EUROPEAN = re.compile(r"^(\d+)\.(\d\d)[.,](\d+)$")  # 3.27,65 or 3.27.65: minutes.seconds,fraction
_TRAILING_NOTES = re.compile(r"^(\S+)(\s+[A-Za-z=*#()]+.*)?$")  # "3:27.65 OR", "3:31.72 Q"


class Cell(msgspec.Struct, frozen=True):
    """Where a value came from: 1-based column and that column's name."""

    column: int
    name: str


class ResultRow(msgspec.Struct, kw_only=True):
    """One athlete's line of the table, as read (nothing invented yet).

    Attributes:
        line: the file line the row starts on.
        row: the row's number among the result rows (1-based).
        cells: where each field came from (``"time"``, ``"place"``, ``"split:400"`` ...).
        thousandths: the time was given to 1/1000, so it is a reading, not a rounding.
    """

    line: int
    row: int
    cells: dict[str, Cell] = {}
    place: int | None = None
    bib: int | None = None
    name: str = ""
    nation: str = ""
    time_ms: int | None = None
    thousandths: bool = False
    splits: dict[int, int] = {}
    status: Status | None = None
    rule: str = ""
    reason: str = ""
    pb_ms: int | None = None
    sb_ms: int | None = None


class ResultsTable(msgspec.Struct, kw_only=True):
    """What an importer read: the rows, and whatever the file says about the race."""

    path: str
    format: str
    rows: list[ResultRow]
    event: str | None = None
    distance_m: int | None = None
    start_time: str | None = None  # time of day of the gun, HH:MM:SS(.fff), when the file has it
    ignored_columns: list[str] = []


class Problems:
    """Collects located problems of one file; ``raise_if_any`` raises them all."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[TableError] = []

    def add(self, message: str, *, line: int | None = None, row: ResultRow | None = None,
            field: str | None = None) -> None:  # fmt: skip
        """Record a problem, at ``row``'s cell for ``field`` when both are given."""
        cell = row.cells.get(field) if row is not None and field is not None else None
        self.errors.append(
            TableError(
                self.path,
                message,
                line=line if line is not None else (row.line if row is not None else None),
                row=row.row if row is not None else None,
                column=cell.column if cell is not None else None,
                column_name=cell.name if cell is not None else None,
            )
        )

    def raise_if_any(self) -> None:
        """Raise ``TableInvalid`` with every problem recorded so far."""
        if self.errors:
            raise TableInvalid(self.errors)


def decode_text(raw: bytes, path: str) -> str:
    """A table's text: UTF-8 (with or without BOM), else Windows-1252 as spreadsheets write it.

    Raises:
        TableInvalid: neither, located at the first byte that fits no encoding.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = f"expected UTF-8 or Windows-1252 text, found byte 0x{raw[exc.start]:02x}"
        raise TableInvalid([TableError(path, message, line=line)]) from None


def parse_mark(text: str) -> tuple[Status, str] | None:
    """A status mark and what follows it: ``"DQ TR17.3.1"`` -> ``("DQ", "TR17.3.1")``."""
    upper = text.strip().upper()
    for word in sorted(_STATUS_WORDS, key=len, reverse=True):
        if upper == word or upper.startswith((word + " ", word + "(")):
            rest = text.strip()[len(word) :].strip().strip("()").strip()
            return _STATUS_WORDS[word], rest
    return None


def parse_result_time(text: str) -> tuple[int, bool]:
    """A time as results tables write it: ms, and whether it was given to 1/1000.

    Takes ``3:34.10``, ``3:34.101``, ``59.5``, ``1:02:03.4``, a decimal comma
    (``3:27,65``), the dotted European form (``3.27,65``) and notes after the time
    (``3:27.65 OR``, ``3:31.72 Q``).

    Raises:
        ValueError: with the expected form.
    """
    match = _TRAILING_NOTES.match(text.strip())
    token = match.group(1) if match is not None else text.strip()
    european = _EUROPEAN.match(token)
    if european is not None:
        token = f"{european.group(1)}:{european.group(2)}.{european.group(3)}"
    token = token.replace(",", ".")
    fraction = token.rsplit(".", 1)[1] if "." in token else ""
    try:
        ms = parse_time(token)
    except ValueError:
        raise ValueError(f"expected a time like 3:34.10 or 59.5, found {text.strip()!r}") from None
    return ms, len(fraction) == 3


def check_table(table: ResultsTable, distance_m: int) -> None:
    """The checks every format needs before a table can become a scenario.

    Raises:
        TableInvalid: with every problem, each at its row and column.
    """
    problems = Problems(table.path)
    if not table.rows:
        problems.add("expected at least one result row, found none")
    bibs: dict[int, ResultRow] = {}
    for row in table.rows:
        _check_row(row, distance_m, problems)
        if row.bib is not None:
            first = bibs.setdefault(row.bib, row)
            if first is not row:
                problems.add(f"bib {row.bib} is also on row {first.row}", row=row, field="bib")
    _check_places(table.rows, problems)
    problems.raise_if_any()


def _check_row(row: ResultRow, distance_m: int, problems: Problems) -> None:
    if not row.name.strip():
        problems.add("expected the athlete's name, found an empty cell", row=row, field="name")
    if row.status is None and row.time_ms is None:
        message = "expected a finish time, or DNF, DNS or DQ in the status, found neither"
        problems.add(message, row=row, field="time")
    if row.status in ("DNF", "DNS") and row.time_ms is not None:
        shown = format_time(row.time_ms)
        message = f"a {row.status} has no finish time, found {shown}; leave the time empty"
        problems.add(message, row=row, field="time")
    if row.status == "DNS" and row.splits:
        problems.add("an athlete who did not start has no splits", row=row, field="status")
    if row.status is not None and row.place is not None:
        message = f"a {row.status} has no place, found {row.place}; leave the place empty"
        problems.add(message, row=row, field="place")
    points = sorted(row.splits.items())
    if row.time_ms is not None:
        points.append((distance_m, row.time_ms))
    last_m = last_ms = 0
    for metres, ms in points:
        field = "time" if metres == distance_m and ms == row.time_ms else f"split:{metres}"
        what = "the finish" if field == "time" else f"the {metres} m split"
        if metres >= distance_m and field != "time":
            message = f"a split at {metres} m is at or beyond the race distance ({distance_m} m)"
            problems.add(message, row=row, field=field)
            continue
        if ms >= MAX_TIME_MS:
            problems.add(f"{what} is not under 24 hours", row=row, field=field)
            return
        if ms <= last_ms:
            before = "the gun" if last_m == 0 else f"the {last_m} m split"
            shown = format_time(ms, thousandths=True)
            problems.add(f"{what} ({shown}) is not later than {before}", row=row, field=field)
            return
        speed = (metres - last_m) / ((ms - last_ms) / 1000)
        if speed > MAX_SPEED_M_PER_S:
            message = (
                f"{what} means {metres - last_m} m in {format_time(ms - last_ms)} "
                f"({speed:.1f} m/s); expected at most {MAX_SPEED_M_PER_S:g} m/s: is the "
                "distance right?"
            )
            problems.add(message, row=row, field=field)
            return
        last_m, last_ms = metres, ms


def _check_places(rows: list[ResultRow], problems: Problems) -> None:
    """Places run 1, 2, 3 ... in time order; a dead heat shares one and skips the next."""
    placed = [r for r in rows if r.place is not None and r.time_ms is not None]
    if not placed:
        return
    placed.sort(key=lambda r: (r.place or 0, r.row))
    previous: ResultRow | None = None
    for index, row in enumerate(placed):
        assert row.place is not None and row.time_ms is not None
        if previous is not None and previous.time_ms is not None:
            if row.place == previous.place and row.time_ms != previous.time_ms:
                message = (
                    f"place {row.place} is shared with row {previous.row}, but the times differ "
                    f"({format_time(previous.time_ms, thousandths=True)} and "
                    f"{format_time(row.time_ms, thousandths=True)}); a dead heat has one time"
                )
                problems.add(message, row=row, field="place")
            elif row.time_ms < previous.time_ms:
                message = (
                    f"place {row.place} in {format_time(row.time_ms, thousandths=True)} is "
                    f"faster than place {previous.place} (row {previous.row}) in "
                    f"{format_time(previous.time_ms, thousandths=True)}"
                )
                problems.add(message, row=row, field="time")
        expected = 1 if previous is None or row.place != previous.place else previous.place
        if previous is not None and row.place != previous.place:
            expected = index + 1
        if row.place != expected:
            message = (
                f"expected place {expected} here (places run 1, 2, 3 ..., a dead heat shares "
                f"one and skips the next), found {row.place}"
            )
            problems.add(message, row=row, field="place")
        previous = row
