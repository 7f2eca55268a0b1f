"""Catch-up: one client resuming far behind, racefeed's server against bare websockets loops.

A session's published log holds ``--events`` events (100,000 by default, envelopes
the size of the Tokyo final's, about 240 bytes); one client subscribes with
``from_seq`` 1 and reads until ``caught_up``. Each server runs alone in its own
process and the client in another (a raw websocket client, so that it costs as
little as it can and does not take the server's core). Servers measured in the
same run, each on fresh processes:

- ``racefeed``: the real server (``run_server``), the session paused after a seek
  to its last event, so that everything is published and nothing flows live;
- ``bare``: a bare ``websockets`` server sending the same pre-encoded envelopes,
  one event per frame (``await ws.send``): the per-event ceiling, the baseline of
  the headline ratio;
- ``bare_batched``: a bare ``websockets`` server sending the same envelopes
  pre-joined into JSON arrays of about ``--batch-kib`` KiB each: the ceiling for
  batch frames (context).

The client counts events by parsing each batch frame with msgspec as
``list[msgspec.Raw]`` (every envelope is scanned to its end, none is decoded into
an event), counts an object frame with a ``type`` as one event, and stops the
clock at ``caught_up``; it checks the count and the last seq. events/s = events
received / (``caught_up`` received - ``subscribe`` sent). For context, the client
process also times its own decoding of the same batches: as ``list[Raw]`` (what
it does here) and fully into events (``feed.wire.decode_server``, what the SDK
does).

    .venv/bin/python bench/bench_catchup.py                     # 100,000 events, 3 runs each
    .venv/bin/python bench/bench_catchup.py --quick --json

``--json`` prints one object as the last line (see ``docs/bench-catchup-memory.md``):
figure keys ``catchup.events_per_s`` (racefeed; baseline: bare, target >= 1,000,000
events/s), ``catchup.events_per_s.vs_batched`` (the same, against the batched ceiling),
``catchup.client_decode_raw_events_per_s`` and
``catchup.client_decode_full_events_per_s`` (the client's own decoding rates).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchkit import Figure, RawWebSocket, figure, median, split_log

_MODES = ("racefeed", "bare", "bare_batched")
_TARGET = 1_000_000.0


def _batches(envelopes: list[bytes], max_bytes: int) -> list[bytes]:
    """The envelopes joined into JSON arrays of at most ``max_bytes`` (one at least)."""
    batches: list[bytes] = []
    start = size = 0
    for index, envelope in enumerate(envelopes):
        if size + len(envelope) + 1 > max_bytes and index > start:
            batches.append(b"[" + b",".join(envelopes[start:index]) + b"]")
            start, size = index, 0
        size += len(envelope) + 1
    batches.append(b"[" + b",".join(envelopes[start:]) + b"]")
    return batches


# -- the servers (one process each) -----------------------------------------------------


async def _serve(mode: str, events: int, batch_kib: int, history_kib: int, ready: Path) -> None:
    """Run one server until stdin closes; print its CPU time for the catch-up on stdout."""
    from websockets.asyncio.server import ServerConnection, serve

    from feed import wire
    from feed.codec import encode

    loop = asyncio.get_running_loop()
    log = split_log(events + 1)  # one more than published: the replay is not over, nothing ends
    stop = asyncio.Event()
    waiting = loop.run_in_executor(None, sys.stdin.read)
    waiting.add_done_callback(lambda _: stop.set())

    if mode == "racefeed":
        from feed.protocol import Limits
        from feed.server import ServerConfig, SessionSpec, VirtualClock, run_server

        limits = Limits(heartbeat_s=3600)
        if history_kib:
            limits = Limits(heartbeat_s=3600, history_bytes=history_kib * 2**10)
        config = ServerConfig(limits=limits)
        spec = SessionSpec(name="bench", events=log, paused=True, token="t", max_gap_ms=None)
        async with run_server(
            port=0, sessions=[spec], clock=VirtualClock(), config=config
        ) as server:
            assert server.director is not None  # the embedded server runs the clocks
            seek = wire.Control(session="bench", token="t", action="seek", seq=events)
            assert server.director.sessions["bench"].control(seek) is None
            await server.gateway.reach_log_head()  # the gateway role has published them all
            head = server.session("bench").protocol.head_seq
            assert head == events, head
            cpu = time.process_time()
            ready.write_text(str(server.port))
            await stop.wait()
        print("CPU " + json.dumps({"cpu_s": time.process_time() - cpu}), flush=True)
        return

    envelopes = [encode(event) for event in log[:events]]
    frames = envelopes if mode == "bare" else _batches(envelopes, batch_kib * 2**10)
    caught_up = b'{"op":"caught_up","session":"bench","epoch":1,"head_seq":%d}' % events

    async def handler(ws: ServerConnection) -> None:
        await ws.recv()  # the subscribe message
        await ws.send(b'{"op":"subscribed"}', text=True)
        for frame in frames:
            await ws.send(frame, text=True)
        await ws.send(caught_up, text=True)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as bare:
        cpu = time.process_time()
        ready.write_text(str(bare.sockets[0].getsockname()[1]))
        await stop.wait()
    print("CPU " + json.dumps({"cpu_s": time.process_time() - cpu}), flush=True)


# -- the client (its own process) --------------------------------------------------------


class _RawClient(RawWebSocket):
    """A websocket client reduced to what the measurement needs: count events, time them."""

    def __init__(self, subscribe: bytes) -> None:
        import msgspec

        super().__init__()
        self.subscribe = subscribe
        self.events = 0
        self.frames = 0
        self.last_seq = 0
        self.sent_at = 0.0
        self.done_at = 0.0
        self.done = asyncio.Event()
        self._raw = msgspec.json.Decoder(list[msgspec.Raw])
        self._any = msgspec.json.Decoder()

    def on_open(self) -> None:
        self.sent_at = time.perf_counter()
        self.send(0x1, self.subscribe)

    def on_text(self, payload: memoryview) -> None:
        # Decoded in place: no copy of the frame (a batch is up to 256 KiB).
        self.frames += 1
        if payload[0] == 0x5B:  # "[": a batch
            envelopes = self._raw.decode(payload)
            self.events += len(envelopes)
            self.last_seq = self._any.decode(envelopes[-1])["seq"]
            del envelopes  # each Raw holds the view, which must go before the buffer moves
            return
        message = self._any.decode(payload)
        if "type" in message:
            self.events += 1
            self.last_seq = message["seq"]
        elif message.get("op") == "caught_up":
            self.done_at = time.perf_counter()
            self.done.set()
        elif message.get("op") == "error":
            raise RuntimeError(f"the server answered an error: {message}")


async def _client(port: int, events: int) -> None:
    loop = asyncio.get_running_loop()
    subscribe = b'{"op":"subscribe","session":"bench","from_seq":1}'
    client = _RawClient(subscribe)
    cpu = time.process_time()
    transport, _ = await loop.create_connection(lambda: client, "127.0.0.1", port)
    await asyncio.wait_for(client.done.wait(), 300)
    cpu = time.process_time() - cpu
    transport.close()
    if client.events != events or client.last_seq != events:
        raise RuntimeError(
            f"expected {events} events up to seq {events}, "
            f"got {client.events} up to seq {client.last_seq}"
        )
    report = {
        "events": client.events,
        "frames": client.frames,
        "elapsed_s": client.done_at - client.sent_at,
        "client_cpu_s": cpu,
    }
    print("RECEIVED " + json.dumps(report), flush=True)


def _decode_rates(events: int, batch_kib: int) -> dict[str, float]:
    """The client's own decoding rates over the batches, in events/s (best of 3)."""
    import msgspec

    from feed import wire
    from feed.codec import encode

    batches = _batches([encode(event) for event in split_log(events)], batch_kib * 2**10)
    raw = msgspec.json.Decoder(list[msgspec.Raw])
    rates: dict[str, float] = {}
    for name, decode in (("raw", raw.decode), ("full", wire.decode_server)):
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for batch in batches:
                decode(batch)
            best = min(best, time.perf_counter() - start)
        rates[name] = events / best
    return rates


# -- the harness -----------------------------------------------------------------------


def _run_one(mode: str, args: argparse.Namespace) -> dict[str, Any]:
    me = [sys.executable, str(Path(__file__).resolve()), "--loop", args.loop]
    with tempfile.TemporaryDirectory() as tmp:
        ready = Path(tmp) / "port"
        server = subprocess.Popen(
            [
                *me,
                "--role",
                "server",
                "--mode",
                mode,
                "--events",
                str(args.events),
                "--batch-kib",
                str(args.batch_kib),
                "--history-kib",
                str(args.history_kib),
                "--ready",
                str(ready),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdin is not None and server.stdout is not None
        try:
            while not ready.exists() or not ready.read_text():
                if server.poll() is not None:
                    raise RuntimeError(f"the {mode} server exited with {server.returncode}")
                time.sleep(0.02)
            client = subprocess.run(
                [
                    *me,
                    "--role",
                    "client",
                    "--port",
                    ready.read_text(),
                    "--events",
                    str(args.events),
                ],
                stdout=subprocess.PIPE,
                text=True,
                check=True,
                timeout=600,
            )
            lines = [line for line in client.stdout.splitlines() if line.startswith("RECEIVED ")]
            received = json.loads(lines[-1].split(" ", 1)[1])
        finally:
            server.stdin.close()
        done = json.loads(server.stdout.readline().split(" ", 1)[1])
        server.wait(60)
    return {
        "mode": mode,
        "events_per_s": received["events"] / received["elapsed_s"],
        "frames": received["frames"],
        "elapsed_s": received["elapsed_s"],
        "server_cpu_s": done["cpu_s"],
        "client_cpu_s": received["client_cpu_s"],
    }


def _harness(args: argparse.Namespace) -> int:
    runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in _MODES}
    for repeat in range(args.repeat):
        # Rotate the order so that no mode always runs first (or last) on a busy box.
        order = _MODES[repeat % 3 :] + _MODES[: repeat % 3]
        for mode in order:
            runs[mode].append(_run_one(mode, args))
    results = {mode: median(runs[mode]) for mode in _MODES}
    decode = _decode_rates(args.events, args.batch_kib)
    rf, bare, batched = results["racefeed"], results["bare"], results["bare_batched"]
    value = rf["events_per_s"]
    figures: list[Figure] = [
        figure(
            "catchup.events_per_s",
            f"catch-up of {args.events:,} events to one resuming client, events/s",
            value,
            "events/s",
            baseline_label="bare websockets server, one event per frame",
            baseline=bare["events_per_s"],
            target=">= 1,000,000 events/s",
            met=value >= _TARGET,
        ),
        figure(
            "catchup.events_per_s.vs_batched",
            f"catch-up events/s against a bare server sending {args.batch_kib} KiB batches",
            value,
            "events/s",
            baseline_label=f"bare websockets server, pre-joined {args.batch_kib} KiB batches",
            baseline=batched["events_per_s"],
        ),
    ]
    for name, text in (("raw", "as list[msgspec.Raw]"), ("full", "fully into events")):
        figures.append(
            figure(
                f"catchup.client_decode_{name}_events_per_s",
                f"the client decoding the same batches {text}, events/s",
                decode[name],
                "events/s",
            )
        )
    params = {
        "events": args.events,
        "repeat": args.repeat,
        "loop": args.loop,
        "batch_kib": args.batch_kib,
        "history_kib": args.history_kib or None,
        "quick": args.quick,
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(
            json.dumps(
                {
                    "bench": "bench_catchup",
                    "params": params,
                    "figures": figures,
                    "extra": {"runs": results},
                }
            )
        )
        return 0
    for mode in _MODES:
        r = results[mode]
        print(
            f"{mode:<13} {r['events_per_s']:>12,.0f} events/s  {r['frames']:>7,} frames  "
            f"{r['elapsed_s'] * 1000:8.1f} ms  server cpu {r['server_cpu_s'] * 1000:7.1f} ms  "
            f"client cpu {r['client_cpu_s'] * 1000:7.1f} ms"
        )
    print(
        f"client decode: {decode['raw']:,.0f} events/s as list[Raw], "
        f"{decode['full']:,.0f} events/s fully"
    )
    print(
        f"racefeed: {value:,.0f} events/s = {value / bare['events_per_s']:.2f}x bare per-event, "
        f"{value / batched['events_per_s']:.0%} of bare batched; "
        f"target >= 1,000,000: {'met' if value >= _TARGET else 'missed'}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--role", choices=["harness", "server", "client"], default="harness")
    parser.add_argument("--mode", choices=_MODES, default="racefeed")
    parser.add_argument("--events", type=int, default=0, help="events behind (default 100,000)")
    parser.add_argument("--batch-kib", type=int, default=256, help="bare_batched frame size")
    parser.add_argument(
        "--history-kib", type=int, default=0, help="racefeed's catch-up frame size (0: default)"
    )
    parser.add_argument("--repeat", type=int, default=0, help="runs per figure (median)")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--quick", action="store_true", help="one run each instead of three")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.events = args.events or 100_000  # cheap enough for --quick: only the repeats go
    args.repeat = args.repeat or (1 if args.quick else 3)
    if args.role == "harness":
        return _harness(args)
    if args.loop == "uvloop":
        import uvloop

        uvloop.install()
    from feed.cli.structured_logs import configure_logging

    configure_logging(level="warning")
    if args.role == "server":
        asyncio.run(_serve(args.mode, args.events, args.batch_kib, args.history_kib, args.ready))
    else:
        asyncio.run(_client(args.port, args.events))
    return 0


if __name__ == "__main__":
    sys.exit(main())
