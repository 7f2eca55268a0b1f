"""Fuzz scenario files and event logs for a long time: damaged TOML and JSONL, loaded and run.

The long version of ``tests/fuzz/test_fuzz_scenarios.py``: the same strategies
and judge (``tests/fuzz/scenariofuzz.py``). Every damaged file must load cleanly
or fail with errors that say where (file and line or field, or the seq and field
the projection stopped at); the commands that read files (validate, standings,
faults) must exit with a code, never a traceback. Prints the cases per target and
what they came to, and on failure the seed and the hypothesis blob. Files are
drawn ``--batch`` to a hypothesis example, as in the test, so that hypothesis's
own cost per file stays small next to loading it.

    .venv/bin/python bench/fuzz_scenarios.py --cases 100000 --seed 1

With ``--json`` the last line is one JSON object: ``figures`` holds
``fuzz_scenarios.toml.cases``, ``fuzz_scenarios.jsonl.cases`` (files judged per
target) and ``fuzz_scenarios.cli.cases`` (command runs), ``extra`` the tally by
outcome and the seconds per target.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.fuzz

from benchkit import figure
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz.scenariofuzz import Damaged, jsonl_files, judge, run_cli, toml_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="files per target (100000)")
    parser.add_argument("--batch", type=int, default=20, help="files per hypothesis example (20)")
    parser.add_argument("--cli-cases", type=int, default=1000, help="file pairs for the commands")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (1)")
    parser.add_argument("--quick", action="store_true", help="1,000 files per target, 20 pairs")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if args.quick:
        args.cases, args.cli_cases = 1000, 20
    examples = max(1, -(-args.cases // args.batch))
    seconds: dict[str, float] = {}
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
    @config(examples)
    @given(batch=st.lists(toml_files(), min_size=args.batch, max_size=args.batch))
    def toml(batch: list[tuple[str, Damaged]]) -> None:
        for name, raw in batch:
            tally["toml " + judge(write(raw, name))] += 1

    @seed(args.seed)
    @config(examples)
    @given(batch=st.lists(jsonl_files(), min_size=args.batch, max_size=args.batch))
    def jsonl(batch: list[Damaged]) -> None:
        for raw in batch:
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
            seconds[target.__name__] = round(time.monotonic() - begun, 1)
            print(f"{target.__name__}: done in {seconds[target.__name__]:.0f} s", flush=True)
    except Exception:
        print(f"fuzz_scenarios: FAILED with seed {args.seed} (the failing case is above)")
        raise
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"fuzz_scenarios: seed {args.seed}, {time.monotonic() - started:.0f} s")
    for target in ("toml", "jsonl", "cli"):
        print(f"  {target + ' cases':<28} {_count(tally, target)}")
    for key, count in sorted(tally.items()):
        print(f"  {key:<28} {count}")
    print("tracebacks: 0; errors without a place: 0")
    if args.json:
        print(json.dumps(_report(args, tally, seconds)))
    return 0


def _count(tally: Counter[str], target: str) -> int:
    return sum(count for key, count in tally.items() if key.startswith(target + " "))


def _report(
    args: argparse.Namespace, tally: Counter[str], seconds: dict[str, float]
) -> dict[str, object]:
    labels = {
        "toml": "damaged TOML scenarios judged",
        "jsonl": "damaged JSONL logs judged",
        "cli": "command runs on damaged files (validate, standings, faults)",
    }
    figures = [
        figure(
            f"fuzz_scenarios.{target}.cases",
            label,
            _count(tally, target),
            "cases",
            target=">= 10000 (CI), no traceback" if target != "cli" else "no traceback",
            met=target == "cli" or _count(tally, target) >= 10_000,
        )
        for target, label in labels.items()
    ]
    params = {"cases": args.cases, "batch": args.batch, "cli_cases": args.cli_cases}
    return {
        "bench": "fuzz_scenarios",
        "params": {**params, "seed": args.seed},
        "figures": figures,
        "extra": {"tally": dict(sorted(tally.items())), "seconds": seconds},
    }


if __name__ == "__main__":
    sys.exit(main())
