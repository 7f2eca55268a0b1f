"""Memory budget: server RSS under an adversarial mix, with the server-wide budget and without.

Per-client limits alone do not bound a server (``docs/reliability.md``, "The
server-wide memory budget"). This runs the same adversarial mix against two
servers, each alone in its own process:

- ``budget``: the real server with its server-wide bounds scaled down so that a
  short run reaches them (``--outbound-mib``, ``--cached-mib``, ``--held-mib``);
- ``per-client``: the same server with those three bounds lifted (2**40 bytes), so
  that only the per-client limits hold (``backlog_bytes``, ``fault_held_frames``):
  what a server had before the budget, measured in the same run.

The mix, from one client process on raw sockets, over ``--sessions`` copies of the
Tokyo championship (the largest views frames in the catalog), each replayed over
and over at ``instant`` speed (seek to the start, play) for ``--duration`` s:

- ``--stalled`` clients subscribe with ``views`` and ``snapshot`` from seq 1 and
  then never read (their socket buffers fill, then their backlogs); when the
  server cuts one off (``too_slow``) it comes straight back;
- ``--held`` clients read, but subscribe with ``delay_ms`` long enough that the
  faults hold back every event (each with its own seed);
- ``--fillers`` clients subscribe with ``snapshot`` and ``views`` at random seqs
  again and again, so that the snapshot and views cache fills with distinct frames.

The harness reads the server's ``VmRSS`` when it is idle (sessions open, no
client), every 0.1 s during the mix (the peak), and after it. The figure is the
peak growth over idle with the budget, against the growth with per-client limits
only; the target is that the growth stays under the budget's bound for this
configuration: outbound + cached + held + stalled x ``write_buffer``.

    .venv/bin/python bench/bench_budget.py                # 200 stalled, 60 held, 20 fillers
    .venv/bin/python bench/bench_budget.py --quick --json

``--json`` prints one object as the last line (``docs/benchmarks.md``'s contract).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchkit import (
    Figure,
    RawWebSocket,
    answer_rss_requests,
    figure,
    raise_fd_limit,
    rss_kib,
)

_MODES = ("budget", "per-client")
_SCENARIO = "tokyo-2025-championship"
_TOKEN = "bench"
_LIFTED = 2**40


# -- the server (one process per mode) ---------------------------------------------------


async def _serve(args: argparse.Namespace) -> None:
    """Run one server over ``--sessions`` championship sessions, paused; answer RSS requests."""
    from feed.io import load_scenario
    from feed.protocol import Limits
    from feed.server import ServerConfig, SessionSpec, run_server

    events = load_scenario(_SCENARIO).events
    mib = 2**20
    bounded = args.mode == "budget"
    limits = Limits(
        max_connections=10**5,
        max_connections_per_address=10**5,
        outbound_bytes=args.outbound_mib * mib if bounded else _LIFTED,
        cached_frame_bytes=args.cached_mib * mib if bounded else _LIFTED,
        fault_held_bytes=args.held_mib * mib if bounded else _LIFTED,
    )
    specs = [
        SessionSpec(name=f"s{n}", events=events, paused=True, token=_TOKEN)
        for n in range(args.sessions)
    ]
    async with run_server(port=0, sessions=specs, config=ServerConfig(limits=limits)) as server:
        args.ready.write_text(f"{server.port} {len(events)} {limits.write_buffer}")
        await answer_rss_requests()


# -- the clients (one process for all of them) -------------------------------------------


class _Stalled(RawWebSocket):
    """Subscribes to views and a snapshot, then stops reading for good."""

    def __init__(self, session: str, gone: asyncio.Event) -> None:
        super().__init__()
        self.session = session
        self.gone = gone

    def on_open(self) -> None:
        message = (
            f'{{"op":"subscribe","session":"{self.session}","from_seq":1,'
            f'"views":true,"snapshot":true}}'
        )
        self.send(0x1, message.encode())
        assert self.transport is not None
        self.transport.pause_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone.set()


class _Reader(RawWebSocket):
    """Sends one message once open, then reads (and answers pings) until closed.

    With ``hang_up_on``, it closes as soon as a frame holding those bytes comes.
    """

    def __init__(self, message: str, gone: asyncio.Event, hang_up_on: bytes = b"") -> None:
        super().__init__()
        self.message = message
        self.gone = gone
        self.hang_up_on = hang_up_on

    def on_open(self) -> None:
        self.send(0x1, self.message.encode())

    def on_text(self, payload: memoryview) -> None:
        if self.hang_up_on and self.hang_up_on in payload.tobytes():
            assert self.transport is not None
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone.set()


async def _keep_open(make: Any, port: int, until: float) -> int:
    """Hold one connection of ``make(gone)`` open until ``until``, reopening it when cut off."""
    loop = asyncio.get_running_loop()
    opened = 0
    while loop.time() < until:
        gone = asyncio.Event()
        try:
            transport, _ = await loop.create_connection(
                lambda gone=gone: make(gone), "127.0.0.1", port
            )
        except OSError:
            await asyncio.sleep(0.1)
            continue
        opened += 1
        try:
            async with asyncio.timeout(max(0.0, until - loop.time())):
                await gone.wait()
        except TimeoutError:
            pass
        transport.close()
    return opened


async def _control(port: int, sessions: int, until: float) -> int:
    """Replay every session from the start at ``instant`` speed, again and again; rounds played."""
    loop = asyncio.get_running_loop()
    gone = asyncio.Event()
    transport, link = await loop.create_connection(
        lambda: _Reader('{"op":"ping"}', gone), "127.0.0.1", port
    )
    rounds = 0
    speed = '{{"op":"control","session":"s{n}","token":"bench","action":"speed","speed":"instant"}}'
    seek = '{{"op":"control","session":"s{n}","token":"bench","action":"seek","seq":0}}'
    play = '{{"op":"control","session":"s{n}","token":"bench","action":"play"}}'
    for n in range(sessions):
        link.send(0x1, speed.format(n=n).encode())
    while loop.time() < until and not gone.is_set():
        for n in range(sessions):
            link.send(0x1, seek.format(n=n).encode())
            link.send(0x1, play.format(n=n).encode())
        rounds += 1
        await asyncio.sleep(1.0)
    transport.close()
    return rounds


async def _clients(args: argparse.Namespace) -> None:
    """Run the adversarial mix for ``--duration`` s; print what was opened."""
    port, events = args.port, args.events
    loop = asyncio.get_running_loop()
    until = loop.time() + args.duration
    rng = random.Random(args.seed)
    jobs: list[asyncio.Task[int]] = []
    for n in range(args.stalled):
        session = f"s{n % args.sessions}"
        jobs.append(
            asyncio.create_task(_keep_open(lambda gone, s=session: _Stalled(s, gone), port, until))
        )
    for n in range(args.held):
        message = (
            f'{{"op":"subscribe","session":"s{n % args.sessions}","from_seq":1,'
            f'"faults":"delay_ms=3600000","fault_seed":{n}}}'
        )
        jobs.append(
            asyncio.create_task(_keep_open(lambda gone, m=message: _Reader(m, gone), port, until))
        )

    async def filler(n: int) -> int:
        asked = 0
        while loop.time() < until:
            seq = rng.randint(2, events)
            message = (
                f'{{"op":"subscribe","session":"s{n % args.sessions}","from_seq":{seq},'
                f'"snapshot":true}}'
            )
            gone = asyncio.Event()
            try:
                transport, _ = await loop.create_connection(
                    lambda m=message, g=gone: _Reader(m, g, hang_up_on=b'"op":"snapshot"'),
                    "127.0.0.1",
                    port,
                )
            except OSError:
                await asyncio.sleep(0.1)
                continue
            asked += 1
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await gone.wait()
            transport.close()
        return asked

    jobs.extend(asyncio.create_task(filler(n)) for n in range(args.fillers))
    rounds = await _control(port, args.sessions, until)
    opened = sum(await asyncio.gather(*jobs))
    print(f"DONE {opened} {rounds}", flush=True)


# -- the harness -----------------------------------------------------------------------


def _run_one(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    me = [sys.executable, str(Path(__file__).resolve())]
    shape = [
        *("--sessions", str(args.sessions)),
        *("--outbound-mib", str(args.outbound_mib)),
        *("--cached-mib", str(args.cached_mib)),
        *("--held-mib", str(args.held_mib)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "port"
        server = subprocess.Popen(
            [*me, "--role", "server", "--mode", mode, "--ready", str(ready), *shape],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdin is not None and server.stdout is not None

        def measure() -> int:
            assert server.stdin is not None and server.stdout is not None
            server.stdin.write("MEASURE\n")
            server.stdin.flush()
            line = server.stdout.readline()
            assert line.startswith("RSS "), line
            return int(line.split()[1])

        try:
            while not ready.exists() or not ready.read_text():
                if server.poll() is not None:
                    raise RuntimeError(f"the {mode} server exited with {server.returncode}")
                time.sleep(0.05)
            port, events, write_buffer = ready.read_text().split()
            time.sleep(args.settle)
            idle = measure()
            clients = subprocess.Popen(
                [
                    *me,
                    *("--role", "clients", "--port", port, "--events", events),
                    *("--duration", str(args.duration), "--seed", str(args.seed)),
                    *("--stalled", str(args.stalled), "--held", str(args.held)),
                    *("--fillers", str(args.fillers)),
                    *shape,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            peak = idle
            while clients.poll() is None:
                peak = max(peak, rss_kib(server.pid))
                time.sleep(0.1)
            assert clients.stdout is not None
            done = clients.stdout.read().split()
            assert done[:1] == ["DONE"] and clients.returncode == 0, (done, clients.returncode)
            time.sleep(args.settle)
            after = measure()
        finally:
            server.stdin.close()
            server.wait(60)
    return {
        "mode": mode,
        "idle_kib": idle,
        "peak_kib": peak,
        "after_kib": after,
        "growth_mib": (peak - idle) / 1024,
        "connections": int(done[1]),
        "rounds": int(done[2]),
        "write_buffer": int(write_buffer),
    }


def _harness(args: argparse.Namespace) -> int:
    results = {mode: _run_one(mode, args) for mode in _MODES}
    bounded, lifted = results["budget"], results["per-client"]
    bound_mib = (
        args.outbound_mib
        + args.cached_mib
        + args.held_mib
        + args.stalled * bounded["write_buffer"] / 2**20
    )
    if not args.json:
        for result in results.values():
            print(
                f"{result['mode']:<10} RSS idle {result['idle_kib'] / 1024:7.1f} MiB, peak "
                f"{result['peak_kib'] / 1024:7.1f} MiB (+{result['growth_mib']:.1f}), after "
                f"{result['after_kib'] / 1024:7.1f} MiB; {result['connections']:,} connections, "
                f"{result['rounds']} rounds",
                flush=True,
            )
    figures: list[Figure] = [
        figure(
            "budget.growth_mib",
            f"server RSS growth under the adversarial mix ({args.stalled} stalled, {args.held} "
            f"held, {args.fillers} fillers, {args.sessions} sessions), MiB",
            bounded["growth_mib"],
            "MiB",
            baseline_label="the same mix with per-client limits only (server-wide bounds lifted)",
            baseline=lifted["growth_mib"],
            target=f"< the budget's bound for this run, {bound_mib:.0f} MiB",
            met=bounded["growth_mib"] < bound_mib,
        )
    ]
    params = {
        "sessions": args.sessions,
        "stalled": args.stalled,
        "held": args.held,
        "fillers": args.fillers,
        "duration_s": args.duration,
        "outbound_mib": args.outbound_mib,
        "cached_mib": args.cached_mib,
        "held_mib": args.held_mib,
        "bound_mib": bound_mib,
        "quick": args.quick,
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(
            json.dumps(
                {"bench": "bench_budget", "params": params, "figures": figures, "extra": results}
            )
        )
        return 0
    head = figures[0]
    ratio = f"{head['ratio']:.2f}x" if head["ratio"] is not None else "n/a"
    print(
        f"budget: +{head['value']:.1f} MiB = {ratio} per-client only (+{lifted['growth_mib']:.1f}"
        f" MiB); bound {bound_mib:.0f} MiB: {'held' if head['met'] else 'NOT held'}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--role", choices=["harness", "server", "clients"], default="harness")
    parser.add_argument("--mode", choices=_MODES, default="budget")
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--stalled", type=int, default=0, help="clients that never read")
    parser.add_argument("--held", type=int, default=0, help="subscribers whose faults hold all")
    parser.add_argument("--fillers", type=int, default=0, help="clients filling the caches")
    parser.add_argument("--duration", type=float, default=0.0, help="seconds of the mix")
    parser.add_argument("--outbound-mib", type=int, default=32)
    parser.add_argument("--cached-mib", type=int, default=8)
    parser.add_argument("--held-mib", type=int, default=16)
    parser.add_argument("--settle", type=float, default=1.0, help="seconds idle before an RSS")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--events", type=int, default=0)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--quick", action="store_true", help="a smaller, shorter mix")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.role == "harness":
        quick = args.quick
        args.stalled = args.stalled or (60 if quick else 200)
        args.held = args.held or (20 if quick else 60)
        args.fillers = args.fillers or (5 if quick else 20)
        args.duration = args.duration or (8.0 if quick else 30.0)
    raise_fd_limit()
    if args.role == "harness":
        return _harness(args)
    from feed.cli.structured_logs import configure_logging

    configure_logging(level="warning")
    if args.role == "server":
        asyncio.run(_serve(args))
    else:
        asyncio.run(_clients(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
