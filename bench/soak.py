"""Soak: many SDK clients over several sessions for minutes, under faults and random cuts.

A server process replays the Tokyo final on ``--sessions`` named sessions, each
starting over (a new epoch) a moment after it ends. In this process ``--clients``
SDK feeds follow them through a fault profile, each with a client id of its own:
a client follows one session from seq 1 to the end (a round), checks what its
user saw, then starts another round on a random session, until ``--minutes`` are
up. On top of the faults, connections are cut at random (``--cuts-per-s``), as a
network would. At the end it reports events delivered, resumes, duplicates
dropped, events lost (must be 0), seqs seen twice (must be 0), rounds whose
views differ from the reference (must be 0), and the server's memory.

    .venv/bin/python bench/soak.py                       # 500 clients, 5 minutes, chaos
    .venv/bin/python bench/soak.py --clients 50 --minutes 1 --profile flaky-mobile

It prints the report as ``key  value`` lines. With ``--json`` the last line is one
JSON object: ``figures`` holds ``soak.events_delivered``, ``soak.resumes``,
``soak.duplicates_dropped``, ``soak.events_lost`` (target 0),
``soak.seqs_seen_twice`` (target 0), ``soak.rounds_with_wrong_views`` (target 0)
and ``soak.server_growth_mib`` (server memory at the end less at the start, after
the clients connected); ``extra`` the whole report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchkit import Figure, figure, raise_fd_limit, rss_mib

_SCENARIO = "tokyo-2025-m1500-final"


# -- the server (a process of its own, so that its memory is its own) ---------------------


async def _serve(args: argparse.Namespace) -> None:
    from feed import wire
    from feed.io import load_scenario
    from feed.protocol import Limits
    from feed.server import ServerConfig, SessionSpec, run_server

    events = load_scenario(_SCENARIO).events
    token = "soak-control-token"
    limits = Limits(
        max_connections=args.clients * 2 + 64,
        max_connections_per_address=args.clients * 2 + 64,
        fault_states=args.clients * 2,
        heartbeat_s=2.0,
    )
    config = ServerConfig(limits=limits)
    specs = [
        SessionSpec(name=f"soak-{n}", events=events, speed=args.speed, token=token)
        for n in range(args.sessions)
    ]
    async with run_server(port=0, sessions=specs, config=config) as server:
        assert server.director is not None  # the embedded server runs the clocks
        Path(args.ready).write_text(str(server.port))
        while True:  # start each session over a moment after it ends: a new epoch
            await asyncio.sleep(0.5)
            for spec in specs:
                session = server.director.sessions[spec.name]
                if session.ended:
                    for action in ("seek", "play"):
                        session.control(
                            wire.Control(session=spec.name, action=action, token=token, seq=0)
                        )


# -- the clients --------------------------------------------------------------------------


@dataclass
class Totals:
    """What all the clients saw, summed."""

    rounds: int = 0
    unfinished: int = 0
    delivered: int = 0
    connects: int = 0
    resubscribes: int = 0
    duplicates_dropped: int = 0
    reordered: int = 0
    snapshots: int = 0
    lost: int = 0
    twice: int = 0
    wrong_views: int = 0
    cuts: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass
class _Round:
    """One client's view of one replay: the events its user got, and the snapshots between."""

    feed: Any = None
    events: list[int] = field(default_factory=list)
    snapshots: list[tuple[int, int]] = field(default_factory=list)  # (events before it, seq)

    def snapshot(self, projection: Any) -> None:
        """A snapshot replaced the user's state (as the SDK read it, ahead of the user)."""
        self.snapshots.append((self.feed.stats.delivered, projection.head_seq))

    def judge(self, last: int, ended: bool) -> tuple[int, int]:
        """(seqs lost, seqs seen twice): every seq once per epoch, snapshots reset the count."""
        watermark = lost = twice = 0
        pending = iter(self.snapshots)
        snapshot = next(pending, None)
        for index, seq in enumerate(self.events):
            while snapshot is not None and snapshot[0] <= index:
                watermark = snapshot[1]
                snapshot = next(pending, None)
            if seq <= watermark:
                twice += 1
            else:
                lost += seq - watermark - 1
                watermark = seq
        while snapshot is not None:
            watermark = snapshot[1]
            snapshot = next(pending, None)
        if ended:
            lost += max(0, last - watermark)
        return lost, twice


async def _client(
    index: int,
    *,
    url: str,
    args: argparse.Namespace,
    deadline: float,
    totals: Totals,
    live: dict[int, Any],
) -> None:
    from feed.client import Backoff, connect
    from feed.io import load_scenario
    from feed.projections import project

    events = load_scenario(_SCENARIO).events
    reference = project(events)
    rng = random.Random(args.seed * 100_003 + index)
    backoff = Backoff(initial=0.05, maximum=2.0, attempts=None)
    loop = asyncio.get_running_loop()
    round_no = 0
    while loop.time() < deadline:
        round_no += 1
        session = f"soak-{rng.randrange(args.sessions)}"
        record = _Round()
        feed = connect(
            url,
            session=session,
            backoff=backoff,
            faults=args.profile,
            fault_seed=rng.randrange(2**32),
            client_id=f"soak-{index}",
            seed=index,
        )
        record.feed = feed
        feed.on_reset(record.snapshot)
        finished = False
        try:
            async with feed:
                live[index] = feed
                async for event in feed:
                    record.events.append(event.seq)
                finished = feed.ended
        except asyncio.CancelledError:
            _tally(totals, feed, record, len(events), reference, finished=False)
            raise
        except Exception as exc:  # a client that gives up is a finding, not a crash
            totals.failures.append(f"client {index} round {round_no}: {exc!r}")
        finally:
            live.pop(index, None)
        _tally(totals, feed, record, len(events), reference, finished=finished)


def _tally(
    totals: Totals, feed: Any, record: _Round, last: int, reference: Any, *, finished: bool
) -> None:
    """Add one round to the totals."""
    lost, twice = record.judge(last, finished)
    totals.rounds += finished
    totals.unfinished += not finished
    totals.delivered += feed.stats.delivered
    totals.connects += feed.stats.connects
    totals.resubscribes += feed.stats.gaps_detected
    totals.duplicates_dropped += feed.stats.duplicates_dropped
    totals.reordered += feed.stats.reordered
    totals.snapshots += feed.stats.snapshots_taken
    totals.lost += lost
    totals.twice += twice
    if finished and (
        feed.standings() != reference.standings() or feed.medal_table() != reference.medal_table()
    ):
        totals.wrong_views += 1


async def _monkey(args: argparse.Namespace, live: dict[int, Any], totals: Totals) -> None:
    """Cut random clients' connections, as a bad network would (the SDK must resume)."""
    rng = random.Random(args.seed)
    while True:
        await asyncio.sleep(rng.expovariate(args.cuts_per_s) if args.cuts_per_s > 0 else 3600)
        if not live:
            continue
        feed = live.get(rng.choice(list(live)))
        link = getattr(feed, "_link", None)  # the SDK's connection loop (no public accessor)
        ws = getattr(link, "ws", None)
        if ws is not None and ws.transport is not None:
            ws.transport.abort()
            totals.cuts += 1


async def _clients(args: argparse.Namespace, url: str, server_pid: int) -> dict[str, Any]:
    totals = Totals()
    live: dict[int, Any] = {}
    loop = asyncio.get_running_loop()
    memory: dict[str, float] = {"server_idle_mib": rss_mib(server_pid)}
    started = loop.time()
    deadline = started + args.minutes * 60
    tasks = []
    for index in range(args.clients):
        client = _client(index, url=url, args=args, deadline=deadline, totals=totals, live=live)
        tasks.append(asyncio.create_task(client))
        if index % 50 == 49:
            await asyncio.sleep(0.2)  # connect in waves, not all in one tick
    monkey = asyncio.create_task(_monkey(args, live, totals))
    await asyncio.sleep(min(20.0, args.minutes * 60 / 4))
    memory["server_start_mib"] = rss_mib(server_pid)
    peak = memory["server_start_mib"]
    while loop.time() < deadline:
        await asyncio.sleep(2.0)
        peak = max(peak, rss_mib(server_pid))
        if args.progress:
            print(
                f"  {loop.time() - started:5.0f} s: rounds {totals.rounds}, delivered "
                f"{totals.delivered}, lost {totals.lost}, server {rss_mib(server_pid):.1f} MiB",
                flush=True,
            )
    memory["server_end_mib"] = rss_mib(server_pid)
    monkey.cancel()
    await asyncio.wait(tasks, timeout=args.grace)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(1.0)
    memory["server_after_clients_left_mib"] = rss_mib(server_pid)
    memory["server_peak_mib"] = max(peak, memory["server_end_mib"])
    return {
        "clients": args.clients,
        "sessions": args.sessions,
        "minutes": args.minutes,
        "profile": args.profile,
        "speed": args.speed,
        "rounds_completed": totals.rounds,
        "rounds_cut_short_at_the_end": totals.unfinished,
        "events_delivered": totals.delivered,
        "connections": totals.connects,
        "resumes": totals.connects - totals.rounds - totals.unfinished,
        "gaps_detected": totals.resubscribes,
        "duplicates_dropped": totals.duplicates_dropped,
        "reordered_in_place": totals.reordered,
        "snapshots_taken": totals.snapshots,
        "random_cuts": totals.cuts,
        "events_lost": totals.lost,
        "seqs_seen_twice": totals.twice,
        "rounds_with_wrong_views": totals.wrong_views,
        "client_failures": totals.failures[:10],
        **{key: round(value, 1) for key, value in memory.items()},
    }


def _contract(args: argparse.Namespace, report: dict[str, Any]) -> dict[str, Any]:
    """The report in the benchmark JSON shape: figures, no baselines (these are counts)."""

    def count(key: str, label: str, value: float, unit: str, zero: bool) -> Figure:
        target, met = ("0", value == 0) if zero else (None, None)
        return figure(f"soak.{key}", label, value, unit, target=target, met=met)

    growth = round(report["server_end_mib"] - report["server_start_mib"], 1)
    return {
        "bench": "soak",
        "params": {
            key: getattr(args, key)
            for key in ("clients", "sessions", "minutes", "profile", "speed", "cuts_per_s", "seed")
        },
        "figures": [
            count(
                "events_delivered", "events delivered", report["events_delivered"], "events", False
            ),
            count("resumes", "resumes (reconnects within a round)", report["resumes"], "", False),
            count(
                "duplicates_dropped", "duplicates dropped", report["duplicates_dropped"], "", False
            ),
            count("events_lost", "events lost", report["events_lost"], "events", True),
            count("seqs_seen_twice", "seqs seen twice", report["seqs_seen_twice"], "", True),
            count(
                "rounds_with_wrong_views",
                "rounds ending on views other than the reference",
                report["rounds_with_wrong_views"],
                "rounds",
                True,
            ),
            count("server_growth_mib", "server memory, end less start", growth, "MiB", False),
        ],
        "extra": report,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=500, help="SDK clients (500)")
    parser.add_argument("--sessions", type=int, default=5, help="sessions they share (5)")
    parser.add_argument("--minutes", type=float, default=5.0, help="how long (5)")
    parser.add_argument("--profile", default="chaos", help="fault spec for every client (chaos)")
    parser.add_argument(
        "--speed", type=float, default=10.0, help="replay speed (10: a race a minute)"
    )
    parser.add_argument("--cuts-per-s", type=float, default=2.0, help="random cuts a second (2)")
    parser.add_argument("--seed", type=int, default=1, help="seeds faults, cuts and choices (1)")
    parser.add_argument("--grace", type=float, default=120.0, help="seconds to finish rounds")
    parser.add_argument("--progress", action="store_true", help="print progress every 2 s")
    parser.add_argument("--quick", action="store_true", help="20 clients for 15 s at 50x")
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    parser.add_argument("--role", choices=["harness", "server"], default="harness")
    parser.add_argument("--ready", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.minutes, args.grace, args.speed = 20, 0.25, 30.0, 50.0
    raise_fd_limit(needed=args.clients * 3 + 256)

    from feed.cli.structured_logs import configure_logging

    configure_logging(level="warning")
    # Writing to a connection the cuts just aborted makes asyncio warn each time: expected.
    logging.getLogger("asyncio").setLevel(logging.ERROR)
    if args.role == "server":
        asyncio.run(_serve(args))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "port"
        command = [sys.executable, str(Path(__file__).resolve()), "--role", "server"]
        command += ["--ready", str(ready), "--clients", str(args.clients)]
        command += ["--sessions", str(args.sessions), "--speed", str(args.speed)]
        server = subprocess.Popen(command, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            waited = time.monotonic()
            while not ready.exists() or not ready.read_text():
                if server.poll() is not None or time.monotonic() - waited > 60:
                    print("soak: the server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.05)
            url = f"ws://127.0.0.1:{ready.read_text()}/"
            report = asyncio.run(_clients(args, url, server.pid))
        finally:
            server.terminate()
            server.wait(30)
    width = max(len(key) for key in report)
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    if args.json:
        print(json.dumps(_contract(args, report)))
    whole = report["events_lost"] == 0 and report["seqs_seen_twice"] == 0
    return 0 if whole and report["rounds_with_wrong_views"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
