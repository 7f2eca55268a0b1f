"""Damaged results tables never give a traceback: a valid scenario, or located errors.

Each source table is damaged a few thousand ways a run (``FILES_PER_EXAMPLE`` files in
each of ``EXAMPLES`` hypothesis examples); the last test checks the counts.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from feed.cli import main
from tests.fuzz.importfuzz import Damaged, judge, tables
from tests.fuzz.scenariofuzz import fuzz_settings

FILES_PER_EXAMPLE = 20
EXAMPLES = 300  # 6,000 damaged tables
_TALLY: Counter[str] = Counter()


@fuzz_settings(EXAMPLES)
@given(batch=st.lists(tables(), min_size=FILES_PER_EXAMPLE, max_size=FILES_PER_EXAMPLE))
def test_a_damaged_table_imports_to_a_valid_scenario_or_says_where_it_is_wrong(
    batch: list[tuple[str, Damaged]],
) -> None:
    """CSV and FinishLynx tables, damaged: a scenario that validates, or located errors."""
    for name, raw in batch:
        _TALLY[f"{name} {judge(name, raw)}"] += 1


@fuzz_settings(40)
@given(table=tables())
def test_racefeed_import_answers_damage_with_an_exit_code_not_a_traceback(
    table: tuple[str, Damaged],
) -> None:
    """Exit 0 with a file written, or 1 with the table named on stderr and nothing written."""
    name, raw = table
    with tempfile.TemporaryDirectory(prefix="racefeed-import-fuzz-") as folder:
        source = Path(folder) / name
        source.write_bytes(raw)
        output = Path(folder) / "fuzzed-race.toml"
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["import", str(source), "-o", str(output), "--distance", "800"])
        said = err.getvalue()
        assert "Traceback" not in said
        assert (code == 0) == output.exists(), said
        if code != 0:
            assert code == 1 and str(source) in said, said
        _TALLY[f"cli exit {code}"] += 1


def test_every_table_was_damaged_thousands_of_ways_with_both_outcomes() -> None:
    """Over 1,500 tables per source; some imported and some refused."""
    if sum(_TALLY.values()) < 1000:  # run on its own: fuzz first
        test_a_damaged_table_imports_to_a_valid_scenario_or_says_where_it_is_wrong()
    print(f"importer fuzz tally: {dict(sorted(_TALLY.items()))}")
    for name in ("paris.csv", "paris.lif", "club.csv"):
        total = _TALLY[f"{name} imported"] + _TALLY[f"{name} invalid"]
        assert total >= 1500, _TALLY
        assert _TALLY[f"{name} imported"] > 0 and _TALLY[f"{name} invalid"] > 0, _TALLY
