"""Reading a plain results table: liberal about headers, strict and located about cells."""

from __future__ import annotations

import pytest

from feed.errors import TableError, TableInvalid
from feed.importers import read_table
from feed.importers.csv_table import read_csv


def errors(text: str | bytes) -> list[TableError]:
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(TableInvalid) as caught:
        read_csv(raw, "results.csv")
    return caught.value.errors


def test_headers_are_read_whatever_their_case_spacing_or_synonym() -> None:
    """Pos / Bib No. / ATHLETE / Country / Result / Split 400 all find their field."""
    table = read_csv(
        b"Pos,Bib No.,ATHLETE,Country,Split 400,Result\n1,7,Ann Example,GBR,58.2,2:01.50\n",
        "results.csv",
    )
    [row] = table.rows
    assert (row.place, row.bib, row.name, row.nation) == (1, 7, "Ann Example", "GBR")
    assert (row.time_ms, row.thousandths, row.splits) == (121_500, False, {400: 58_200})


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_semicolon_and_tab_tables_are_read_too(delimiter: str) -> None:
    """Spreadsheets in many locales write semicolons; copies from web pages, tabs."""
    text = (
        delimiter.join(["place", "name", "time"]) + "\n" + delimiter.join(["1", "A B", "3:27,65"])
    )
    [row] = read_csv(text.encode(), "results.csv").rows
    assert row.time_ms == 207_650


def test_last_comma_first_names_are_turned_round() -> None:
    """``NADER, Isaac`` is Isaac Nader, as results lists write it."""
    [row] = read_csv(b'name,time\n"NADER, Isaac",3:34.10\n', "r.csv").rows
    assert row.name == "Isaac Nader"


def test_first_and_last_name_columns_make_the_name() -> None:
    """A table with first name and surname columns needs no name column."""
    [row] = read_csv(b"first name,surname,time\nAnn,Example,4:00.1\n", "r.csv").rows
    assert row.name == "Ann Example"


@pytest.mark.parametrize(
    ("cells", "status", "rule"),
    [
        ("DNF,,", "DNF", ""),
        (",DNS,", "DNS", ""),
        (",,DQ TR17.3.1", "DQ", "TR17.3.1"),
        (",,DSQ", "DQ", ""),
    ],
)
def test_a_mark_may_stand_in_the_place_time_or_status_column(
    cells: str, status: str, rule: str
) -> None:
    """DNF in the place column, DNS as the time, DQ with its rule as the status."""
    place, time, mark = cells.split(",")
    text = f"place,name,time,status\n{place},Ann,{time},{mark}\n"
    [row] = read_csv(text.encode(), "r.csv").rows
    assert (row.status, row.rule) == (status, rule)


def test_a_bad_time_is_reported_at_its_line_row_and_column() -> None:
    """The message says where, what was found and what was expected."""
    [error] = errors("# a comment\nplace,name,time\n1,Ann,3:34.10\n2,Bea,3:3x.20\n")
    assert (error.line, error.row, error.column, error.column_name) == (4, 2, 3, "time")
    assert "expected a time like 3:34.10" in error.message and "'3:3x.20'" in error.message
    assert error.format().startswith("results.csv:4: row 2, column 3 (time): ")


def test_every_bad_cell_is_reported_not_only_the_first() -> None:
    """A damaged table gets all its problems at once."""
    found = errors("place,bib,name,time\nx,7,Ann,3:34.10\n2,abc,Bea,3:35.00\n3,9,,zz\n")
    assert [(e.row, e.column_name) for e in found] == [(1, "place"), (2, "bib"), (3, "time")]


def test_a_table_without_a_name_column_says_which_headers_it_knows() -> None:
    """A missing column is reported at the header line."""
    [error] = errors("place,who,time\n1,Ann,3:34.10\n")
    assert error.line == 1 and "expected a name column" in error.message


def test_an_empty_file_is_an_error_not_a_crash() -> None:
    """Nothing but blank lines and comments: said so."""
    [error] = errors("\n# nothing\n\n")
    assert "empty table" in error.message


def test_a_row_with_more_cells_than_the_header_is_reported() -> None:
    """An unquoted comma inside a name shifts every later cell."""
    found = errors("name,time\nNader, Isaac,3:34.10\n")
    assert any(e.row == 1 and "unquoted" in e.message for e in found), found


def test_windows_1252_text_is_read() -> None:
    """A spreadsheet saved on Windows: ø is one byte, not UTF-8."""
    [row] = read_csv("name,time\nNordås,3:29.68\n".encode("cp1252"), "r.csv").rows
    assert row.name == "Nordås"


def test_the_format_comes_from_the_file_name_and_an_unknown_one_is_refused() -> None:
    """``.csv`` and ``.lif`` are known; anything else must be named."""
    assert read_table(b"name,time\nAnn,59.0\n", "x.csv").format == "csv"
    with pytest.raises(TableInvalid, match="--format"):
        read_table(b"", "x.xlsx")
