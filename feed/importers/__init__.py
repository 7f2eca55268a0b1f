"""Results from timing and results systems, to scenarios (pure: bytes in, text out).

::

    table = read_table(raw, "results.csv")                 # ResultsTable, or TableInvalid
    text = scenario_text(table, RaceDetails(scenario_id="paris-2024-m800-final"))

One module per format, each reading the bytes it is given (the command line reads
the file): ``csv_table`` (a plain results table) and ``lif`` (the FinishLynx result
file). ``scenario`` turns any of them into a scenario with every invented value
marked synthetic. Errors are ``TableInvalid``, every problem located by line, row
and column.
"""

from __future__ import annotations

from collections.abc import Callable

from feed.errors import TableError, TableInvalid
from feed.importers.csv_table import read_csv
from feed.importers.lif import read_lif
from feed.importers.scenario import RaceDetails, distance_of, scenario_text
from feed.importers.table import ResultRow, ResultsTable, check_table

__all__ = [
    "FORMATS",
    "RaceDetails",
    "ResultRow",
    "ResultsTable",
    "check_table",
    "distance_of",
    "format_of",
    "read_table",
    "scenario_text",
]

FORMATS: dict[str, Callable[[bytes, str], ResultsTable]] = {"csv": read_csv, "lif": read_lif}
_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".lif": "lif"}


def format_of(path: str) -> str | None:
    """The format a file name suggests (``.csv``, ``.tsv``, ``.txt`` -> csv; ``.lif``)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1].lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    return _SUFFIXES.get(suffix)


def read_table(raw: bytes, path: str, fmt: str | None = None) -> ResultsTable:
    """Read a results table in ``fmt`` (by default, the one its name suggests).

    Raises:
        TableInvalid: an unknown format, or every problem in the table, located.
    """
    chosen = fmt or format_of(path)
    if chosen not in FORMATS:
        known = ", ".join(FORMATS)
        message = f"cannot tell the format from the file name: give one of {known} (--format)"
        if fmt is not None:
            message = f"unknown format {fmt!r}: expected one of {known}"
        raise TableInvalid([TableError(path, message)])
    return FORMATS[chosen](raw, path)
