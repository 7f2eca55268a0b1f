"""A FinishLynx ``.lif`` result file to a ``ResultsTable``.

FinishLynx, the photo-finish system at most track meetings, writes one ``.lif`` file
per heat when the operator saves the results ("Lynx Interface File"; see
https://finishlynx.com/file-formats-meet-manager/ and the online manual's Database
pages). It is comma-separated text, quoted where a field holds a comma:

- line 1, the heat: event number, round, heat, event name, wind, wind unit, then
  fields FinishLynx leaves undocumented here, the distance (10th field) and the
  start time of day (11th, ``HH:MM:SS.fff``);
- one line per competitor: place, ID, lane, last name, first name, affiliation,
  time, then license, delta time, reaction time and split fields as configured.

The place is a number, or a code for athletes without one (DNF, DNS, DQ; DSQ is
read as DQ). The ID is the competitor's number in the meet database, which is the
bib. The affiliation is taken as the nation. Only what the layout documents is
read: the split fields' layout depends on the meet's configuration and is not
published, so splits come from a CSV table, not from a ``.lif``. A ``.lif`` has no
rule for a disqualification.
"""

from __future__ import annotations

import csv
import re

from feed.importers.table import (
    Cell,
    Problems,
    ResultRow,
    ResultsTable,
    decode_text,
    parse_mark,
    parse_result_time,
)

__all__ = ["RESULT_FIELDS", "read_lif"]

RESULT_FIELDS = ("place", "ID", "lane", "last name", "first name", "affiliation", "time")
_FIELD_OF = {"place": "place", "ID": "bib", "last name": "name", "affiliation": "nation",
             "time": "time"}  # fmt: skip
_START = re.compile(r"^\d{1,2}:\d\d:\d\d(?:\.\d{1,3})?$", re.ASCII)
_SKIPPED_PLACES = {"SCR", "NT"}  # scratched or no time: not in the race; left out


def read_lif(raw: bytes, path: str) -> ResultsTable:
    """Read a FinishLynx result file.

    Raises:
        TableInvalid: every problem found, each located by line, row and field.
    """
    problems = Problems(path)
    text = decode_text(raw, path)
    lines = [part + "\n" for part in text.split("\n")]
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(iter(lines))
    while True:
        line = reader.line_num + 1
        try:
            records.append((line, next(reader)))
        except StopIteration:
            break
        except csv.Error as exc:
            problems.add(f"cannot read this line as comma-separated fields: {exc}", line=line)
            break
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        problems.add("expected a heat line and result lines, found an empty file")
        problems.raise_if_any()
    table = ResultsTable(path=path, format="lif", rows=[])
    _heat(records[0], table, problems)
    for line, cells in records[1:]:
        row = _result(line, len(table.rows) + 1, cells, problems)
        if row is not None:
            table.rows.append(row)
    problems.raise_if_any()
    return table


def _heat(record: tuple[int, list[str]], table: ResultsTable, problems: Problems) -> None:
    line, cells = record
    if len(cells) < 4 or not all(_number(cell.strip()) for cell in cells[:3]):
        problems.add(
            "expected the heat line first: event number, round, heat, event name, ... "
            f"(found {','.join(cells)[:60]!r})",
            line=line,
        )
        return
    table.event = cells[3].strip() or None
    distance = cells[9].strip() if len(cells) > 9 else ""
    if distance:
        if _number(distance) and int(distance) > 0:
            table.distance_m = int(distance)
        else:
            problems.add(f"field 10 (distance): expected metres, found {distance!r}", line=line)
    start = cells[10].strip() if len(cells) > 10 else ""
    if start:
        if _START.match(start) and _valid_time_of_day(start):
            table.start_time = start
        else:
            message = f"field 11 (start time): expected HH:MM:SS.fff, found {start!r}"
            problems.add(message, line=line)


def _result(line: int, number: int, cells: list[str], problems: Problems) -> ResultRow | None:
    cells = cells + [""] * (len(RESULT_FIELDS) - len(cells))
    row = ResultRow(line=line, row=number)
    row.cells = {
        field: Cell(index + 1, name)
        for index, name in enumerate(RESULT_FIELDS)
        if (field := _FIELD_OF.get(name)) is not None
    }
    place, bib, _lane, last, first, affiliation, time = (c.strip() for c in cells[:7])
    if place.upper() in _SKIPPED_PLACES:
        return None
    if _number(place) and int(place) > 0:
        row.place = int(place)
    elif place:
        mark = parse_mark(place)
        if mark is None:
            message = f"expected a place (1, 2 ...) or DNF, DNS, DQ, found {place!r}"
            problems.add(message, row=row, field="place")
        else:
            row.status, detail = mark
            row.rule = detail if row.status == "DQ" else ""
            row.reason = detail if row.status != "DQ" else ""
    if bib:
        if _number(bib) and int(bib) <= 99_999:
            row.bib = int(bib)
        else:
            message = f"expected a competitor number from 0 to 99999, found {bib!r}"
            problems.add(message, row=row, field="bib")
    row.name = " ".join(f"{first} {last}".split())
    row.nation = affiliation
    time_mark = parse_mark(time) if time else None
    if time_mark is not None:
        if row.status is None and row.place is None:  # the code written in the time field
            row.status, detail = time_mark
            row.rule = detail if row.status == "DQ" else ""
    elif time:
        try:
            row.time_ms, row.thousandths = parse_result_time(time)
        except ValueError as exc:
            problems.add(str(exc), row=row, field="time")
    return row


def _number(text: str) -> bool:
    """Digits 0-9 only (``isdigit`` also takes ``²``, which ``int`` refuses)."""
    return text.isascii() and text.isdecimal()


def _valid_time_of_day(text: str) -> bool:
    clock = text.split(".", 1)[0]
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours < 24 and minutes < 60 and seconds < 60
