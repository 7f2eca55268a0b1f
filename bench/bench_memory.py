"""Memory: server RSS per idle subscriber, racefeed against a bare websockets loop.

Each server runs alone in its own process, on fresh processes for every figure;
the clients run in another process (raw sockets, answering pings). Servers
measured in the same run:

- ``racefeed``: the real server (``run_server``, default config but for the
  connection limits), one session of ``--log-events`` events, all published and
  paused; each client subscribes from seq 1, catches up and stays idle (nothing
  flows: no events, no heartbeat due for 15 s);
- ``bare``: ``websockets.asyncio.server.serve`` with a handler that reads the
  subscribe message, answers it with one frame, and awaits the connection's close.

The server reads its own ``VmRSS`` (``/proc/self/status``, after ``gc.collect()``)
when asked: once with ``--warm`` subscribers connected (so that one-time costs,
imports and allocator arenas are not charged to subscribers), then again with
N more. Per subscriber = (RSS after - RSS before) / N.

    .venv/bin/python bench/bench_memory.py                      # 1,000 and 5,000 subscribers
    .venv/bin/python bench/bench_memory.py --quick --json

``--json`` prints one object as the last line (see ``docs/bench-catchup-memory.md``):
figure keys ``memory.per_subscriber_kib`` (racefeed at the largest N; baseline:
bare; target < 16 KiB) and ``memory.N.per_subscriber_kib`` for every smaller N;
``extra`` holds every run, with the same figure after ``malloc_trim`` (glibc's free
pages handed back), which tells allocator slack from memory held.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchkit import Figure, RawWebSocket, answer_rss_requests, figure, raise_fd_limit, split_log

_MODES = ("racefeed", "bare")
_TARGET_KIB = 16.0


# -- the servers (one process each) -----------------------------------------------------


async def _serve(mode: str, log_events: int, ready: Path) -> None:
    """Run one server; answer each ``MEASURE`` line on stdin with its RSS; stop at EOF."""
    from websockets.asyncio.server import ServerConnection, serve

    if mode == "racefeed":
        from feed import wire
        from feed.protocol import Limits
        from feed.server import ServerConfig, SessionSpec, run_server

        many = Limits(max_connections=10**6, max_connections_per_address=10**6)
        config = ServerConfig(limits=many)
        log = split_log(
            log_events + 1, period_ms=1000.0
        )  # one more than published: the replay is not over
        spec = SessionSpec(name="bench", events=log, paused=True, token="t")
        async with run_server(port=0, sessions=[spec], config=config) as server:
            assert server.director is not None  # the embedded server runs the clocks
            seek = wire.Control(session="bench", token="t", action="seek", seq=log_events)
            assert server.director.sessions["bench"].control(seek) is None
            await server.gateway.reach_log_head()  # the gateway role has published them all
            ready.write_text(str(server.port))
            await answer_rss_requests()
        return

    async def handler(ws: ServerConnection) -> None:
        await ws.recv()  # the subscribe message
        await ws.send(b'{"op":"caught_up"}', text=True)
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, compression=None) as bare:
        ready.write_text(str(bare.sockets[0].getsockname()[1]))
        await answer_rss_requests()


# -- the clients (one process for all of them) -------------------------------------------


class _IdleClient(RawWebSocket):
    """A websocket client that subscribes, waits for ``caught_up``, then only answers pings."""

    def __init__(self, caught_up: asyncio.Future[None]) -> None:
        super().__init__()
        self.caught_up = caught_up

    def on_open(self) -> None:
        self.send(0x1, b'{"op":"subscribe","session":"bench","from_seq":1}')

    def on_text(self, payload: memoryview) -> None:
        if b'"op":"caught_up"' in payload.tobytes() and not self.caught_up.done():
            self.caught_up.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.caught_up.done():
            self.caught_up.set_exception(ConnectionError(f"closed before caught_up: {exc!r}"))


async def _clients(port: int) -> None:
    """Open as many idle subscribers as each ``OPEN n`` line on stdin asks; stop at EOF."""
    loop = asyncio.get_running_loop()
    held: list[asyncio.BaseTransport] = []
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        count = int(line.split()[1])
        for start in range(0, count, 200):
            waits: list[asyncio.Future[None]] = []
            for _ in range(start, min(count, start + 200)):
                caught_up = loop.create_future()
                transport, _ = await loop.create_connection(
                    lambda caught_up=caught_up: _IdleClient(caught_up),  # type: ignore[misc]
                    "127.0.0.1",
                    port,
                )
                held.append(transport)
                waits.append(caught_up)
            await asyncio.wait_for(asyncio.gather(*waits), 120)
        print(f"OPENED {len(held)}", flush=True)
    for each in held:
        each.close()


# -- the harness -----------------------------------------------------------------------


def _run_one(mode: str, subscribers: int, args: argparse.Namespace) -> dict[str, Any]:
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
                "--log-events",
                str(args.log_events),
                "--ready",
                str(ready),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert server.stdin is not None and server.stdout is not None
        clients: subprocess.Popen[str] | None = None
        try:
            while not ready.exists() or not ready.read_text():
                if server.poll() is not None:
                    raise RuntimeError(f"the {mode} server exited with {server.returncode}")
                time.sleep(0.02)
            clients = subprocess.Popen(
                [*me, "--role", "clients", "--port", ready.read_text()],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert clients.stdin is not None and clients.stdout is not None

            def open_clients(count: int) -> None:
                assert clients is not None and clients.stdin is not None
                assert clients.stdout is not None
                clients.stdin.write(f"OPEN {count}\n")
                clients.stdin.flush()
                line = clients.stdout.readline()
                assert line.startswith("OPENED"), line

            def measure() -> tuple[int, int]:
                assert server.stdin is not None and server.stdout is not None
                time.sleep(args.settle)  # let the last handshakes and catch-ups finish
                server.stdin.write("MEASURE\n")
                server.stdin.flush()
                line = server.stdout.readline()
                assert line.startswith("RSS "), line
                plain, trimmed = line.split()[1:]
                return int(plain), int(trimmed)

            open_clients(args.warm)
            before = measure()
            open_clients(subscribers)
            after = measure()
        finally:
            if clients is not None and clients.stdin is not None:
                clients.stdin.close()
                clients.wait(60)
            server.stdin.close()
            server.wait(60)
    return {
        "mode": mode,
        "subscribers": subscribers,
        "rss_before_kib": before[0],
        "rss_after_kib": after[0],
        "per_subscriber_kib": (after[0] - before[0]) / subscribers,
        "trimmed_per_subscriber_kib": (after[1] - before[1]) / subscribers,
    }


def _harness(args: argparse.Namespace) -> int:
    counts = args.subscribers or ([500] if args.quick else [1000, 5000])
    results: dict[tuple[str, int], dict[str, Any]] = {}
    for subscribers in counts:
        runs: dict[str, list[dict[str, Any]]] = {mode: [] for mode in _MODES}
        for repeat in range(args.repeat):
            for mode in _MODES[repeat % 2 :] + _MODES[: repeat % 2]:
                runs[mode].append(_run_one(mode, subscribers, args))
        for mode in _MODES:
            merged = dict(runs[mode][0])
            for key in ("per_subscriber_kib", "trimmed_per_subscriber_kib"):
                merged[key] = statistics.median(run[key] for run in runs[mode])
            merged["runs"] = [run["per_subscriber_kib"] for run in runs[mode]]
            results[(mode, subscribers)] = merged
            if not args.json:
                print(
                    f"{subscribers:>6} {mode:<9} {merged['per_subscriber_kib']:6.2f} KiB/subscriber"
                    f" ({merged['trimmed_per_subscriber_kib']:.2f} after malloc_trim)"
                    f"  (RSS {merged['rss_before_kib']:,} -> {merged['rss_after_kib']:,} KiB; "
                    f"runs {', '.join(f'{r:.2f}' for r in merged['runs'])})",
                    flush=True,
                )
    figures: list[Figure] = []
    for subscribers in counts:
        headline = subscribers == counts[-1]  # the largest N is the headline figure
        rf = results[("racefeed", subscribers)]["per_subscriber_kib"]
        bare = results[("bare", subscribers)]["per_subscriber_kib"]
        figures.append(
            figure(
                "memory.per_subscriber_kib"
                if headline
                else f"memory.{subscribers}.per_subscriber_kib",
                f"server RSS per idle subscriber at {subscribers:,} subscribers, KiB",
                rf,
                "KiB",
                baseline_label="bare websockets server, handler awaiting the close",
                baseline=bare,
                target="< 16 KiB (16,384 bytes)" if headline else None,
                met=rf < _TARGET_KIB if headline else None,
            )
        )
    params = {
        "subscribers": counts,
        "warm": args.warm,
        "log_events": args.log_events,
        "repeat": args.repeat,
        "loop": args.loop,
        "quick": args.quick,
        "cpus": os.cpu_count(),
    }
    extra = {f"{mode}.{n}": result for (mode, n), result in results.items()}
    if args.json:
        print(
            json.dumps(
                {"bench": "bench_memory", "params": params, "figures": figures, "extra": extra}
            )
        )
        return 0
    head = figures[-1]
    print(
        f"racefeed: {head['value']:.2f} KiB per idle subscriber = {head['ratio']:.2f}x bare "
        f"({head['baseline']:.2f} KiB); target < 16 KiB: {'met' if head['met'] else 'missed'}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--role", choices=["harness", "server", "clients"], default="harness")
    parser.add_argument("--mode", choices=_MODES, default="racefeed")
    parser.add_argument("--subscribers", type=int, action="append")
    parser.add_argument("--warm", type=int, default=100, help="subscribers before the first RSS")
    parser.add_argument("--log-events", type=int, default=50, help="events each one catches up")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds idle before an RSS")
    parser.add_argument("--repeat", type=int, default=0, help="runs per figure (median)")
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="uvloop")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready", type=Path)
    parser.add_argument("--quick", action="store_true", help="500 subscribers, one run each")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.repeat = args.repeat or (1 if args.quick else 3)
    raise_fd_limit()
    if args.role == "harness":
        return _harness(args)
    if args.loop == "uvloop":
        import uvloop

        uvloop.install()
    from feed.cli.structured_logs import configure_logging

    configure_logging(level="warning")
    if args.role == "server":
        asyncio.run(_serve(args.mode, args.log_events, args.ready))
    else:
        asyncio.run(_clients(args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
