"""Scale-out: what the director publishes, and what gateways serve, over NATS JetStream.

Two measurements, on a NATS server with JetStream (``--nats``, default the one on
127.0.0.1:4222), each in a stream of its own that is deleted afterwards:

- director: a ``Director`` in this process publishes ``--director-events`` events of
  each of K sessions (``--sessions``, default 1 and 8) at speed ``instant``; events/s
  = events published / (last JetStream ack - play). For reference, the same
  payloads published by bare nats-py, one at a time and pipelined.
- gateways: G ``racefeed gateway`` processes (``--gateways``, default 1, 2, 3), each
  with ``--subscribers`` websocket subscribers (raw clients, one process per gateway,
  from ``bench_fanout.py``); the director publishes ``--events`` events at once;
  delivered events/s = events x subscribers x G / (last delivery - first delivery),
  with each gateway's CPU time per delivery and its memory. Each is run twice: a
  burst (every event at once) and paced (``--rate`` events a second for
  ``--seconds``, on the real clock), where the latency of a delivery is its arrival
  minus the event's deadline on the director's clock.

    .venv/bin/python bench/bench_scaleout.py
    .venv/bin/python bench/bench_scaleout.py --gateways 1 --subscribers 2000 --json
"""

from __future__ import annotations

import argparse
import array
import asyncio
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchkit import raise_fd_limit, split_log

_HERE = Path(__file__).resolve().parent
_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _events(count: int) -> list[Any]:
    return list(split_log(count, 1.0))


async def _open_log(url: str, stream: str, prefix: str) -> Any:
    from feed.store.jetstream import JetStreamLog

    return await JetStreamLog.open(url, name="bench", wait_s=5, stream=stream, prefix=prefix)


# -- the director ----------------------------------------------------------------------


async def _director_rate(url: str, sessions: int, events: int) -> dict[str, Any]:
    from feed import wire
    from feed.server import LoadedScenario, SessionSpec, StaticScenarios
    from feed.server.director import Director

    stream, prefix = f"RFBENCH_{secrets.token_hex(3).upper()}", f"rfb{secrets.token_hex(3)}"
    log = await _open_log(url, stream, prefix)
    try:
        logs = [
            LoadedScenario(id=f"s{n}", title=f"s{n}", kind="race", events=_events(events))
            for n in range(sessions)
        ]
        director = Director(log, scenarios=StaticScenarios(logs))
        await director.start()
        for n in range(sessions):
            spec = SessionSpec(
                name=f"s{n}", scenario=f"s{n}", speed="instant", paused=True, token="t"
            )
            await director.add_session(spec)
        await log.flush()
        start = time.monotonic()
        for n in range(sessions):
            director.control(wire.Control(session=f"s{n}", action="play", token="t"))
        await log.flush()
        elapsed = time.monotonic() - start
        await director.stop()
    finally:
        await log.delete_stream()
        await log.close()
    return {
        "sessions": sessions,
        "events": events * sessions,
        "elapsed_s": elapsed,
        "events_per_s": events * sessions / elapsed,
    }


async def _bare_rates(url: str, count: int) -> dict[str, float]:
    """nats-py alone: the same payloads, one publish at a time, then pipelined."""
    from feed.codec import encode

    stream, prefix = f"RFBENCH_{secrets.token_hex(3).upper()}", f"rfb{secrets.token_hex(3)}"
    log = await _open_log(url, stream, prefix)
    payloads = [encode(event) for event in _events(count)]
    js = log.js
    subject = f"{prefix}.log.bare.event"
    try:
        start = time.monotonic()
        for n, payload in enumerate(payloads):
            await js.publish(subject, payload, headers={"Nats-Msg-Id": f"a{n}"})
        sequential = count / (time.monotonic() - start)
        start = time.monotonic()
        futures = [
            await js.publish_async(subject, payload, headers={"Nats-Msg-Id": f"b{n}"})
            for n, payload in enumerate(payloads)
        ]
        await asyncio.gather(*futures)
        pipelined = count / (time.monotonic() - start)
    finally:
        await log.delete_stream()
        await log.close()
    return {"sequential_per_s": sequential, "pipelined_per_s": pipelined}


# -- the gateways ----------------------------------------------------------------------


def _start_gateway(
    url: str, stream: str, prefix: str, connections: int
) -> tuple[subprocess.Popen[str], int]:
    # Every bench client comes from 127.0.0.1, as every client does behind a proxy.
    limits = [f"max_connections={connections}", f"max_connections_per_address={connections}"]
    process = subprocess.Popen(
        [sys.executable, "-m", "feed", "gateway", "--nats", url, "--stream", stream,
         "--subject-prefix", prefix, "--port", "0", "--heartbeat", "3600",
         "--limit", limits[0], "--limit", limits[1]],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"ws://127\.0\.0\.1:(\d+)/", line)
    assert found, line
    return process, int(found.group(1))


def _start_clients(
    port: int, subscribers: int, events: int, samples: Path
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(_HERE / "bench_fanout.py"), "--role", "clients", "--port", str(port),
         "--subscribers", str(subscribers), "--events", str(events), "--samples", str(samples)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip


async def _gateways_rate(
    url: str, gateways: int, subscribers: int, events: int, tmp: Path, *, rate: float | None
) -> dict[str, Any]:
    """One run; ``rate``: events a second on the real clock (``None``: all at once)."""
    from feed import wire
    from feed.server import LoadedScenario, SessionSpec, StaticScenarios
    from feed.server.director import Director

    stream, prefix = f"RFBENCH_{secrets.token_hex(3).upper()}", f"rfb{secrets.token_hex(3)}"
    log = await _open_log(url, stream, prefix)
    procs: list[subprocess.Popen[str]] = []
    try:
        bench = LoadedScenario(id="bench", title="bench", kind="race", events=_events(events))
        director = Director(log, scenarios=StaticScenarios([bench]))
        await director.start()
        # The bench events are 1 ms apart: speed 1 is 1,000 events a second.
        speed = "instant" if rate is None else rate / 1000.0
        spec = SessionSpec(name="bench", scenario="bench", speed=speed, paused=True, token="t")
        await director.add_session(spec)
        await log.flush()
        gateway_procs = []
        clients = []
        for n in range(gateways):
            gateway, port = _start_gateway(url, stream, prefix, subscribers + 100)
            procs.append(gateway)
            gateway_procs.append(gateway)
            client = _start_clients(port, subscribers, events, tmp / f"samples-{n}")
            procs.append(client)
            clients.append(client)
        for client in clients:
            assert client.stdout is not None
            line = await asyncio.to_thread(client.stdout.readline)
            assert line.startswith("SUBSCRIBED"), line
        rss = [_rss_mb(p.pid) for p in gateway_procs]
        cpu = [_cpu_s(p.pid) for p in gateway_procs]
        start = time.monotonic()
        director.control(wire.Control(session="bench", action="play", token="t"))
        session = director.sessions["bench"]
        deadline_1 = start if rate is None else (session.replay.deadline_of(2) or start) - 1 / rate
        while not session.ended:  # the clock has no "ended" to await: look every millisecond
            await asyncio.sleep(0.001)
        await log.flush()
        published = time.monotonic()
        received = []
        for client in clients:
            assert client.stdout is not None
            line = await asyncio.to_thread(client.stdout.readline)
            received.append(json.loads(line.split(" ", 1)[1]))
        cpu = [_cpu_s(p.pid) - before for p, before in zip(gateway_procs, cpu, strict=True)]
        await director.stop()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
            if proc.stdout is not None:
                proc.stdout.close()
        await log.delete_stream()
        await log.close()
    # Every client samples (seq, arrival) of each delivery: the first delivery is among them.
    pairs = array.array("d")
    for n in range(gateways):
        pairs.frombytes((tmp / f"samples-{n}").read_bytes())
    first = min(pairs[1::2])
    last = max(r["last"] for r in received)
    deliveries = events * subscribers * gateways
    latency: dict[str, float] = {}
    if rate is not None:
        lags = sorted(
            (pairs[i + 1] - (deadline_1 + (pairs[i] - 1) / rate)) * 1000.0
            for i in range(0, len(pairs), 2)
        )
        latency = {
            "p50_ms": statistics.median(lags),
            "p99_ms": lags[int(len(lags) * 0.99) - 1],
            "max_ms": lags[-1],
        }
    return {
        "rate": rate,
        "gateways": gateways,
        "subscribers_per_gateway": subscribers,
        "events": events,
        "deliveries": deliveries,
        "deliveries_per_s": deliveries / (last - first),
        "per_gateway_per_s": deliveries / gateways / (last - first),
        "publish_s": published - start,
        "play_to_last_delivery_s": last - start,
        "gateway_cpu_us_per_delivery": sum(cpu) * 1e6 / deliveries,
        "gateway_rss_mb": max(rss),
        **latency,
    }


# -- the harness -----------------------------------------------------------------------


async def _harness(args: argparse.Namespace) -> int:
    results: dict[str, Any] = {"director": [], "gateways": []}
    for sessions in args.sessions or [1, 8]:
        result = await _director_rate(args.nats, sessions, args.director_events)
        results["director"].append(result)
        if not args.json:
            print(
                f"director  {sessions:>2} session(s): {result['events_per_s']:>9,.0f} events/s "
                f"published ({result['events']} events in {result['elapsed_s']:.2f} s)",
                flush=True,
            )
    bare = await _bare_rates(args.nats, args.director_events)
    results["bare_nats_py"] = bare
    if not args.json:
        print(
            f"bare nats-py: {bare['sequential_per_s']:>9,.0f}/s one at a time, "
            f"{bare['pipelined_per_s']:,.0f}/s pipelined",
            flush=True,
        )
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-scaleout-{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    for subscribers in args.subscribers or [1000]:
        for gateways in args.gateways or [1, 2, 3]:
            for rate in (None, args.rate):
                events = args.events if rate is None else int(args.rate * args.seconds)
                result = await _gateways_rate(
                    args.nats, gateways, subscribers, events, tmp, rate=rate
                )
                results["gateways"].append(result)
                if args.json:
                    continue
                phase = "burst" if rate is None else f"{rate:g}/s"
                lags = (
                    ""
                    if rate is None
                    else f", latency p50 {result['p50_ms']:.1f} ms p99 {result['p99_ms']:.1f} ms"
                )
                print(
                    f"gateways {gateways} x {subscribers:>5} subscribers, {phase:>6}: "
                    f"{result['deliveries_per_s']:>11,.0f} deliveries/s "
                    f"({result['per_gateway_per_s']:,.0f} per gateway), "
                    f"cpu {result['gateway_cpu_us_per_delivery']:.2f} us/delivery, "
                    f"rss {result['gateway_rss_mb']:.0f} MB{lags}",
                    flush=True,
                )
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nats", default="nats://127.0.0.1:4222")
    parser.add_argument("--sessions", type=int, action="append", help="director sessions")
    parser.add_argument("--director-events", type=int, default=5000, help="events per session")
    parser.add_argument("--gateways", type=int, action="append")
    parser.add_argument("--subscribers", type=int, action="append", help="per gateway")
    parser.add_argument("--events", type=int, default=1000, help="events in a burst run")
    parser.add_argument("--rate", type=float, default=100.0, help="events/s in a paced run")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of a paced run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    raise_fd_limit()
    from feed.cli.structured_logs import configure_logging

    configure_logging(level="warning")
    return asyncio.run(_harness(args))


if __name__ == "__main__":
    sys.exit(main())
