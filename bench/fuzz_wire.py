"""Fuzz the server's client-to-server messages for a long time over one connection.

The long version of ``tests/fuzz/test_fuzz_wire.py``: the same hypothesis
strategies and oracle (``tests/fuzz/fuzzkit.py``), as many cases as asked. This
process runs the server and a healthy client that replays the Tokyo final again
and again (each replay judged: every seq once, one connection, the reference
standings); a child process runs hypothesis and sends the cases over one
connection, so that the server's memory is measured without hypothesis's own
bookkeeping. Prints the cases by answer, the rate, the server process's memory
at the start, at its peak and at the end, and on failure the seed and the frame.

    .venv/bin/python bench/fuzz_wire.py --cases 100000 --seed 1
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
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


def _fuzz(args: argparse.Namespace) -> int:
    """The child: send the cases to ``args.url`` and print the tally as JSON at the end."""
    # The server's keepalive pings draw from `random` in the harness's thread while
    # hypothesis generates; hypothesis warns about that, and it is not the strategies.
    warnings.filterwarnings("ignore", "Do not use the `random` module inside strategies")
    examples = max(1, args.cases // args.batch)
    started = time.monotonic()
    with Harness(url=args.url) as harness:

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
                print(f"  {done} cases, {rate:.0f}/s", flush=True)

        try:
            fuzz()
        except Exception:
            print(f"fuzz_wire: FAILED with seed {args.seed} (the failing frame is above)")
            raise
        finally:
            harness.finish()
    print("RESULT " + json.dumps({"cases": harness.stats.cases, "answers": harness.stats.answers}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="frames to send (100000)")
    parser.add_argument("--batch", type=int, default=25, help="frames per hypothesis example")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (1)")
    parser.add_argument(
        "--speed", type=float, default=50.0, help="replay speed of the healthy client (50)"
    )
    parser.add_argument("--role", choices=["harness", "fuzzer"], default="harness")
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    configure_logging(level="warning")
    if args.role == "fuzzer":
        return _fuzz(args)
    started = time.monotonic()
    with Harness(speed=args.speed, repeat=True) as harness:
        rss_start = peak = _rss_mib()
        print(f"fuzz_wire: {args.cases} cases, seed {args.seed}", flush=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--role", "fuzzer"]
        command += ["--url", harness.server.url, "--cases", str(args.cases)]
        command += ["--batch", str(args.batch), "--seed", str(args.seed)]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        result: dict[str, object] = {}
        for line in child.stdout:
            peak = max(peak, _rss_mib())
            if line.startswith("RESULT "):
                result = json.loads(line.removeprefix("RESULT "))
            else:
                print(line, end="", flush=True)
        child.wait()
        rss_end = _rss_mib()
        harness.finish()
    elapsed = time.monotonic() - started
    if child.returncode != 0 or not result:
        print(f"fuzz_wire: the fuzzer failed (exit {child.returncode}), seed {args.seed}")
        return 1
    cases = int(str(result["cases"]))
    print(f"cases: {cases} in {elapsed:.0f} s ({cases / elapsed:.0f}/s)")
    answers = result["answers"]
    assert isinstance(answers, dict)
    for answer, count in sorted(answers.items(), key=lambda item: -int(item[1])):
        print(f"  {answer:<22} {count}")
    whole = sum(harness.replays)
    print(
        f"internal errors: 0; closes: 0; healthy replays of the Tokyo final: "
        f"{whole} of {len(harness.replays)} whole"
    )
    print(
        f"server process (with the healthy client): {rss_start:.1f} MiB at the start, "
        f"{peak:.1f} MiB at most, {rss_end:.1f} MiB at the end"
    )
    return 0 if harness.replays and all(harness.replays) else 1


if __name__ == "__main__":
    sys.exit(main())
