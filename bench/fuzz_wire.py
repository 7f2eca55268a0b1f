"""Fuzz the server's client-to-server messages for a long time over one connection.

The long version of ``tests/fuzz/test_fuzz_wire.py``: the same hypothesis
strategies and oracle (``tests/fuzz/fuzzkit.py``), as many cases as asked, with a
healthy client replaying the Tokyo final alongside (started again whenever it
ends, and judged each time). Prints the cases tried by answer, the rate, the
process's memory before and after, and on failure the seed and the frame.

    .venv/bin/python bench/fuzz_wire.py --cases 200000 --seed 1
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fuzz"))

from fuzzkit import Harness, frames, run_cases
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from feed.net.logging import configure_logging


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000, help="frames to send (200000)")
    parser.add_argument("--batch", type=int, default=25, help="frames per hypothesis example")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (1)")
    parser.add_argument(
        "--speed", type=float, default=50.0, help="replay speed of the healthy client (50)"
    )
    args = parser.parse_args(argv)
    configure_logging(level="warning")
    examples = max(1, args.cases // args.batch)
    started = time.monotonic()
    with Harness(speed=args.speed, repeat=True) as harness:
        rss_start = _rss_mib()
        print(f"fuzz_wire: {examples * args.batch} cases, seed {args.seed}", flush=True)

        @seed(args.seed)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            print_blob=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(batch=st.lists(frames, min_size=args.batch, max_size=args.batch))
        def fuzz(batch: list[str | bytes]) -> None:
            harness.run(run_cases(harness.link, batch))
            done = harness.stats.cases
            if done % 10_000 < args.batch:
                rate = done / (time.monotonic() - started)
                print(f"  {done} cases, {rate:.0f}/s, rss {_rss_mib():.1f} MiB", flush=True)

        try:
            fuzz()
        except Exception:
            print(f"fuzz_wire: FAILED with seed {args.seed} (the failing frame is above)")
            raise
        rss_end = _rss_mib()
        harness.finish()
        unharmed = bool(harness.replays) and all(harness.replays)
    elapsed = time.monotonic() - started
    print(
        f"cases: {harness.stats.cases} in {elapsed:.0f} s ({harness.stats.cases / elapsed:.0f}/s)"
    )
    for answer, count in sorted(harness.stats.answers.items(), key=lambda item: -item[1]):
        print(f"  {answer:<22} {count}")
    print(
        f"internal errors: 0; closes: 0; healthy replays of the Tokyo final: "
        f"{sum(harness.replays)} of {len(harness.replays)} whole"
    )
    print(f"process memory: {rss_start:.1f} MiB after start, {rss_end:.1f} MiB at the end")
    return 0 if unharmed else 1


if __name__ == "__main__":
    sys.exit(main())
