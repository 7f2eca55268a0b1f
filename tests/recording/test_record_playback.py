"""Record real websocket feeds and play them back: verbatim, controlled, faulty, on time."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosedError

from feed.faults.spec import FaultSpec
from feed.recording.format import Frame, decode
from feed.recording.player import Player
from feed.recording.recorder import record
from feed.server import SessionSpec, run_server
from tests.kit.races import tokyo

GAPS_MS = [0, 30, 80, 20, 150, 60, 0, 100, 40, 120, 10, 90]


@asynccontextmanager
async def _plain_server() -> AsyncIterator[str]:
    """A small JSON feed that is not racefeed: echoes the hello, then ticks and a binary frame."""

    async def handler(ws: ServerConnection) -> None:
        hello = await ws.recv()
        await ws.send(json.dumps({"welcome": hello}))
        for n, gap in enumerate(GAPS_MS):
            await asyncio.sleep(gap / 1000)
            await ws.send(json.dumps({"tick": n, "gap": gap}))
        await ws.send(bytes(range(256)))
        await ws.send(json.dumps({"done": True}))
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}"


def _load(path: Path) -> list[Frame]:
    with path.open(encoding="utf-8") as lines:
        return decode(lines, source=str(path))[1]


async def _receive(url: str, count: int, timeout: float = 20.0) -> list[tuple[float, str | bytes]]:
    got: list[tuple[float, str | bytes]] = []
    async with connect(url, max_size=None) as ws:
        while len(got) < count:
            data = await asyncio.wait_for(ws.recv(), timeout)
            got.append((time.monotonic(), data))
    return got


def _control(port: int, query: str) -> dict[str, object]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/control?{query}", timeout=5) as reply:
        body: dict[str, object] = json.loads(reply.read())
        return body


async def test_a_racefeed_session_plays_back_frame_for_frame(tmp_path: Path) -> None:
    out = tmp_path / "race.jsonl"
    spec = SessionSpec(name="main", events=tokyo(), speed=1000)
    async with run_server(sessions=[spec]) as server:
        subscribe = json.dumps({"op": "subscribe", "session": "main"})
        count = await record(server.url, out, send=[subscribe], until_text='"end"', duration=30)
    frames = _load(out)
    assert count == len(frames) > 10
    assert '"end"' in str(frames[-1].data)
    player = Player(frames, speed=50)
    port = await player.start()
    try:
        got = await _receive(f"ws://127.0.0.1:{port}", len(frames))
    finally:
        await player.close()
    assert [data for _, data in got] == [frame.data for frame in frames]


async def test_a_plain_json_feed_records_with_sent_messages_and_binary(tmp_path: Path) -> None:
    out = tmp_path / "plain.jsonl"
    async with _plain_server() as url:
        count = await record(url, out, send=['{"hello": 1}'], until_text='"done"')
    with out.open() as lines:
        header, frames = decode(lines)
    assert header.sent == ('{"hello": 1}',) and header.url == url
    assert count == len(frames) == len(GAPS_MS) + 3
    assert json.loads(str(frames[0].data)) == {"welcome": '{"hello": 1}'}
    assert frames[-2].data == bytes(range(256))
    assert frames[0].t_ms == 0.0
    # Arrival times follow the server's spacing (never earlier than its sleeps).
    assert frames[-2].t_ms >= sum(GAPS_MS) * 0.95


async def test_until_frames_and_duration_stop_recording(tmp_path: Path) -> None:
    async with _plain_server() as url:
        assert await record(url, tmp_path / "a.jsonl", send=["x"], until_frames=3) == 3
        started = time.monotonic()
        kept = await record(url, tmp_path / "b.jsonl", send=["x"], duration=0.2)
        assert time.monotonic() - started < 1.5
    assert 1 <= kept < len(GAPS_MS) + 3
    assert len(_load(tmp_path / "b.jsonl")) == kept


async def test_spacing_is_kept_at_1x(tmp_path: Path) -> None:
    frames = [Frame(float(ms), f"f{n}") for n, ms in enumerate(range(0, 3000, 60))]
    player = Player(frames)
    port = await player.start()
    try:
        got = await _receive(f"ws://127.0.0.1:{port}", len(frames))
    finally:
        await player.close()
    first = got[0][0]
    deviations = [
        abs((at - first) * 1000 - frame.t_ms) for (at, _), frame in zip(got, frames, strict=True)
    ]
    p95 = statistics.quantiles(deviations, n=20)[-1]
    print(
        f"1x spacing deviation over {len(frames)} frames: "
        f"max {max(deviations):.2f} ms, p95 {p95:.2f} ms"
    )
    # Loose enough for a loaded 2-core box, tight enough to catch a lost speed scale.
    assert p95 < 25 and max(deviations) < 60


async def test_controls_pause_step_seek_and_speed() -> None:
    frames = [Frame(float(ms), f"f{n}") for n, ms in enumerate(range(0, 10_000, 1000))]
    player = Player(frames, paused=True)
    port = await player.start()
    try:
        async with connect(f"ws://127.0.0.1:{port}") as ws:
            assert await asyncio.wait_for(ws.recv(), 5) == "f0"  # t=0 is due at once
            with_viewer = await asyncio.to_thread(_control, port, "action=status")
            assert with_viewer["paused"] is True and len(with_viewer["connections"]) == 1  # type: ignore[arg-type]
            await asyncio.to_thread(_control, port, "action=step")
            assert await asyncio.wait_for(ws.recv(), 5) == "f1"
            await asyncio.to_thread(_control, port, "action=seek&ms=7000")
            await asyncio.to_thread(_control, port, "action=speed&speed=20")
            started = time.monotonic()
            await asyncio.to_thread(_control, port, "action=play")
            assert await asyncio.wait_for(ws.recv(), 5) == "f7"
            assert await asyncio.wait_for(ws.recv(), 5) == "f8"  # 1 s of recording at 20x
            assert time.monotonic() - started < 1.0
            await asyncio.to_thread(_control, port, "action=pause")
            await asyncio.to_thread(_control, port, "action=seek&ms=0")
            await asyncio.to_thread(_control, port, "action=play")
            assert await asyncio.wait_for(ws.recv(), 5) == "f0"  # a seek back replays
    finally:
        await player.close()


async def test_a_bad_control_gets_a_stable_code() -> None:
    player = Player([Frame(0.0, "a")])
    port = await player.start()
    try:
        try:
            await asyncio.to_thread(_control, port, "action=speed&speed=-2")
        except urllib.error.HTTPError as error:
            assert error.code == 400
            assert json.loads(error.read())["code"] == "bad_control"
        else:
            raise AssertionError("a negative speed was accepted")
    finally:
        await player.close()


async def test_faults_are_seeded_per_connection() -> None:
    frames = [Frame(float(n), f"f{n}") for n in range(200)]
    faults = FaultSpec(drop_p=0.1, duplicate_p=0.1, disconnect_at_seq=[150])
    player = Player(frames, speed=100, faults=faults, seed=7)

    async def one() -> list[str | bytes]:
        got: list[str | bytes] = []
        async with connect(f"ws://127.0.0.1:{port}") as ws:
            try:
                async for data in ws:
                    got.append(data)
            except ConnectionClosedError as closed:
                assert closed.rcvd is not None and closed.rcvd.reason == "fault: disconnect"
        return got

    port = await player.start()
    try:
        first, second = await one(), await one()
    finally:
        await player.close()
    assert first != second  # seed + connection number
    for got in (first, second):
        assert "f148" in got or "f147" in got
        assert "f149" not in got and "f150" not in got  # cut before frame 150 (f149)
        assert len(set(got)) < 149  # some dropped
        assert len(got) > len(set(got))  # some duplicated
    again = Player(frames, speed=100, faults=faults, seed=7)
    port = await again.start()
    try:
        assert await one() == first  # same seed, same connection number: same faults
    finally:
        await again.close()


async def test_a_delay_fault_holds_every_frame_back() -> None:
    frames = [Frame(0.0, f"f{n}") for n in range(5)]
    player = Player(frames, faults=FaultSpec(delay_ms=80))
    port = await player.start()
    try:
        started = time.monotonic()
        got = await _receive(f"ws://127.0.0.1:{port}", len(frames))
    finally:
        await player.close()
    assert [data for _, data in got] == [f"f{n}" for n in range(5)]  # order kept
    assert got[-1][0] - started >= 5 * 0.08 * 0.95
