"""Fuzzing the results importers: damaged tables, and what importing them must give.

Mutations start from real tables (the Paris 800 m final as CSV and as a FinishLynx
file, and a club race with every kind of row) so that they reach past the header:
lines dropped, doubled, swapped or cut short, cells replaced, bytes flipped (the
same damage as the scenario fuzzing, ``scenariofuzz.damage_text``). ``judge`` imports
the result the way ``racefeed import`` does and allows only a scenario that validates
and compiles, or located errors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from hypothesis import strategies as st

from feed.errors import TableInvalid
from feed.importers import RaceDetails, read_table, scenario_text
from feed.projections import project
from feed.scenario import RaceSpec, compile_race, parse_scenario
from tests.fuzz.scenariofuzz import Damaged, damage_text

ROOT: Final = Path(__file__).resolve().parents[2]
_EXAMPLES = ROOT / "docs" / "examples" / "results"
CLUB: Final = (
    "Pos;Bib;Athlete;Club;400 m;800 m;Time;Status;Rule\n"
    "1;11;NADER, Isaac;POR;58.91;1:58.20;3:34,10;;\n"
    "2;12;Jake Wightman;GBR;59.00;1:58.31;3:34.12;;\n"
    "=3;13;Ann Example;GBR;;;3:35.001;;\n"
    "=3;14;Bea Sample;KEN;;;3:35.001;;\n"
    ";15;Cat Muster;GER;60.10;;;DNF;\n"
    ";16;Dot Voorbeeld;NED;;;3:36.00;DQ;TR17.3.1\n"
    ";17;Eve Exemplo;BRA;;;;DNS;\n"
)
SOURCES: Final = {
    "paris.csv": (_EXAMPLES / "paris-2024-m800-final.csv").read_text(),
    "paris.lif": (_EXAMPLES / "paris-2024-m800-final.lif").read_text(),
    "club.csv": CLUB,
}
_CELLS: Final = [
    "", "0", "-1", "1e400", "DNF", "DQ", "DSQ x", "3:29.99", "59.5", "99999999999", "abc",
    "25:00:00", "9:05:00.1", "19:05:00.000", "²", "٣",
    '"', '""', "1:70.00", "0.001", "4:00:00:00", "=", "1st", "SCR", "\x00", ",", ";", "\t",
]  # fmt: skip


def _cell(draw: st.DrawFn, line: str) -> str:
    separator = ";" if line.count(";") > line.count(",") else ","
    cells = line.rstrip("\n").split(separator)
    cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(_CELLS))
    return separator.join(cells) + "\n"


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, Damaged]:
    """A real table with a few lines or cells damaged: (its name, its bytes)."""
    name = draw(st.sampled_from(sorted(SOURCES)))
    return name, damage_text(draw, SOURCES[name], _cell)


def judge(name: str, raw: bytes) -> str:
    """Import ``raw`` as ``name``: ``"imported"`` (valid, compiled) or ``"invalid"`` (located).

    Raises:
        AssertionError: an error that does not say where, a scenario that does not
            validate, or any exception that is not a ``TableInvalid``.
    """
    distance = {"club.csv": 1500, "paris.csv": 800}.get(name)  # a .lif says its own
    details = RaceDetails(scenario_id="fuzzed-race", distance_m=distance)
    try:
        text = scenario_text(read_table(raw, name), details)
    except TableInvalid as exc:
        assert exc.errors, "TableInvalid without errors"
        lines = max(1, raw.count(b"\n") + 1)
        for error in exc.errors:
            assert error.path == name and error.message, error
            assert error.line is None or 1 <= error.line <= lines, error
            assert error.row is None or error.row >= 1, error
            assert error.line is not None or _whole_file(error.message), error.format()
        return "invalid"
    spec = parse_scenario(text, "fuzzed-race.toml")  # must not raise: the import checked it all
    assert isinstance(spec, RaceSpec)
    project(compile_race(spec)).standings()
    return "imported"


def _whole_file(message: str) -> bool:
    return any(
        phrase in message
        for phrase in ("empty", "distance", "at least one result row", "athletes placed apart")
    )
