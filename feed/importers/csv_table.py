"""A plain results table (CSV, semicolon- or tab-separated) to a ``ResultsTable``.

The first row that is not blank or a ``#`` comment is the header. Header names are
read liberally (case, spaces and punctuation do not matter, and common synonyms
are known); the cells are read strictly, and every problem is reported by line,
row and column.

| field | headers it is read from |
|---|---|
| place | place, pl, pos, position, rank, rk |
| bib | bib, bib no, no, number, competitor no, id |
| name | name, athlete, competitor, runner (or first name + last name / surname) |
| nation | nation, nat, country, noc, team, club, affiliation, federation |
| time | time, result, mark, performance, finish, final time |
| status | status, irm (DNF, DNS, DQ; a DQ may carry its rule: ``DQ TR17.3.1``) |
| rule | rule, dq rule, infraction |
| reason | reason, remark, comment |
| splits | a distance: 400, 400m, 400 m, split 400, @400 |
| pb, sb | pb, personal best / sb, season best |

A status may also stand in the place or the time column (``DNF``), and a name
written ``NADER, Isaac`` is read as ``Isaac Nader``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator

from feed.importers.table import (
    Cell,
    Problems,
    ResultRow,
    ResultsTable,
    Status,
    decode_text,
    parse_mark,
    parse_result_time,
)

__all__ = ["HEADERS", "read_csv"]

HEADERS: dict[str, tuple[str, ...]] = {
    "place": ("place", "pl", "pos", "position", "rank", "rk", "plc"),
    "bib": ("bib", "bibno", "bibnumber", "no", "number", "num", "competitorno", "id"),
    "name": ("name", "athlete", "competitor", "runner", "fullname", "athletename"),
    "first": ("firstname", "first", "givenname", "forename"),
    "last": ("lastname", "last", "surname", "familyname"),
    "nation": ("nation", "nat", "country", "ctry", "noc", "team", "club", "affiliation",
               "federation", "nationality"),
    "time": ("time", "result", "mark", "perf", "performance", "finish", "finishtime",
             "finaltime", "final"),
    "status": ("status", "irm"),
    "rule": ("rule", "dqrule", "infraction"),
    "reason": ("reason", "remark", "remarks", "comment"),
    "pb": ("pb", "personalbest"),
    "sb": ("sb", "seasonbest", "seasonsbest"),
}  # fmt: skip
_SPLIT_HEADER = re.compile(r"^(?:split)?@?(\d+)(?:m|metres|meters)?(?:split)?$")
_ORDINAL = re.compile(r"^=?(\d+)(?:\.|st|nd|rd|th)?$", re.IGNORECASE)
_NOT_A_MARK = {"", "OK", "FIN", "FINISHED", "Q", "QUALIFIED"}
_DELIMITERS = (",", ";", "\t")


def read_csv(raw: bytes, path: str) -> ResultsTable:
    """Read a results table.

    Raises:
        TableInvalid: every problem found, each located by line, row and column.
    """
    problems = Problems(path)
    lines = _lines(decode_text(raw, path))
    header_at = next(
        (i for i, text in enumerate(lines) if text.strip() and not text.lstrip().startswith("#")),
        None,
    )
    if header_at is None:
        problems.add("expected a header row and results, found an empty table")
        problems.raise_if_any()
    assert header_at is not None
    delimiter = max(_DELIMITERS, key=lines[header_at].count)
    records = _records(lines, header_at, delimiter, problems)
    header_line, header = next(records, (header_at + 1, []))
    columns, ignored = _columns(header, header_line, problems)
    rows: list[ResultRow] = []
    for line, cells in records:
        if not any(cell.strip() for cell in cells) or cells[0].lstrip().startswith("#"):
            continue
        rows.append(
            _row(ResultRow(line=line, row=len(rows) + 1), cells, (header, columns), problems)
        )
    problems.raise_if_any()
    return ResultsTable(path=path, format="csv", rows=rows, ignored_columns=ignored)


def _lines(text: str) -> list[str]:
    """The text's lines with their endings: split on newlines only, as the csv module reads."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _records(
    lines: list[str], start: int, delimiter: str, problems: Problems
) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of each record from ``start``; a record may span quoted newlines."""
    reader = csv.reader(iter(lines[start:]), delimiter=delimiter)
    while True:
        first_line = start + reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.add(f"cannot read this line as a table row: {exc}", line=first_line)
            return
        yield first_line, cells


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9@]", "", header.strip().lower())


def _columns(header: list[str], line: int, problems: Problems) -> tuple[dict[str, int], list[str]]:
    """Field (``"time"``, ``"split:400"`` ...) -> 0-based column; and the columns not used."""
    columns: dict[str, int] = {}
    ignored: list[str] = []
    known = {alias: field for field, aliases in HEADERS.items() for alias in aliases}
    for index, text in enumerate(header):
        normal = _normal(text)
        split = _SPLIT_HEADER.match(normal)
        field = known.get(normal) or (f"split:{int(split.group(1))}" if split else None)
        if field is None:
            if text.strip():
                ignored.append(text.strip())
            continue
        if field in columns:
            first = columns[field] + 1
            problems.add(
                f"column {index + 1} ({text.strip()}) is a second {field!r} column "
                f"(the first is column {first}); keep one",
                line=line,
            )
            continue
        columns[field] = index
    if "name" not in columns and "last" not in columns:
        names = ", ".join(HEADERS["name"] + ("last name",))
        problems.add(f"expected a name column (one of: {names}), found none", line=line)
    if "time" not in columns and "status" not in columns:
        problems.add(
            f"expected a time column (one of: {', '.join(HEADERS['time'])}), found none",
            line=line,
        )
    return columns, ignored


def _row(
    row: ResultRow,
    cells: list[str],
    layout: tuple[list[str], dict[str, int]],
    problems: Problems,
) -> ResultRow:
    """Fill ``row`` from its cells; ``layout`` is the header and the field of each column."""
    header, columns = layout
    row.cells = {field: Cell(index + 1, header[index].strip()) for field, index in columns.items()}
    if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
        message = f"the row has {len(cells)} cells, the header {len(header)}; is a comma unquoted?"
        problems.add(message, row=row)

    def cell(field: str) -> str:
        index = columns.get(field)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    marks: list[tuple[str, Status, str]] = []
    _place(row, cell("place"), marks, problems)
    _bib(row, cell("bib"), problems)
    _name(row, cell("name"), cell("first"), cell("last"))
    row.nation = cell("nation")
    _time(row, cell("time"), marks, problems)
    _status(row, cell("status"), marks, problems)
    row.rule = row.rule or cell("rule")
    row.reason = cell("reason")
    for field in [f for f in columns if f.startswith("split:")]:
        text = cell(field)
        if text:
            ms = _read_time(row, field, text, problems)
            if ms is not None:
                row.splits[int(field.split(":")[1])] = ms
    for field in ("pb", "sb"):
        text = cell(field)
        if text:
            setattr(row, f"{field}_ms", _read_time(row, field, text, problems))
    _settle_status(row, marks, problems)
    return row


def _place(row: ResultRow, text: str, marks: list[tuple[str, Status, str]], p: Problems) -> None:
    if not text:
        return
    number = _ORDINAL.match(text)
    if number is not None:
        row.place = int(number.group(1))
        if row.place == 0:
            p.add("expected a place from 1, found 0", row=row, field="place")
        return
    mark = parse_mark(text)
    if mark is None:
        p.add(f"expected a place (1, 2 ...) or DNF, DNS, DQ, found {text!r}", row=row,
              field="place")  # fmt: skip
        return
    marks.append(("place", *mark))


def _bib(row: ResultRow, text: str, p: Problems) -> None:
    if not text:
        return
    if not (text.isascii() and text.isdecimal()) or int(text) > 99_999:
        p.add(f"expected a bib number from 0 to 99999, found {text!r}", row=row, field="bib")
        return
    row.bib = int(text)


def _name(row: ResultRow, name: str, first: str, last: str) -> None:
    if not name:
        name = f"{first} {last}".strip()
    elif name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        name = f"{given} {family.title() if family.isupper() else family}".strip()
    row.name = " ".join(name.split())


def _time(row: ResultRow, text: str, marks: list[tuple[str, Status, str]], p: Problems) -> None:
    if not text:
        return
    mark = parse_mark(text)
    if mark is not None:
        marks.append(("time", *mark))
        return
    try:
        row.time_ms, row.thousandths = parse_result_time(text)
    except ValueError as exc:
        p.add(str(exc), row=row, field="time")


def _status(row: ResultRow, text: str, marks: list[tuple[str, Status, str]], p: Problems) -> None:
    if text.upper() in _NOT_A_MARK:
        return
    mark = parse_mark(text)
    if mark is None:
        p.add(f"expected DNF, DNS, DQ or nothing, found {text!r}", row=row, field="status")
        return
    marks.append(("status", *mark))


def _settle_status(row: ResultRow, marks: list[tuple[str, Status, str]], p: Problems) -> None:
    """One status for the row, from whichever columns carried one."""
    kinds = {status for _, status, _ in marks}
    if len(kinds) > 1:
        said = ", ".join(f"{status} in {field}" for field, status, _ in marks)
        p.add(f"the row has two different marks ({said}); keep one", row=row, field=marks[1][0])
        return
    if marks:
        _, row.status, _rest = marks[0]
        detail = next((text for _, _, text in marks if text), "")
        if row.status == "DQ":
            row.rule = row.rule or detail
        else:
            row.reason = row.reason or detail


def _read_time(row: ResultRow, field: str, text: str, p: Problems) -> int | None:
    try:
        return parse_result_time(text)[0]
    except ValueError as exc:
        p.add(str(exc), row=row, field=field)
        return None
