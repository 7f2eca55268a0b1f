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
    .venv/bin/python bench/fuzz_wire.py --session-cost 255   # what a held session weighs

The fuzzer creates private sessions until the server's limit (256); the server
keeps them, replaying, until they idle out. ``--session-cost N`` measures what
that costs on its own: the server's memory before and after N private sessions of
the Tokyo final replayed to their end.

With ``--json`` the last line is one JSON object: ``figures`` holds
``fuzz_wire.cases`` (frames sent and judged), ``fuzz_wire.cases_per_s`` and
``fuzz_wire.server_growth_mib`` (the server process's memory at the end less at
the start); ``extra`` the answers by code, the healthy replays, the memory and the
sessions the server holds at the end (the fuzzer's private ones, which it keeps
until they idle out, and one per healthy replay).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.fuzz

from benchkit import Figure, figure, rss_mib
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from feed.cli.structured_logs import configure_logging
from tests.fuzz.fuzzkit import Harness, frames, run_cases


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


async def _session_cost(count: int) -> None:
    """Print the server's memory before and after ``count`` private sessions replayed whole."""
    from websockets.asyncio.client import connect as ws_connect

    from feed import wire
    from feed.protocol import Limits
    from feed.server import ServerConfig, run_server

    limits = Limits(
        max_private_sessions=count + 1,
        rate_per_s=1e6,
        rate_burst=10**6,
        control_per_s=1e6,
        control_burst=10**6,
    )
    config = ServerConfig(limits=limits)
    create = wire.encode(
        wire.CreateSession(scenario="tokyo-2025-m1500-final", speed="instant")
    ).decode()
    async with run_server(port=0, config=config) as server, ws_connect(server.url) as ws:
        await ws.send(create)  # the first one loads and caches the scenario
        await ws.recv()
        await asyncio.sleep(0.5)
        gc.collect()
        before = rss_mib()
        for _ in range(count):
            await ws.send(create)
            await ws.recv()
        await asyncio.sleep(1.0)  # let the last ones finish their replay
        gc.collect()
        after = rss_mib()
    each = (after - before) * 1024 / count
    print(
        f"server memory: {before:.1f} MiB, then {after:.1f} MiB with {count} more private "
        f"sessions replayed to their end: {each:.0f} KiB each"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="frames to send (100000)")
    parser.add_argument("--batch", type=int, default=25, help="frames per hypothesis example")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (1)")
    parser.add_argument(
        "--speed", type=float, default=50.0, help="replay speed of the healthy client (50)"
    )
    parser.add_argument("--session-cost", type=int, metavar="N", help="see the docstring")
    parser.add_argument("--quick", action="store_true", help="2,000 cases")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--role", choices=["harness", "fuzzer"], default="harness")
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.cases = 2000
    configure_logging(level="warning")
    if args.session_cost:
        asyncio.run(_session_cost(args.session_cost))
        return 0
    if args.role == "fuzzer":
        return _fuzz(args)
    started = time.monotonic()
    with Harness(speed=args.speed, repeat=True) as harness:
        rss_start = peak = rss_mib()
        print(f"fuzz_wire: {args.cases} cases, seed {args.seed}", flush=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--role", "fuzzer"]
        command += ["--url", harness.server.url, "--cases", str(args.cases)]
        command += ["--batch", str(args.batch), "--seed", str(args.seed)]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        result: dict[str, object] = {}
        for line in child.stdout:
            rss = rss_mib()
            peak = max(peak, rss)
            if line.startswith("RESULT "):
                result = json.loads(line.removeprefix("RESULT "))
            else:  # a progress line: add the server's memory to it
                print(f"{line.rstrip()}; server {rss:.1f} MiB", flush=True)
        child.wait()
        rss_end = rss_mib()
        director = harness.server.director
        assert director is not None  # the embedded server: its director holds the sessions
        kept = list(director.sessions.values())
        private = sum(1 for session in kept if session.private)
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
        f"{peak:.1f} MiB at most, {rss_end:.1f} MiB at the end, holding {private} private "
        f"sessions made by the fuzzer and {len(kept) - private} of the healthy client"
    )
    healthy = bool(harness.replays) and all(harness.replays)
    if args.json:
        memory = {"start": rss_start, "peak": peak, "end": rss_end}
        report = _report(
            args,
            cases,
            elapsed,
            answers=answers,
            replays=harness.replays,
            memory=memory,
            sessions={"private": private, "named": len(kept) - private},
        )
        print(json.dumps(report))
    return 0 if healthy else 1


def _report(
    args: argparse.Namespace,
    cases: int,
    elapsed: float,
    *,
    answers: dict[str, object],
    replays: list[bool],
    memory: dict[str, float],
    sessions: dict[str, int],
) -> dict[str, object]:
    def counted(key: str, label: str, value: float, unit: str, target: str | None) -> Figure:
        met = None if target is None else value >= args.cases
        return figure(key, label, value, unit, target=target, met=met)

    return {
        "bench": "fuzz_wire",
        "params": {"cases": args.cases, "batch": args.batch, "seed": args.seed},
        "figures": [
            counted(
                "fuzz_wire.cases",
                "fuzzed client frames answered as documented",
                cases,
                "cases",
                f">= {args.cases}",
            ),
            counted("fuzz_wire.cases_per_s", "fuzz cases a second", cases / elapsed, "1/s", None),
            counted(
                "fuzz_wire.server_growth_mib",
                "server process memory, end less start",
                round(memory["end"] - memory["start"], 1),
                "MiB",
                None,
            ),
        ],
        "extra": {
            "answers": answers,
            "healthy_replays": len(replays),
            "healthy_replays_whole": sum(replays),
            "server_mib": {key: round(value, 1) for key, value in memory.items()},
            "sessions_kept": sessions,
            "seconds": round(elapsed, 1),
        },
    }


if __name__ == "__main__":
    sys.exit(main())
