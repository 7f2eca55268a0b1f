"""Fan-out: racefeed's server against a bare websockets.broadcast loop and a naive server.

    .venv/bin/python bench/bench_fanout.py                  # 100, 1000, 5000, 10000 subscribers
    .venv/bin/python bench/bench_fanout.py --quick --json   # 100 and 1000, short (smoke test)
    .venv/bin/python bench/bench_fanout.py --subscribers 1000 --repeat 1

Servers measured in the same run, each alone in its own process, with the websocket
clients in one or two other processes (raw sockets, so that the client side costs as
little as it can; two processes from 5,000 subscribers on):

- ``racefeed``: the real server (``run_server``), one session, subscribers ``live``;
- ``bare``: a loop calling ``websockets.broadcast`` with the same pre-encoded frames
  (the ceiling: no backpressure, no bookkeeping);
- ``naive``: a loop that encodes each event for each client and awaits ``send``
  (throughput phase only, for context).

Three phases, each on fresh processes, each figure the median of ``--repeat`` runs:

- throughput: frames of one event each, sent back to back (every server yields to
  the loop between frames; racefeed is driven by a virtual clock jumping from one
  deadline to the next); delivered events/s = events x subscribers / (last arrival
  at a client - first send), and server CPU per delivery (until the last arrival);
- batched: the same, but ``--batch`` events fall due at once (a replay running
  fast), so racefeed packs them into one batch frame (a JSON array); ``bare`` here
  broadcasts the same events pre-packed ``--batch`` to a frame (context). The
  clients count every event of a batch, and check the count against the last seq
  of the frame. The headline ratio is against the per-event ``bare`` ceiling;
- latency: a rate per subscriber count (``--rate``: 100 events/s at 100 and 1,000,
  20 at 5,000, 10 at 10,000) for ``--seconds`` on the real clock; the latency of a
  delivery is its arrival at the client minus the event's deadline.

``--json`` ends the output with one JSON object (``bench``, ``params``, ``figures``,
``extra``), figure keys for each subscriber count ``n``:

- ``fanout.<n>.events_per_s``: racefeed, one event a frame; baseline bare (target
  at 1,000: ratio >= 0.9);
- ``fanout.<n>.batched_events_per_s``: racefeed batching; baseline the per-event bare
  ceiling (target at 1,000: ratio >= 5);
- ``fanout.<n>.bare_batched_events_per_s``: bare broadcasting pre-packed frames, for
  context; baseline the per-event bare ceiling;
- ``fanout.<n>.p99_ms``: racefeed's p99 latency; baseline bare's (targets: ratio <=
  1.2 at 1,000; < 50 ms at 5,000; < 100 ms at 10,000);
- ``fanout.<n>.cpu_us_per_delivery``: racefeed's server CPU per delivery in the
  throughput phase; baseline bare's.

``extra.runs`` holds every measured row (median of the repeats).
"""

from __future__ import annotations

import argparse
import array
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchkit import HANDSHAKE, Figure, figure, masked_frame, median, raise_fd_limit, split_log

_MODES = ("racefeed", "bare", "naive")
_PHASES = ("throughput", "batched", "latency")
_DEFAULT_COUNTS = (100, 1000, 5000, 10_000)
_DEFAULT_RATES = {100: 100.0, 1000: 100.0, 5000: 20.0, 10_000: 10.0}
_BACKLOG = 4096  # listen backlog: the default 100 drops SYNs when 1,000s connect (1 s retries)
_EVENT = b'{"type":'  # how every envelope starts (feed.codec puts the type first)


# -- the servers (one process each) -----------------------------------------------------


def _deepen_backlog(sockets: Any) -> None:
    """Listen again with a deeper backlog (uvloop's socket objects do not offer listen())."""
    for sock in sockets:
        raw = socket.socket(fileno=sock.fileno())
        try:
            raw.listen(_BACKLOG)
        finally:
            raw.detach()  # the fd stays the server's


async def _line(loop: asyncio.AbstractEventLoop) -> None:
    """Wait for the harness's next line on stdin."""
    await loop.run_in_executor(None, sys.stdin.readline)


async def _serve(args: argparse.Namespace) -> None:
    """Run one server; on GO run the phase; on STOP print DONE with its timings."""
    from websockets.asyncio.server import broadcast, serve

    from feed import wire
    from feed.codec import encode
    from feed.protocol import Limits
    from feed.server import RealClock, ServerConfig, SessionSpec, VirtualClock, run_server

    mode, phase, events, rate, group = args.mode, args.phase, args.events, args.rate, 1
    if phase == "batched":
        group = args.batch
    loop = asyncio.get_running_loop()
    period_ms = 1000.0 / rate if phase == "latency" else 1.0
    log = split_log(events, period_ms, group)
    envelopes = [encode(event) for event in log]
    frames = [
        envelopes[start] if group == 1 else wire.encode_batch(envelopes[start : start + group])
        for start in range(0, events, group)
    ]
    go = loop.create_task(_line(loop))
    report: dict[str, float] = {}

    if mode == "racefeed":
        clock = RealClock() if phase == "latency" else VirtualClock()
        limits = Limits(
            backlog_frames=10**6,  # huge: no client is ever cut off
            backlog_bytes=2**34,
            write_buffer=2**18,
            max_connections=10**5,
            max_connections_per_address=10**5,
            heartbeat_s=3600,
            rate_per_s=1e6,
            rate_burst=10**6,
            # batch_events, batch_bytes: the defaults, so a group of due events is one frame
        )
        config = ServerConfig(limits=limits)
        spec = SessionSpec(name="bench", events=log, paused=True, token="t", max_gap_ms=None)
        async with run_server(port=0, sessions=[spec], clock=clock, config=config) as server:
            assert server._ws is not None and server.director is not None
            _deepen_backlog(server._ws.sockets)  # the websockets server inside, on purpose
            Path(args.ready).write_text(str(server.port))
            await go
            session = server.director.sessions["bench"]  # the clock (the director role)
            cpu = time.process_time()
            start = time.monotonic()
            assert session.control(wire.Control(session="bench", token="t", action="play")) is None
            if isinstance(clock, VirtualClock):
                while clock.jump():  # the clock publishes what is due to the log ...
                    await asyncio.sleep(0)  # ... and the gateway role fans it out
            else:
                report["deadline_1"] = session.replay.deadline_of(1) or start
            await server.ended("bench")  # every event fanned out, and `end` sent
            report |= {"start": start, "sent": time.monotonic(), "cpu": time.process_time() - cpu}
            await _line(loop)  # STOP: every client has everything
            report["cpu_total"] = time.process_time() - cpu
        print("DONE " + json.dumps(report), flush=True)
        return

    conns: set[Any] = set()

    async def handler(ws: Any) -> None:
        await ws.recv()  # the subscribe message
        conns.add(ws)
        try:
            await ws.send('{"op":"subscribed"}')
            await ws.wait_closed()
        finally:
            conns.discard(ws)

    async with serve(
        handler, "127.0.0.1", 0, compression=None, max_size=None, backlog=_BACKLOG
    ) as server:
        Path(args.ready).write_text(str(server.sockets[0].getsockname()[1]))
        await go
        targets = list(conns)
        cpu = time.process_time()
        start = time.monotonic()
        clock = RealClock()
        for index, frame in enumerate(frames):
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
                    await ws.send(encode(log[index]).decode())
        report |= {"start": start, "sent": time.monotonic(), "cpu": time.process_time() - cpu}
        await _line(loop)
        report["cpu_total"] = time.process_time() - cpu
    print("DONE " + json.dumps(report), flush=True)


# -- the clients (one or more processes) -------------------------------------------------


# Not a benchkit.RawWebSocket: its own parser counts a lone small event frame undecoded, fast.
class _RawClient(asyncio.Protocol):
    """A websocket client reduced to what the measurement needs: count events, time some."""

    def __init__(self, owner: _Clients, sampled: bool, subscribe: bytes) -> None:
        self.owner = owner
        self.sampled = sampled
        self.subscribe = subscribe
        self.pending = b""  # the start of a frame not yet whole
        self.open = False
        self.ready = False
        self.events = 0
        self.sampled_upto = 0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        transport.write(HANDSHAKE)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        if (  # the common case, first and cheapest: exactly one whole small event frame
            len(data) == 2 + data[1]
            and data[0] == 0x81
            and data.startswith(_EVENT, 2)
            and not self.pending
            and not self.sampled
        ):
            self.events += 1
            if self.events >= self.owner.events:
                self.owner.finished(self, now)
            return
        if self.pending:
            data = self.pending + data
        if not self.open:
            end = data.find(b"\r\n\r\n")
            if end < 0:
                self.pending = data
                return
            assert data.startswith(b"HTTP/1.1 101"), data[:80]
            data = data[end + 4 :]
            self.open = True
            self._send(0x1, self.subscribe)
        before = self.events
        count = before
        offset = 0
        size = len(data)
        while size - offset >= 2:
            length = data[offset + 1] & 0x7F
            start = offset + 2
            if length == 126:
                if size - offset < 4:
                    break
                length = int.from_bytes(data[offset + 2 : offset + 4], "big")
                start = offset + 4
            elif length == 127:
                if size - offset < 10:
                    break
                length = int.from_bytes(data[offset + 2 : offset + 10], "big")
                start = offset + 10
            end = start + length
            if end > size:
                break
            opcode = data[offset] & 0x0F
            if opcode == 0x1:
                if data.startswith(_EVENT, start):
                    count += 1
                elif data[start] == 0x5B:  # "[": a batch of envelopes
                    count += data.count(_EVENT, start, end)
                elif not self.ready:
                    self.ready = True
                    self.owner.subscribed()
                if self.sampled and count > before:
                    self._sample(data, start, end, count, now)
                    before = count
            elif opcode == 0x9:  # ping: answer, or the server drops us
                self._send(0xA, data[start:end])
            offset = end
        self.pending = data[offset:] if offset < size else b""
        if count != self.events:
            self.events = count
            if count >= self.owner.events:
                self.owner.finished(self, now)

    def _sample(self, data: bytes, start: int, end: int, count: int, now: float) -> None:
        """Record the arrival of each event of one frame; check the count against its last seq."""
        at = data.rfind(b'"seq":', start, end)
        seq = int(data[at + 6 : data.index(b",", at, end)])
        if seq != count:
            self.owner.miscounted += 1
        samples = self.owner.samples
        for n in range(self.sampled_upto + 1, count + 1):
            samples.extend((n, now))
        self.sampled_upto = count

    def _send(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None
        self.transport.write(masked_frame(opcode, payload))


class _Clients:
    def __init__(self, count: int, events: int) -> None:
        self.count = count
        self.events = events
        self.ready_count = 0
        self.done_count = 0
        self.miscounted = 0
        self.all_ready = asyncio.Event()
        self.all_done = asyncio.Event()
        self.last = 0.0
        self.samples = array.array("d")  # (seq, arrival) pairs of sampled clients

    def subscribed(self) -> None:
        self.ready_count += 1
        if self.ready_count == self.count:
            self.all_ready.set()

    def finished(self, client: _RawClient, now: float) -> None:
        if client.events > self.events:
            self.miscounted += 1
        self.last = max(self.last, now)
        self.done_count += 1
        if self.done_count == self.count:
            self.all_done.set()


async def _clients(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    count, first = args.subscribers[0], args.first_index
    sample_every = max(1, args.sample_every)
    owner = _Clients(count, args.events)
    subscribe = b'{"op":"subscribe","session":"bench","live":true}'
    for start in range(0, count, 200):
        batch = [
            loop.create_connection(
                lambda i=i: _RawClient(owner, (first + i) % sample_every == 0, subscribe),
                "127.0.0.1",
                args.port,
            )
            for i in range(start, min(count, start + 200))
        ]
        await asyncio.gather(*batch)
    await asyncio.wait_for(owner.all_ready.wait(), 300)
    print("SUBSCRIBED", flush=True)
    cpu = time.process_time()
    await asyncio.wait_for(owner.all_done.wait(), 900)
    with Path(args.samples).open("wb") as handle:
        owner.samples.tofile(handle)
    print(
        "RECEIVED "
        + json.dumps(
            {"last": owner.last, "miscounted": owner.miscounted, "cpu": time.process_time() - cpu}
        ),
        flush=True,
    )


# -- the harness -----------------------------------------------------------------------


def _events_for(phase: str, subscribers: int, rate: float, args: argparse.Namespace) -> int:
    if phase == "latency":
        return max(1, int(rate * args.seconds))
    frames = args.events or min(5000, max(100, args.deliveries // subscribers))
    if phase == "throughput":
        return frames
    # Batched: five times the events of the per-event run, a whole number of frames.
    events = min(50_000, max(5 * frames, 500))
    return events - events % args.batch


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat (zeros where there is none)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _run_one(
    mode: str, phase: str, subscribers: int, rate: float, args: argparse.Namespace
) -> dict[str, Any]:
    began = time.monotonic()
    events = _events_for(phase, subscribers, rate, args)
    me = [sys.executable, str(Path(__file__).resolve())]
    common = ["--loop", args.loop, "--events", str(events), "--batch", str(args.batch)]
    procs = args.client_procs or (1 if subscribers <= 1000 else 2)
    sample_every = max(1, subscribers // 100)
    profile: list[str] = []
    if args.profile and mode == "racefeed" and phase != "latency":
        # py-spy samples the server from outside (pip install py-spy into the venv).
        spy = str(Path(sys.executable).with_name("py-spy"))
        output = f"{args.profile}.{phase}.{subscribers}.txt"
        profile = [spy, "record", "--format", "raw", "--rate", "250", "-o", output, "--"]
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "port"
        server_argv = [*profile, *me, "--role", "server", "--mode", mode, "--phase", phase]
        server = subprocess.Popen(
            [*server_argv, "--rate", str(rate), "--ready", str(ready), *common],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdin is not None and server.stdout is not None
        clients: list[subprocess.Popen[str]] = []
        try:
            waited = time.monotonic()
            while not ready.exists() or not ready.read_text():
                if time.monotonic() - waited > 120:
                    server.kill()
                    raise RuntimeError(f"the {mode} server did not start listening")
                if server.poll() is not None:
                    raise RuntimeError(f"the {mode} server exited with {server.returncode}")
                time.sleep(0.02)
            port = ready.read_text()
            for index in range(procs):
                share = subscribers // procs + (1 if index < subscribers % procs else 0)
                first = index * (subscribers // procs) + min(index, subscribers % procs)
                clients.append(
                    subprocess.Popen(
                        [
                            *me,
                            *("--role", "clients", "--port", port),
                            *("--subscribers", str(share), "--first-index", str(first)),
                            *("--sample-every", str(sample_every)),
                            *("--samples", str(Path(tmp) / f"samples{index}"), *common),
                        ],
                        stdout=subprocess.PIPE,
                        text=True,
                    )
                )
            for client in clients:
                assert client.stdout is not None
                line = client.stdout.readline()
                assert line.startswith("SUBSCRIBED"), line
            ticks = _cpu_ticks()
            server.stdin.write("GO\n")
            server.stdin.flush()
            received = []
            for client in clients:
                assert client.stdout is not None
                received.append(json.loads(client.stdout.readline().split(" ", 1)[1]))
            busy, total = (b - a for a, b in zip(ticks, _cpu_ticks(), strict=True))
            server.stdin.write("STOP\n")
            server.stdin.flush()
            line = server.stdout.readline()
            while line and not line.startswith("DONE "):  # py-spy, when profiling, says things
                line = server.stdout.readline()
            done = json.loads(line.split(" ", 1)[1])
            server.communicate(timeout=60)
            pairs = array.array("d")
            for index, client in enumerate(clients):
                client.wait(60)
                with (Path(tmp) / f"samples{index}").open("rb") as handle:
                    pairs.frombytes(handle.read())
        except BaseException:
            for process in [server, *clients]:
                process.kill()
            raise
    miscounted = sum(r["miscounted"] for r in received)
    if miscounted:
        raise RuntimeError(f"{mode} {phase} {subscribers}: {miscounted} miscounted frames")
    deliveries = events * subscribers
    elapsed = max(r["last"] for r in received) - done["start"]
    result: dict[str, Any] = {
        "mode": mode,
        "phase": phase,
        "subscribers": subscribers,
        "events": events,
        "client_procs": procs,
        "deliveries_per_s": deliveries / elapsed,
        "elapsed_s": elapsed,
        "send_s": done["sent"] - done["start"],
        "run_s": time.monotonic() - began,
        "machine_busy": busy / total if total else 0.0,  # of all cores, by every process
        "client_cpu_s": sum(r["cpu"] for r in received),
        "server_cpu_us_per_delivery": done["cpu_total"] * 1e6 / deliveries,
    }
    if phase == "latency":
        period = 1.0 / rate
        latencies = sorted(
            (pairs[i + 1] - (done["deadline_1"] + (pairs[i] - 1) * period)) * 1000.0
            for i in range(0, len(pairs), 2)
        )
        result |= {
            "rate": rate,
            "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)],
            "max_ms": latencies[-1],
            "samples": len(latencies),
        }
    return result


def _run_retried(
    mode: str, phase: str, subscribers: int, rate: float, args: argparse.Namespace
) -> dict[str, Any]:
    """``_run_one``, tried once more (and said so) when its processes fail to set up.

    Tens of thousands of loopback connections a minute can leave a run's clients
    unable to connect for a while (ports in TIME_WAIT); that is the machine, not the
    server, and a second try after a pause tells the two apart.
    """
    try:
        return _run_one(mode, phase, subscribers, rate, args)
    except (AssertionError, RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        _say(args, f"  {mode} {phase} {subscribers}: {exc!r}; trying once more in 30 s")
        time.sleep(30)
        return _run_one(mode, phase, subscribers, rate, args)


def _say(args: argparse.Namespace, text: str) -> None:
    print(text, file=sys.stderr if args.json else sys.stdout, flush=True)


def _harness(args: argparse.Namespace) -> int:
    counts = args.subscribers or ([100, 1000] if args.quick else list(_DEFAULT_COUNTS))
    rates = dict(_DEFAULT_RATES)
    for item in args.rate or []:
        count, _, rate = item.partition(":")
        rates[int(count)] = float(rate)
    results: list[dict[str, Any]] = []
    for subscribers in counts:
        rate = rates.get(subscribers, 20.0)
        for phase in args.phases.split(","):
            modes = [m for m in _MODES if phase == "throughput" or m != "naive"]
            if args.no_naive:
                modes = [m for m in modes if m != "naive"]
            runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
            for repeat in range(args.repeat):
                # Rotate the order so that no mode always runs first (or last) on a busy box.
                turn = repeat % len(modes)
                for mode in modes[turn:] + modes[:turn]:
                    runs[mode].append(_run_retried(mode, phase, subscribers, rate, args))
            for mode in modes:
                result = median(runs[mode])
                results.append(result)
                extra = (
                    f"  p50 {result['p50_ms']:.2f} ms  p99 {result['p99_ms']:.2f} ms"
                    if phase == "latency"
                    else ""
                )
                _say(
                    args,
                    f"{subscribers:>6} {phase:<10} {mode:<9} "
                    f"{result['deliveries_per_s']:>11,.0f} events/s  "
                    f"cpu {result['server_cpu_us_per_delivery']:.2f} us/delivery  "
                    f"sent in {result['send_s']:.2f} s, all received in {result['elapsed_s']:.2f} s"
                    f" (client cpu {result['client_cpu_s']:.2f} s;"
                    f" machine {result['machine_busy']:.0%} busy)"
                    f"{extra}",
                )
    figures = _figures(results) if args.phases == ",".join(_PHASES) else []
    for entry in figures:
        met = {True: "met", False: "MISSED", None: ""}[entry["met"]]
        ratio = "" if entry["ratio"] is None else f"  {entry['ratio']:.2f}x baseline"
        _say(
            args,
            f"{entry['key']:<38} {entry['value']:>12,.2f} {entry['unit']:<9}{ratio}"
            f"  {entry['target'] or ''} {met}",
        )
    if args.json:
        params = {
            "subscribers": counts,
            "rates": {str(n): rates.get(n, 20.0) for n in counts},
            "deliveries": args.deliveries,
            "batch": args.batch,
            "seconds": args.seconds,
            "repeat": args.repeat,
            "loop": args.loop,
            "quick": args.quick,
            "cpus": os.cpu_count(),
        }
        extra = {"runs": results, "load_average": os.getloadavg()}
        print(
            json.dumps(
                {"bench": "bench_fanout", "params": params, "figures": figures} | {"extra": extra}
            )
        )
    return 0


def _figures(results: list[dict[str, Any]]) -> list[Figure]:
    figures: list[Figure] = []
    per_event = {"baseline_label": "bare websockets.broadcast, one event a frame"}
    bare = "bare websockets.broadcast"
    for n in sorted({r["subscribers"] for r in results}):
        row = {(r["mode"], r["phase"]): r for r in results if r["subscribers"] == n}
        ceiling = row[("bare", "throughput")]["deliveries_per_s"]
        rf = row[("racefeed", "throughput")]["deliveries_per_s"]
        goal: dict[str, Any] = {}
        if n == 1000:
            goal = {"target": "ratio >= 0.9", "met": rf >= 0.9 * ceiling}
        figures.append(
            figure(
                f"fanout.{n}.events_per_s",
                f"fan-out at {n:,} subscribers, one event a frame, delivered events/s",
                rf,
                "events/s",
                **per_event,
                baseline=ceiling,
                **goal,
            )
        )
        batched = row[("racefeed", "batched")]["deliveries_per_s"]
        goal = {"target": "ratio >= 5", "met": batched >= 5 * ceiling} if n == 1000 else {}
        figures.append(
            figure(
                f"fanout.{n}.batched_events_per_s",
                f"fan-out at {n:,} subscribers, events due together packed into batch frames",
                batched,
                "events/s",
                **per_event,
                baseline=ceiling,
                **goal,
            )
        )
        figures.append(
            figure(
                f"fanout.{n}.bare_batched_events_per_s",
                f"bare broadcast of pre-packed batch frames at {n:,} subscribers (context)",
                row[("bare", "batched")]["deliveries_per_s"],
                "events/s",
                **per_event,
                baseline=ceiling,
            )
        )
        lat, lat_bare = row[("racefeed", "latency")], row[("bare", "latency")]
        p99 = lat["p99_ms"]
        goal = {
            1000: {"target": "ratio <= 1.2", "met": p99 <= 1.2 * lat_bare["p99_ms"]},
            5000: {"target": "p99 < 50 ms", "met": p99 < 50},
            10_000: {"target": "p99 < 100 ms", "met": p99 < 100},
        }.get(n, {})
        figures.append(
            figure(
                f"fanout.{n}.p99_ms",
                f"p99 latency at {n:,} subscribers and {lat['rate']:g} events/s",
                p99,
                "ms",
                baseline_label=bare,
                baseline=lat_bare["p99_ms"],
                **goal,
            )
        )
        figures.append(
            figure(
                f"fanout.{n}.cpu_us_per_delivery",
                f"server CPU per delivery at {n:,} subscribers, one event a frame",
                row[("racefeed", "throughput")]["server_cpu_us_per_delivery"],
                "us",
                baseline_label=bare,
                baseline=row[("bare", "throughput")]["server_cpu_us_per_delivery"],
            )
        )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=["harness", "server", "clients"], default="harness")
    parser.add_argument("--mode", choices=_MODES, default="racefeed")
    parser.add_argument("--phase", choices=_PHASES, default="throughput")
    parser.add_argument("--subscribers", type=int, action="append")
    parser.add_argument(
        "--phases", default=",".join(_PHASES), help="harness: phases to run (figures need all)"
    )
    parser.add_argument("--events", type=int, default=0, help="events (one run, fixed)")
    parser.add_argument(
        "--deliveries", type=int, default=0, help="frames x subscribers per throughput run (1M)"
    )
    parser.add_argument("--batch", type=int, default=10, help="events due at once when batched")
    parser.add_argument(
        "--rate",
        action="append",
        help="latency-phase rate, N:EVENTS_PER_S (default 100:100 1000:100 5000:20 10000:10)",
    )
    parser.add_argument("--seconds", type=float, default=0, help="latency phase length (10 s)")
    parser.add_argument("--client-procs", type=int, default=0, help="client processes (1 or 2)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive server")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--samples", type=Path)
    parser.add_argument("--first-index", type=int, default=0)
    parser.add_argument("--sample-every", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=0, help="runs per figure, median (3)")
    parser.add_argument(
        "--profile", help="record racefeed's server with py-spy into PROFILE.<phase>.<n>.txt"
    )
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 subscribers, short")
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    args = parser.parse_args(argv)
    raise_fd_limit()
    if args.role == "harness":
        args.deliveries = args.deliveries or (150_000 if args.quick else 1_000_000)
        args.seconds = args.seconds or (1.5 if args.quick else 10.0)
        args.repeat = args.repeat or (1 if args.quick else 3)
        args.no_naive = args.no_naive or args.quick
        return _harness(args)
    if args.loop == "uvloop":
        import uvloop

        uvloop.install()
    from feed.cli.structured_logs import configure_logging

    configure_logging(level="warning")
    if args.role == "server":
        args.rate = float(args.rate[0])
        asyncio.run(_serve(args))
    else:
        asyncio.run(_clients(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
