"""Damaged scenario files and event logs never give a traceback, only located errors."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from scenariofuzz import Damaged, jsonl_files, judge, run_cli, toml_files

_TALLY: Counter[str] = Counter()


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _write(raw: bytes, name: str) -> Path:
    """Write ``raw`` as ``name`` in a fresh directory (a scenario's id must match its name)."""
    path = Path(tempfile.mkdtemp(prefix="racefeed-fuzz-")) / name
    path.write_bytes(raw)
    return path


def _remove(path: Path) -> None:
    path.unlink()
    path.parent.rmdir()


@_settings(400)
@given(case=toml_files())
def test_a_damaged_toml_scenario_loads_or_says_where_it_is_wrong(case: tuple[str, Damaged]) -> None:
    """Every catalog scenario, damaged: a clean load or errors with a line or field."""
    name, raw = case
    path = _write(raw, name)
    try:
        _TALLY["toml " + judge(path)] += 1
    finally:
        _remove(path)


@_settings(400)
@given(raw=jsonl_files())
def test_a_damaged_jsonl_log_loads_or_says_which_line_or_seq_is_wrong(raw: Damaged) -> None:
    """The Tokyo log, damaged: a clean load, or errors by line, or the fold names the seq."""
    path = _write(raw, "tokyo-2025-m1500-final.jsonl")
    try:
        _TALLY["jsonl " + judge(path)] += 1
    finally:
        _remove(path)


@_settings(60)
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


def test_the_fuzzing_reached_both_clean_loads_and_errors() -> None:
    """Damage is not always fatal, nor always harmless: both outcomes were exercised."""
    print(f"scenario fuzz tally: {dict(sorted(_TALLY.items()))}")
    if _TALLY:
        assert _TALLY["toml invalid"] > 0 and _TALLY["jsonl invalid"] > 0
        assert _TALLY["toml loaded"] + _TALLY["jsonl loaded"] > 0
