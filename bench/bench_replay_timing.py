"""How late does each event leave the server against its schedule?

Runs a real racefeed server in this process with one subscriber on 127.0.0.1, and
replays a synthetic log (an event every 10-50 ms of race time, seeded) at each
speed asked for. For every event it records the moment the server had written it
to the subscriber's socket (a session observer runs right after the fan-out) and
compares it with the event's deadline under the replay clock. Reports p50, p99 and
max lateness, and fails if any event left early.

    .venv/bin/python bench/bench_replay_timing.py                 # 1x for 30 s, 100x for 10 s
    .venv/bin/python bench/bench_replay_timing.py --speed 1 --seconds 60 --loop uvloop
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from websockets.asyncio.client import connect

from feed.events import Commentary, CommentaryData, Event
from feed.net import ServerConfig, SessionSpec, run_server
from feed.net.logging import configure_logging
from feed.replay import format_utc

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


async def measure(speed: float, wall_seconds: float, seed: int) -> dict[str, float]:
    """Replay ``wall_seconds`` of wall time at ``speed``; lateness statistics in ms."""
    events = synthetic_log(wall_seconds * speed, seed)
    spec = SessionSpec(name="timing", events=events, speed=speed, paused=True, token="t")
    late: list[float] = []
    config = ServerConfig(heartbeat_s=3600)
    async with run_server(sessions=[spec], config=config) as server:
        session = server.sessions["timing"]

        def observe(_session: object, batch: Sequence[Event]) -> None:
            now = time.monotonic()
            for event in batch:
                # The anchor is fixed at play, so the deadline is the one it was scheduled at.
                deadline = session.replay.deadline_of(event.seq)
                assert deadline is not None
                late.append((now - deadline) * 1000.0)

        session.observers.append(observe)
        async with connect(server.url, compression=None, max_size=None) as ws:
            await ws.send('{"op": "subscribe", "session": "timing", "live": true}')
            while '"caught_up"' not in str(await ws.recv()):
                pass
            await ws.send('{"op": "control", "session": "timing", "token": "t", "action": "play"}')
            received = 0
            while received < len(events):
                frame = await ws.recv()
                received += str(frame).count('"type":"commentary"')
    ordered = sorted(late)
    return {
        "speed": speed,
        "events": len(late),
        "p50_ms": statistics.median(ordered),
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1],
        "max_ms": ordered[-1],
        "min_ms": ordered[0],
        "early": sum(1 for value in late if value < 0),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, action="append", help="speeds (default 1, 100)")
    parser.add_argument("--seconds", type=float, default=None, help="wall seconds per speed")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    configure_logging(level="warning")
    speeds = args.speed or [1.0, 100.0]
    results = []
    for speed in speeds:
        seconds = args.seconds or (30.0 if speed == 1.0 else 10.0)
        if args.loop == "uvloop":
            import uvloop

            result = uvloop.run(measure(speed, seconds, args.seed))
        else:
            result = asyncio.run(measure(speed, seconds, args.seed))
        result["loop"] = args.loop  # type: ignore[assignment]
        results.append(result)
        if not args.json:
            print(
                f"{speed:>7g}x  {result['events']:>6.0f} events  "
                f"late p50 {result['p50_ms']:.3f} ms  p99 {result['p99_ms']:.3f} ms  "
                f"max {result['max_ms']:.3f} ms  early {result['early']:.0f}  ({args.loop})"
            )
    if args.json:
        print(json.dumps(results, indent=2))
    return 1 if any(r["early"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
