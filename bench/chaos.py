"""Chaos for a long time: many fault schedules, each replayed to the SDK over real sockets.

The long version of the property in ``tests/chaos/test_chaos.py``: hypothesis
draws a fault spec, a seed, a scenario (the Tokyo final and the edge cases) and
a replay speed; the SDK must end with every seq once (or covered by an epoch
bump's snapshot) and the reference projections. Prints how many schedules were
survived and what the SDK had to do; on failure the example, the seed and the
``racefeed faults`` command that prints the failing schedule.

    .venv/bin/python bench/chaos.py --examples 1000 --seed 1

With ``--json`` the last line is one JSON object: ``figures`` holds
``chaos.schedules`` (fault schedules survived) and ``chaos.events_lost`` (0),
``extra`` what the SDK had to do (connections, resubscribes, duplicates dropped,
snapshots) and the seconds taken.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.chaos

from benchkit import figure
from hypothesis import HealthCheck, given, note, seed, settings
from hypothesis import strategies as st

from feed.cli.structured_logs import configure_logging
from feed.faults import FaultSpec, format_spec
from feed.replay import Speed
from tests.chaos.chaoskit import SCENARIOS, check, fault_specs, replay_through_faults, reproduce


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="fault schedules (1000)")
    parser.add_argument("--seed", type=int, default=1, help="hypothesis seed (1)")
    parser.add_argument("--quick", action="store_true", help="20 schedules")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    if args.quick:
        args.examples = 20
    configure_logging(level="warning")
    totals: Counter[str] = Counter()
    started = time.monotonic()

    @seed(args.seed)
    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        scenario=st.sampled_from(sorted(SCENARIOS)),
        spec=fault_specs(),
        fault_seed=st.integers(0, 2**32 - 1),
        speed=st.sampled_from([50.0, "instant"]),
    )
    def survive(scenario: str, spec: FaultSpec, fault_seed: int, speed: Speed) -> None:
        text = format_spec(spec)
        note(f"reproduce the schedule: {reproduce(scenario, text, fault_seed)}")
        events = SCENARIOS[scenario]
        outcome = asyncio.run(replay_through_faults(events, text, fault_seed, speed=speed))
        check(outcome, events)
        totals["schedules"] += 1
        totals["events"] += len(outcome.events)
        totals["connections"] += outcome.stats.connects
        totals["resubscribes"] += outcome.stats.gaps_detected
        totals["duplicates dropped"] += outcome.stats.duplicates_dropped
        totals["snapshots"] += outcome.stats.snapshots_taken
        if totals["schedules"] % 100 == 0:
            print(f"  {totals['schedules']} schedules survived", flush=True)

    try:
        survive()
    except Exception:
        print(f"chaos: FAILED with seed {args.seed} (the failing schedule is above)")
        raise
    elapsed = time.monotonic() - started
    print(f"chaos: seed {args.seed}, {elapsed:.0f} s")
    for key, count in totals.items():
        print(f"  {key:<20} {count}")
    # `check` failed the run on any loss or repeat, so reaching here means none.
    print("  events lost          0\n  seqs seen twice      0")
    if args.json:
        print(json.dumps(_report(args, totals, elapsed)))
    return 0


def _report(args: argparse.Namespace, totals: Counter[str], elapsed: float) -> dict[str, object]:
    schedules = totals["schedules"]
    return {
        "bench": "chaos",
        "params": {"examples": args.examples, "seed": args.seed},
        "figures": [
            figure(
                "chaos.schedules",
                "fault schedules survived (SDK over real sockets)",
                schedules,
                "schedules",
                target=f">= {args.examples} (all asked for)",
                met=schedules >= args.examples,
            ),
            figure(
                "chaos.events_lost",
                "events lost over all schedules",
                0,
                "events",
                target="0",
                met=True,
            ),
        ],
        "extra": {**{k.replace(" ", "_"): v for k, v in totals.items()}, "seconds": elapsed},
    }


if __name__ == "__main__":
    sys.exit(main())
