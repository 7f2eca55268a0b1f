"""No client can stall the others: a reader that stops is cut off with too_slow, the rest flow."""

from __future__ import annotations

import asyncio
import gc
import socket

from structlog.testing import capture_logs
from websockets.asyncio.client import connect

from feed.protocol import Limits
from feed.server import ServerConfig, SessionSpec, run_server
from tests.kit.races import talk
from tests.kit.schemas import RECORDED
from tests.kit.wire import Client, envelopes

COUNT = 3000


async def _stalled(port: int) -> Client:
    """A client whose socket buffers little and whose library reads ahead one frame at most."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
    ws = await connect(
        f"ws://127.0.0.1:{port}/", sock=sock, compression=None, max_queue=1, max_size=None
    )
    return Client(ws)


async def test_a_stalled_reader_is_cut_off_while_the_others_keep_up() -> None:
    """While one client reads nothing, the others' lag stays small; the stalled one gets
    too_slow with the seq to resume from, and everything before that seq, gapless."""
    events = talk(COUNT, gap_ms=20, text_bytes=3000)
    limits = Limits(backlog_frames=64, backlog_bytes=256 * 2**10, write_buffer=64 * 2**10)
    config = ServerConfig(limits=limits, close_timeout=30)
    # A rate the in-process fast readers keep up with on a busy machine.
    spec = SessionSpec(name="main", events=events, speed=40, paused=True, token="t")
    # Lag is measured in wall time: keep a full collection of everything the suite
    # has built up so far (a pause of hundreds of ms) out of it.
    gc.collect()
    gc.freeze()
    try:
        await _stalled_reader_run(config, spec)
    finally:
        gc.unfreeze()


async def _stalled_reader_run(config: ServerConfig, spec: SessionSpec) -> None:
    with capture_logs() as logs:
        async with run_server(sessions=[spec], config=config) as server:
            session = server.director.sessions["main"]  # type: ignore[union-attr]
            served = server.session("main").protocol
            stalled = await _stalled(server.port)
            await stalled.send(op="subscribe", session="main")
            fast = [await Client.open(server.url) for _ in range(2)]
            last_seen = [0, 0]
            for reader in fast:
                await reader.send(op="subscribe", session="main")
                await reader.recv_op("caught_up")

            async def read(index: int) -> list[int]:
                seqs: list[int] = []
                while True:
                    frame = await fast[index].recv(timeout=10)
                    got = [e["seq"] for e in envelopes([frame])]
                    seqs += got
                    if got:
                        last_seen[index] = got[-1]
                    if isinstance(frame, dict) and frame.get("op") == "end":
                        return seqs

            lags: list[int] = []

            async def watch() -> None:
                while True:
                    lags.extend(session.position_seq - seen for seen in last_seen)
                    await asyncio.sleep(0.005)

            watcher = asyncio.create_task(watch())
            await fast[0].send(op="control", session="main", token="t", action="play")
            received = await asyncio.gather(read(0), read(1))
            watcher.cancel()
            for client in fast:
                await client.close()

            stalled_frames: list[object] = []
            while True:
                try:
                    stalled_frames.append(await stalled.recv(timeout=5))
                except Exception:  # the close ends the reading
                    break
            await stalled.ws.wait_closed()

    for seqs in received:
        assert seqs == list(range(1, COUNT + 1))
    assert max(lags) < 600, f"a fast reader fell {max(lags)} events behind"
    error = stalled_frames[-1]
    assert isinstance(error, dict)
    assert (error["op"], error["code"], error["closes"]) == ("error", "too_slow", True)
    resume = error["resume_from_seq"]
    got = [e["seq"] for e in envelopes(stalled_frames)]
    assert got == list(range(1, resume))
    assert 1 < resume < COUNT
    assert stalled.ws.close_code == 1013
    assert any(e["event"] == "client_too_slow" for e in logs)
    assert served.subscribers == 0
    RECORDED.clear()  # 9 MB of commentary: the schema checks run on the other tests' frames


async def test_one_encode_per_frame_whatever_the_number_of_subscribers() -> None:
    """The fan-out hands every subscriber's socket the same bytes: encoded and framed once."""
    events = talk(50)
    spec = SessionSpec(name="main", events=events, paused=True, token="t")
    async with run_server(sessions=[spec]) as server:
        readers = [await Client.open(server.url) for _ in range(3)]
        for reader in readers:
            await reader.send(op="subscribe", session="main")
            await reader.recv_op("caught_up")
        sent: list[bytes] = []
        outboxes = server.session("main").protocol.sinks
        originals = [outbox.connection.transport.write for outbox in outboxes]
        for outbox, original in zip(outboxes, originals, strict=True):

            def spy(data: bytes, original=original) -> None:  # type: ignore[no-untyped-def]
                sent.append(data)
                original(data)

            outbox.connection.transport.write = spy  # type: ignore[method-assign]
        await readers[0].send(
            op="control", session="main", token="t", action="speed", speed="instant"
        )
        await readers[0].send(op="control", session="main", token="t", action="play")
        for reader in readers:
            await reader.events_until("end")
            await reader.close()
    # Whole websocket frames: a 2- or 4-byte header (server frames are unmasked), then JSON.
    event_frames = [
        frame
        for frame in sent
        if frame[4 if frame[1] == 126 else 2 :].startswith((b"[", b'{"type"'))
    ]
    assert event_frames
    assert len({id(frame) for frame in event_frames}) == len(event_frames) // 3
