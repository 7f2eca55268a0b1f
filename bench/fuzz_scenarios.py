"""Fuzz scenario files and event logs for a long time: damaged TOML and JSONL, loaded and run.

The long version of ``tests/fuzz/test_fuzz_scenarios.py``: the same strategies
and judge (``tests/fuzz/scenariofuzz.py``). Every damaged file must load cleanly
or fail with errors that say where (file and line or field, or the seq and field
the projection stopped at); the commands that read files (validate, standings,
faults) must exit with a code, never a traceback. Prints the cases per target and
what they came to, and on failure the seed and the hypothesis blob.

    .venv/bin/python bench/fuzz_scenarios.py --cases 20000 --seed 1
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fuzz"))

from hypothesis import HealthCheck, given, seed, settings
from scenariofuzz import Damaged, jsonl_files, judge, run_cli, toml_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000, help="files per target (20000)")
    parser.add_argument("--cli-cases", type=int, default=1000, help="command runs per command")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (1)")
    args = parser.parse_args(argv)
    tally: Counter[str] = Counter()
    workdir = Path(tempfile.mkdtemp(prefix="racefeed-fuzz-"))

    def config(examples: int) -> settings:
        return settings(
            max_examples=examples,
            deadline=None,
            database=None,
            print_blob=True,
            suppress_health_check=list(HealthCheck),
        )

    def write(raw: bytes, name: str) -> Path:
        path = workdir / name
        path.write_bytes(raw)
        return path

    @seed(args.seed)
    @config(args.cases)
    @given(case=toml_files())
    def toml(case: tuple[str, Damaged]) -> None:
        tally["toml " + judge(write(case[1], case[0]))] += 1

    @seed(args.seed)
    @config(args.cases)
    @given(raw=jsonl_files())
    def jsonl(raw: Damaged) -> None:
        tally["jsonl " + judge(write(raw, "tokyo-2025-m1500-final.jsonl"))] += 1

    @seed(args.seed)
    @config(args.cli_cases)
    @given(case=toml_files(), raw=jsonl_files())
    def commands(case: tuple[str, Damaged], raw: Damaged) -> None:
        for path in (write(case[1], case[0]), write(raw, "tokyo-2025-m1500-final.jsonl")):
            for command in (
                ("validate", str(path)),
                ("standings", str(path)),
                ("faults", str(path), "--profile", "chaos", "--seed", "1"),
            ):
                code, said = run_cli(*command)
                assert "Traceback" not in said, said
                assert code == 0 or path.name in said or "seq " in said, (command, said)
                tally[f"cli {command[0]} exit {code}"] += 1

    started = time.monotonic()
    try:
        for target in (toml, jsonl, commands):
            begun = time.monotonic()
            target()
            print(f"{target.__name__}: done in {time.monotonic() - begun:.0f} s", flush=True)
    except Exception:
        print(f"fuzz_scenarios: FAILED with seed {args.seed} (the failing case is above)")
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"fuzz_scenarios: seed {args.seed}, {time.monotonic() - started:.0f} s")
    for key, count in sorted(tally.items()):
        print(f"  {key:<28} {count}")
    print("tracebacks: 0; errors without a place: 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
