"""Damaged scenario files and event files never give a traceback, only located errors.

Each target gets more than 10,000 damaged files a run (``FILES_PER_EXAMPLE`` files
in each of ``EXAMPLES`` hypothesis examples: drawing them in batches keeps
hypothesis's own cost per file low). The last test checks the counts.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.scenariofuzz import Damaged, fuzz_settings, jsonl_files, judge, run_cli, toml_files

FILES_PER_EXAMPLE = 20
EXAMPLES = 505  # 10,100 files per target
CASES_PER_TARGET = 10_000

_TALLY: Counter[str] = Counter()


def _write(raw: bytes, name: str) -> Path:
    """Write ``raw`` as ``name`` in a fresh directory (a scenario's id must match its name)."""
    path = Path(tempfile.mkdtemp(prefix="racefeed-fuzz-")) / name
    path.write_bytes(raw)
    return path


def _remove(path: Path) -> None:
    path.unlink()
    path.parent.rmdir()


def _judged(raw: bytes, name: str) -> str:
    """Write ``raw`` as ``name``, judge it, and clean up: ``loaded``, ``invalid``, ..."""
    path = _write(raw, name)
    try:
        return judge(path)
    finally:
        _remove(path)


@fuzz_settings(EXAMPLES)
@given(batch=st.lists(toml_files(), min_size=FILES_PER_EXAMPLE, max_size=FILES_PER_EXAMPLE))
def test_a_damaged_toml_scenario_loads_or_says_where_it_is_wrong(
    batch: list[tuple[str, Damaged]],
) -> None:
    """Every catalog scenario, damaged: a clean load or errors with a line or field."""
    for name, raw in batch:
        _TALLY["toml " + _judged(raw, name)] += 1


@fuzz_settings(EXAMPLES)
@given(batch=st.lists(jsonl_files(), min_size=FILES_PER_EXAMPLE, max_size=FILES_PER_EXAMPLE))
def test_a_damaged_jsonl_log_loads_or_says_which_line_or_seq_is_wrong(
    batch: list[Damaged],
) -> None:
    """The Tokyo log, damaged: a clean load, or errors by line, or the fold names the seq."""
    for raw in batch:
        _TALLY["jsonl " + _judged(raw, "tokyo-2025-m1500-final.jsonl")] += 1


@fuzz_settings(60)
@given(toml=toml_files(), jsonl=jsonl_files())
def test_the_commands_that_read_files_answer_damage_with_an_exit_code_not_a_traceback(
    toml: tuple[str, Damaged], jsonl: Damaged
) -> None:
    """validate, standings and faults: exit 0, or non-zero with the file named on stderr."""
    paths = [_write(toml[1], toml[0]), _write(jsonl, "tokyo-2025-m1500-final.jsonl")]
    try:
        for path in paths:
            for argv in (
                ("validate", str(path)),
                ("standings", str(path)),
                ("faults", str(path), "--profile", "chaos", "--seed", "1"),
            ):
                code, said = run_cli(*argv)
                assert "Traceback" not in said, said
                if code != 0:
                    assert path.name in said or "seq " in said, (argv, said)
                _TALLY[f"cli {argv[0]} exit {code}"] += 1
    finally:
        for path in paths:
            _remove(path)


def _cases(target: str) -> int:
    return sum(count for key, count in _TALLY.items() if key.startswith(target + " "))


def test_each_target_got_more_than_10000_files_with_both_clean_loads_and_errors() -> None:
    """Over 10,000 damaged files per target; damage was neither always fatal nor harmless."""
    if not _cases("toml"):  # run on its own: do the fuzzing first
        test_a_damaged_toml_scenario_loads_or_says_where_it_is_wrong()
    if not _cases("jsonl"):
        test_a_damaged_jsonl_log_loads_or_says_which_line_or_seq_is_wrong()
    print(f"scenario fuzz tally: {dict(sorted(_TALLY.items()))}")
    assert _cases("toml") >= CASES_PER_TARGET, _TALLY
    assert _cases("jsonl") >= CASES_PER_TARGET, _TALLY
    assert _TALLY["toml invalid"] > 0 and _TALLY["jsonl invalid"] > 0
    assert _TALLY["toml loaded"] + _TALLY["jsonl loaded"] > 0
