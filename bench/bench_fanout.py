"""Fan-out: racefeed's server against a bare websockets.broadcast loop and a naive server.

Three servers are measured in the same run, each alone in its own process, with
the websocket clients in another process (raw sockets, so the client side costs
as little as possible):

- ``racefeed``: the real server (``run_server``), one session, subscribers ``live``;
- ``bare``: a loop calling ``websockets.broadcast`` with the same pre-encoded frames
  (the ceiling: no backpressure, no bookkeeping);
- ``naive``: a loop that encodes each event for each client and awaits ``send``.

Two phases, each on fresh processes:

- throughput: ``--events`` frames, one event each, sent back to back (the server
  yields to the loop between frames); delivered events/s = events x subscribers /
  (last delivery - first send), and server CPU per delivery;
- latency: ``--rate`` events a second for ``--seconds``, on the real clock; the
  latency of a delivery is its arrival at the client minus the event's deadline.

    .venv/bin/python bench/bench_fanout.py                      # 100, 1000, 5000 subscribers
    .venv/bin/python bench/bench_fanout.py --subscribers 1000 --json
"""

from __future__ import annotations

import argparse
import array
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

_START = datetime(2025, 9, 17, 13, 20, 40, tzinfo=UTC)
_MODES = ("racefeed", "bare", "naive")


def _raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _log(count: int, period_ms: float) -> list[Any]:
    """Envelopes the size of the Tokyo final's (about 240 bytes), ``period_ms`` apart."""
    from feed.events import SplitRecorded, SplitRecordedData
    from feed.replay import format_utc

    return [
        SplitRecorded(
            seq=n,
            stream="tokyo-2025-m1500-final",
            race="tokyo-2025-m1500-final",
            race_ms=int(n * period_ms),
            at=format_utc(_START + timedelta(milliseconds=n * period_ms)),
            data=SplitRecordedData(
                athlete_id="cheruiyot-timothy", distance_m=100 * (n % 15 + 1), elapsed_ms=n * 10
            ),
        )
        for n in range(1, count + 1)
    ]


# -- the servers (one process each) -----------------------------------------------------


async def _serve(mode: str, phase: str, events: int, rate: float, ready: Path) -> None:
    """Run one server; wait for GO on stdin; run the phase; print DONE with its timings."""
    from websockets.asyncio.server import broadcast, serve

    from feed.codec import encode
    from feed.net import (
        OutboxLimits,
        RealClock,
        ServerConfig,
        SessionSpec,
        VirtualClock,
        run_server,
    )

    loop = asyncio.get_running_loop()
    period_ms = 1.0 if phase == "throughput" else 1000.0 / rate
    log = _log(events, period_ms)
    frames = [encode(event) for event in log]
    go = asyncio.Event()
    waiting = loop.run_in_executor(None, sys.stdin.readline)
    waiting.add_done_callback(lambda _: go.set())
    report: dict[str, float] = {}

    if mode == "racefeed":
        from feed import wire

        clock = VirtualClock() if phase == "throughput" else RealClock()
        from feed.net.limits import ConnectionLimits

        huge = OutboxLimits(backlog_frames=10**6, backlog_bytes=2**34, write_buffer=2**18)
        many = ConnectionLimits(max_connections=10**5, max_connections_per_address=10**5)
        config = ServerConfig(
            limits=huge,
            connection_limits=many,
            heartbeat_s=3600,
            rate_per_s=1e6,
            rate_burst=10**6,
        )
        spec = SessionSpec(name="bench", events=log, paused=True, token="t", max_gap_ms=None)
        async with run_server(port=0, sessions=[spec], clock=clock, config=config) as server:
            ready.write_text(str(server.port))
            await go.wait()
            session = server.sessions["bench"]
            cpu = time.process_time()
            start = time.monotonic()
            session.control(wire.Control(session="bench", token="t", action="play"))
            if phase == "throughput":
                assert isinstance(clock, VirtualClock)
                while clock.jump():
                    await asyncio.sleep(0)
            else:
                report["deadline_1"] = session.replay.deadline_of(1) or start
                await session.finished.wait()
            report |= {"start": start, "sent": time.monotonic()}
            report["cpu"] = time.process_time() - cpu
            await asyncio.sleep(float(os.environ.get("BENCH_LINGER", "3")))
            report["cpu_total"] = time.process_time() - cpu
        print("DONE " + json.dumps(report), flush=True)
        return

    conns: set[Any] = set()

    async def handler(ws: Any) -> None:
        await ws.recv()  # the subscribe message
        await ws.send('{"op":"subscribed"}')
        conns.add(ws)
        try:
            await ws.wait_closed()
        finally:
            conns.discard(ws)

    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        ready.write_text(str(server.sockets[0].getsockname()[1]))
        await go.wait()
        targets = list(conns)
        cpu = time.process_time()
        start = time.monotonic()
        clock = RealClock()
        for index, (event, frame) in enumerate(zip(log, frames, strict=True)):
            if phase == "latency":
                deadline = start + index / rate
                if index == 0:
                    report["deadline_1"] = deadline
                fired = asyncio.Event()
                clock.call_at(deadline, fired.set)
                await fired.wait()
            if mode == "bare":
                broadcast(targets, frame, text=True)
                await asyncio.sleep(0)
            else:
                for ws in targets:
                    await ws.send(encode(event).decode())
        report |= {"start": start, "sent": time.monotonic()}
        report["cpu"] = time.process_time() - cpu
        await asyncio.sleep(float(os.environ.get("BENCH_LINGER", "3")))
        report["cpu_total"] = time.process_time() - cpu
    print("DONE " + json.dumps(report), flush=True)


# -- the clients (one process for all of them) -------------------------------------------


class _RawClient(asyncio.Protocol):
    """A websocket client reduced to what the measurement needs: count frames, time them."""

    def __init__(self, owner: _Clients, index: int, subscribe: bytes) -> None:
        self.owner = owner
        self.index = index
        self.subscribe = subscribe
        self.buffer = bytearray()
        self.open = False
        self.ready = False
        self.events = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        transport.write(
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            assert buffer.startswith(b"HTTP/1.1 101"), bytes(buffer[:80])
            del buffer[: end + 4]
            self.open = True
            self._send(0x1, self.subscribe)
        offset = 0
        size = len(buffer)
        while size - offset >= 2:
            first, second = buffer[offset], buffer[offset + 1] & 0x7F
            header = 2
            if second == 126:
                if size - offset < 4:
                    break
                second = int.from_bytes(buffer[offset + 2 : offset + 4], "big")
                header = 4
            elif second == 127:
                if size - offset < 10:
                    break
                second = int.from_bytes(buffer[offset + 2 : offset + 10], "big")
                header = 10
            if size - offset < header + second:
                break
            opcode = first & 0x0F
            if opcode == 0x1:
                kind = buffer[offset + header + 2 : offset + header + 6]
                if kind == b"type":
                    self.events += 1
                    self.owner.delivered(self, now)
                elif buffer[offset + header] == 0x5B:  # "[": a batch (a server running late)
                    payload = bytes(buffer[offset + header : offset + header + second])
                    for _ in range(payload.count(b'"type":')):
                        self.events += 1
                        self.owner.delivered(self, now)
                elif not self.ready:
                    self.ready = True
                    self.owner.subscribed()
            elif opcode == 0x9:  # ping: answer, or the server drops us
                self._send(0xA, bytes(buffer[offset + header : offset + header + second]))
            offset += header + second
        del buffer[:offset]

    def _send(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None and len(payload) < 126
        # A zero mask key: masking is required of clients, any key will do here.
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + b"\0\0\0\0" + payload)


class _Clients:
    def __init__(self, count: int, events: int, sample_every: int) -> None:
        self.count = count
        self.events = events
        self.sample_every = sample_every
        self.ready_count = 0
        self.done_count = 0
        self.all_ready = asyncio.Event()
        self.all_done = asyncio.Event()
        self.first = float("inf")
        self.last = 0.0
        self.samples = array.array("d")  # (seq, arrival) pairs of sampled clients

    def subscribed(self) -> None:
        self.ready_count += 1
        if self.ready_count == self.count:
            self.all_ready.set()

    def delivered(self, client: _RawClient, now: float) -> None:
        self.first = min(self.first, now)
        if client.index % self.sample_every == 0:
            self.samples.extend((client.events, now))
        if client.events == self.events:
            self.last = max(self.last, now)
            self.done_count += 1
            if self.done_count == self.count:
                self.all_done.set()


async def _clients(port: int, count: int, events: int, sample_every: int, out: Path) -> None:
    loop = asyncio.get_running_loop()
    owner = _Clients(count, events, sample_every)
    subscribe = b'{"op":"subscribe","session":"bench","live":true}'
    for start in range(0, count, 200):
        batch = [
            loop.create_connection(lambda i=i: _RawClient(owner, i, subscribe), "127.0.0.1", port)
            for i in range(start, min(count, start + 200))
        ]
        await asyncio.gather(*batch)
    await asyncio.wait_for(owner.all_ready.wait(), 120)
    print("SUBSCRIBED", flush=True)
    await asyncio.wait_for(owner.all_done.wait(), 600)
    with out.open("wb") as handle:
        owner.samples.tofile(handle)
    print("RECEIVED " + json.dumps({"first": owner.first, "last": owner.last}), flush=True)


# -- the harness -----------------------------------------------------------------------


def _run_one(mode: str, phase: str, subscribers: int, args: argparse.Namespace) -> dict[str, Any]:
    if phase == "throughput":
        events = args.events or min(5000, max(100, args.deliveries // subscribers))
    else:
        events = int(args.rate * args.seconds)
    me = [sys.executable, str(Path(__file__).resolve())]
    loop_flag = ["--loop", args.loop]
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "port"
        samples = Path(tmp) / "samples"
        server = subprocess.Popen(
            [
                *me,
                "--role",
                "server",
                "--mode",
                mode,
                "--phase",
                phase,
                "--events",
                str(events),
                "--rate",
                str(args.rate),
                "--ready",
                str(ready),
                *loop_flag,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdin is not None and server.stdout is not None
        while not ready.exists() or not ready.read_text():
            time.sleep(0.02)
        port = ready.read_text()
        clients = subprocess.Popen(
            [
                *me,
                "--role",
                "clients",
                "--port",
                port,
                "--subscribers",
                str(subscribers),
                "--events",
                str(events),
                "--samples",
                str(samples),
                *loop_flag,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert clients.stdout is not None
        line = clients.stdout.readline()
        assert line.startswith("SUBSCRIBED"), line
        server.stdin.write("GO\n")
        server.stdin.flush()
        received = json.loads(clients.stdout.readline().split(" ", 1)[1])
        done = json.loads(server.stdout.readline().split(" ", 1)[1])
        server.wait(60)
        clients.wait(60)
        pairs = array.array("d")
        with samples.open("rb") as handle:
            pairs.frombytes(handle.read())
    deliveries = events * subscribers
    elapsed = received["last"] - done["start"]
    result: dict[str, Any] = {
        "mode": mode,
        "phase": phase,
        "subscribers": subscribers,
        "events": events,
        "deliveries_per_s": deliveries / elapsed,
        "elapsed_s": elapsed,
        "server_cpu_us_per_delivery": done["cpu_total"] * 1e6 / deliveries,
    }
    if phase == "latency":
        period = 1.0 / args.rate
        latencies = sorted(
            (pairs[i + 1] - (done["deadline_1"] + (pairs[i] - 1) * period)) * 1000.0
            for i in range(0, len(pairs), 2)
        )
        result |= {
            "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
            "max_ms": latencies[-1],
            "samples": len(latencies),
        }
    return result


def _harness(args: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    for subscribers in args.subscribers or [100, 1000, 5000]:
        for phase in ("throughput", "latency"):
            runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in _MODES}
            for repeat in range(args.repeat):
                # Rotate the order so that no mode always runs first (or last) on a busy box.
                order = _MODES[repeat % 3 :] + _MODES[: repeat % 3]
                for mode in order:
                    runs[mode].append(_run_one(mode, phase, subscribers, args))
            for mode in _MODES:
                result = _median(runs[mode])
                results.append(result)
                if not args.json:
                    extra = (
                        f"  p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms"
                        if phase == "latency"
                        else ""
                    )
                    print(
                        f"{subscribers:>5} {phase:<10} {mode:<9} "
                        f"{result['deliveries_per_s']:>11,.0f} deliveries/s  "
                        f"cpu {result['server_cpu_us_per_delivery']:.2f} us/delivery{extra}",
                        flush=True,
                    )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _ratios(results)
    return 0


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each measured figure over repeated runs (the rest from the first)."""
    merged = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, float):
            merged[key] = statistics.median(run[key] for run in runs)
    merged["runs"] = len(runs)
    return merged


def _ratios(results: list[dict[str, Any]]) -> None:
    print("\nracefeed against the bare broadcast ceiling:")
    for subscribers in sorted({r["subscribers"] for r in results}):
        row = {(r["mode"], r["phase"]): r for r in results if r["subscribers"] == subscribers}
        rf, bare = row[("racefeed", "throughput")], row[("bare", "throughput")]
        naive = row[("naive", "throughput")]
        lat_rf, lat_bare = row[("racefeed", "latency")], row[("bare", "latency")]
        print(
            f"{subscribers:>5} subscribers: throughput "
            f"{rf['deliveries_per_s'] / bare['deliveries_per_s']:.0%} of bare "
            f"({rf['deliveries_per_s'] / naive['deliveries_per_s']:.1f}x naive), "
            f"p99 latency {lat_rf['p99_ms'] / lat_bare['p99_ms']:.2f}x bare"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["harness", "server", "clients"], default="harness")
    parser.add_argument("--mode", choices=_MODES, default="racefeed")
    parser.add_argument("--phase", choices=["throughput", "latency"], default="throughput")
    parser.add_argument("--subscribers", type=int, action="append")
    parser.add_argument("--events", type=int, default=0, help="frames (throughput phase)")
    parser.add_argument(
        "--deliveries", type=int, default=1_000_000, help="events x subscribers per throughput run"
    )
    parser.add_argument("--rate", type=float, default=20.0, help="events/s in the latency phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency phase")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--samples", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    _raise_fd_limit()
    if args.role == "harness":
        return _harness(args)
    if args.loop == "uvloop":
        import uvloop

        uvloop.install()
    from feed.net.logging import configure_logging

    configure_logging(level="warning")
    if args.role == "server":
        asyncio.run(_serve(args.mode, args.phase, args.events, args.rate, args.ready))
    else:
        count = args.subscribers[0]
        sample_every = max(1, count // 100)
        asyncio.run(_clients(args.port, count, args.events, sample_every, args.samples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
