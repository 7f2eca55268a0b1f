"""How late does each event leave the server against its schedule?

Runs a real racefeed server in this process with one subscriber on 127.0.0.1, and
replays a synthetic log (an event every 10-50 ms of race time, seeded) at each
speed asked for. For every event it records the moment the server had written it
to the subscriber's socket (right after the gateway role's session driver carried
out the fan-out) and compares it with the event's deadline under the replay clock
(the director role's). Reports p50, p99 and max lateness, and fails if any event
left early.

The baseline, measured in the same run on the same loop, is the loop's own timer:
a bare ``loop.call_at`` chained through the same deadlines (one timer armed at a
time, as the server does), its lateness taken the same way (``time.monotonic()``
in the callback minus the deadline). A bare timer may fire early (asyncio rounds
to its clock resolution, uvloop to whole milliseconds); racefeed never may.

    .venv/bin/python bench/bench_replay_timing.py                 # 1x for 30 s, 100x for 10 s
    .venv/bin/python bench/bench_replay_timing.py --speed 1 --seconds 60 --loop uvloop
    .venv/bin/python bench/bench_replay_timing.py --quick --json  # 1x 3 s, 100x 2 s

``--loop`` defaults to the loop the CLI runs on (uvloop when installed, see
``feed.cli.running``); given twice, both are measured.

With ``--json`` the last line on stdout is one JSON object (the benchmark contract in
bench/run_all.py): figures ``replay.<speed>x.p99_late_ms`` (the first loop) and
``replay.<speed>x.<loop>.p99_late_ms`` (any further loop), each with the bare timer's
p99 lateness as the baseline and the target "< 1 ms, never early"; ``extra`` holds
every statistic of both (p50, p99, max, min, early count).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from benchkit import Figure, figure
from websockets.asyncio.client import connect

from feed.cli.running import choose_loop
from feed.cli.structured_logs import configure_logging
from feed.events import Commentary, CommentaryData, Event
from feed.protocol import Limits
from feed.replay import format_utc
from feed.server import ServerConfig, SessionSpec, run_server
from feed.server.driver import SessionDriver

_START = datetime(2025, 9, 17, 13, 20, 40, tzinfo=UTC)


def synthetic_log(race_seconds: float, seed: int) -> list[Event]:
    """Commentary events 10-50 ms of race time apart, for ``race_seconds``."""
    rng = random.Random(seed)
    events: list[Event] = []
    race_ms = 0
    while race_ms < race_seconds * 1000:
        events.append(
            Commentary(
                seq=len(events) + 1,
                stream="timing",
                race="timing",
                race_ms=race_ms,
                at=format_utc(_START + timedelta(milliseconds=race_ms)),
                data=CommentaryData(text=f"event {len(events) + 1}"),
            )
        )
        race_ms += rng.randint(10, 50)
    return events


def _stats(late: list[float]) -> dict[str, float]:
    ordered = sorted(late)
    return {
        "events": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[max(int(len(ordered) * 0.99) - 1, 0)],
        "max_ms": ordered[-1],
        "min_ms": ordered[0],
        "early": sum(1 for value in ordered if value < 0),
    }


async def measure(speed: float, wall_seconds: float, seed: int) -> dict[str, float]:
    """Replay ``wall_seconds`` of wall time at ``speed``; lateness statistics in ms."""
    events = synthetic_log(wall_seconds * speed, seed)
    spec = SessionSpec(name="timing", events=events, speed=speed, paused=True, token="t")
    late: list[float] = []
    config = ServerConfig(limits=Limits(heartbeat_s=3600))
    async with run_server(sessions=[spec], config=config) as server:
        assert server.director is not None  # the embedded server runs the clocks
        replay = server.director.sessions["timing"].replay
        observe_fan_out(server.session("timing"), replay.deadline_of, late)
        async with connect(server.url, compression=None, max_size=None) as ws:
            await ws.send('{"op": "subscribe", "session": "timing", "live": true}')
            while '"caught_up"' not in str(await ws.recv()):
                pass
            await ws.send('{"op": "control", "session": "timing", "token": "t", "action": "play"}')
            received = 0
            while received < len(events):
                frame = await ws.recv()
                received += str(frame).count('"type":"commentary"')
    return {"speed": speed, **_stats(late)}


def observe_fan_out(
    driver: SessionDriver, deadline_of: Callable[[int], float | None], late: list[float]
) -> None:
    """Append each event's lateness to ``late`` (ms) as ``driver`` has written it to the sockets.

    The driver carries out its protocol's outputs (the fan-out among them) in
    ``run``; the events it had not yet seen are timed right after it returns.
    """
    carry_out = driver.run
    seen = driver.protocol.head_seq

    def run_then_time() -> None:
        nonlocal seen
        carry_out()
        head = driver.protocol.head_seq
        if head <= seen:
            seen = head  # a new epoch cut the history back: its events come again
            return
        now = time.monotonic()
        for seq in range(seen + 1, head + 1):
            # The anchor is fixed at play, so the deadline is the one it was scheduled at.
            deadline = deadline_of(seq)
            assert deadline is not None
            late.append((now - deadline) * 1000.0)
        seen = head

    driver.run = run_then_time  # type: ignore[method-assign]


async def measure_bare_timer(speed: float, wall_seconds: float, seed: int) -> dict[str, float]:
    """The loop's own timer through the same deadlines: ``loop.call_at``, one armed at a time."""
    events = synthetic_log(wall_seconds * speed, seed)
    loop = asyncio.get_running_loop()
    offsets = [event.race_ms / 1000.0 / speed for event in events]
    late: list[float] = []
    done = loop.create_future()
    anchor = time.monotonic() + 0.05
    index = 0

    def arm() -> None:
        # The loop's clock and time.monotonic() may differ: convert at each arming.
        deadline = anchor + offsets[index]
        loop.call_at(loop.time() + (deadline - time.monotonic()), fire)

    def fire() -> None:
        nonlocal index
        now = time.monotonic()
        deadline = anchor + offsets[index]
        # Every event due at this deadline counts, as the server publishes them together.
        while index < len(offsets) and anchor + offsets[index] <= max(now, deadline):
            late.append((now - (anchor + offsets[index])) * 1000.0)
            index += 1
        if index < len(offsets):
            arm()
        else:
            done.set_result(None)

    arm()
    await done
    return {"speed": speed, **_stats(late)}


def _figure(
    speed: float, loop: str, first: bool, ours: dict[str, float], bare: dict[str, float]
) -> Figure:
    key = f"replay.{speed:g}x.p99_late_ms" if first else f"replay.{speed:g}x.{loop}.p99_late_ms"
    return figure(
        key,
        f"replay at {speed:g}x, p99 lateness of an event on the socket ({loop})",
        ours["p99_ms"],
        "ms",
        baseline_label=f"bare loop.call_at to the same deadlines ({loop})",
        baseline=bare["p99_ms"],
        target="< 1 ms, never early",
        met=ours["p99_ms"] < 1.0 and ours["early"] == 0,
    )


def _run(loop: str, work: Coroutine[Any, Any, dict[str, float]]) -> dict[str, float]:
    if loop == "uvloop":
        import uvloop

        return uvloop.run(work)
    return asyncio.run(work)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, action="append", help="speeds (default 1, 100)")
    parser.add_argument("--seconds", type=float, default=None, help="wall seconds per speed")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--loop",
        choices=["asyncio", "uvloop"],
        action="append",
        help="event loop; repeatable (default: the CLI's, uvloop when installed)",
    )
    parser.add_argument("--quick", action="store_true", help="1x for 3 s, 100x for 2 s")
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    args = parser.parse_args(argv)
    configure_logging(level="warning")
    speeds = args.speed or [1.0, 100.0]
    loops = args.loop or [choose_loop("auto")[0]]
    figures = []
    extra: dict[str, object] = {}
    for loop in loops:
        for speed in speeds:
            default = (
                (3.0 if speed == 1.0 else 2.0) if args.quick else (30.0 if speed == 1.0 else 10.0)
            )
            seconds = args.seconds or default
            bare = _run(loop, measure_bare_timer(speed, seconds, args.seed))
            ours = _run(loop, measure(speed, seconds, args.seed))
            figures.append(_figure(speed, loop, loop == loops[0], ours, bare))
            extra[f"{speed:g}x.{loop}"] = {"racefeed": ours, "bare_timer": bare, "seconds": seconds}
            for name, result in (("racefeed", ours), ("bare call_at", bare)):
                print(
                    f"{speed:>7g}x  {name:<13} {result['events']:>6.0f} events  "
                    f"late p50 {result['p50_ms']:.3f} ms  p99 {result['p99_ms']:.3f} ms  "
                    f"max {result['max_ms']:.3f} ms  early {result['early']:.0f}  ({loop})",
                    file=sys.stderr if args.json else sys.stdout,
                )
    if args.json:
        params = {"speeds": speeds, "loops": loops, "seed": args.seed, "quick": args.quick}
        result = {"bench": "bench_replay_timing", "params": params, "figures": figures}
        print(json.dumps({**result, "extra": extra}))
    early = any(entry["racefeed"]["early"] for entry in extra.values())  # type: ignore[index]
    return 1 if early else 0


if __name__ == "__main__":
    sys.exit(main())
