"""Whatever a client sends, the server answers it and serves everyone else unharmed.

Over one long-lived connection, hypothesis sends more than 10,000 frames: objects
shaped like client messages with wrong, missing and extra fields, any JSON, any
text, truncated JSON and binary frames. Each must be answered as ``fuzzkit``'s
oracle says (an error code and field, or the message's answer), never with
``internal_error``, and the connection must stay open. Meanwhile a healthy SDK
client replays the Tokyo final on the same server and must end with every seq
once and the reference projections. Frames that break the websocket layer (bad
UTF-8, oversized frames) get their documented closes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from feed import wire
from feed.protocol import Limits
from feed.server import Server, ServerConfig, run_server
from tests.fuzz.fuzzkit import FuzzLink, FuzzStats, Harness, frames, run_cases

# The keepalive pings of the server and the healthy client (websockets, every 20 s)
# draw from the `random` module on the harness's thread; when one falls while
# hypothesis draws a batch, hypothesis blames the strategies, which never use it.
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")

CASES_PER_EXAMPLE = 25
EXAMPLES = 420  # 10,500 cases


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with Harness() as running:
        yield running


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(batch=st.lists(frames, min_size=CASES_PER_EXAMPLE, max_size=CASES_PER_EXAMPLE))
def test_every_fuzzed_client_frame_gets_its_documented_answer(
    harness: Harness, batch: list[str | bytes]
) -> None:
    """Bad frames get their error code and field; good ones their answer; nothing crashes."""
    harness.run(run_cases(harness.link, batch))


def test_after_the_fuzz_the_healthy_client_saw_its_replay_unharmed(harness: Harness) -> None:
    """More than 10,000 cases went through; the healthy feed got every seq once, in order.

    (Every seq once and in order, one connection, no gap, the reference standings.)
    """
    if harness.stats.cases < 10_000:  # run on its own: do the fuzzing first
        test_every_fuzzed_client_frame_gets_its_documented_answer(harness)
    server: Server = harness.server
    assert harness.stats.cases >= 10_000, harness.stats
    print(f"fuzz cases: {harness.stats.cases}; answers: {harness.stats.answers}")
    assert server.director is not None
    private = sum(1 for s in server.director.sessions.values() if s.private)
    assert private <= server.limits.max_private_sessions
    harness.finish()
    assert harness.replays == [True]


class _Scripted:
    """A stand-in websocket: on each ping it hands back ``answers`` then the pong, in order."""

    def __init__(self, answers: list[dict[str, Any]], *, pong_first: bool) -> None:
        self._answers = answers
        self._pong_first = pong_first
        self._inbox: asyncio.Queue[str] = asyncio.Queue()

    async def send(self, frame: str) -> None:
        message = json.loads(frame)
        if message.get("op") != "ping":
            return
        pong = {"op": "pong", "id": message["id"]}
        ordered = [pong, *self._answers] if self._pong_first else [*self._answers, pong]
        for answer in ordered:
            self._inbox.put_nowait(json.dumps(answer))

    async def recv(self) -> str:
        return await self._inbox.get()


@pytest.mark.parametrize("pong_first", [True, False])
async def test_a_create_session_answer_counts_whether_it_comes_before_or_after_the_pong(
    pong_first: bool,
) -> None:
    """The answer comes from a task: it may overtake the ping, and the link must not wait on."""
    created = {"op": "session_created", "session": "p-1", "token": "t" * 24}
    stats = FuzzStats()
    link = FuzzLink(cast(Any, _Scripted([created], pong_first=pong_first)), stats)
    frame = '{"op": "create_session", "scenario": "tokyo-2025-m1500-final"}'
    await link.case(frame, timeout=1.0)
    assert stats.answers == {"session_created": 1}


@settings(max_examples=25, deadline=None, print_blob=True)
@given(
    raw=st.binary(min_size=1, max_size=40).filter(lambda b: not _is_utf8(b)),
)
async def test_a_text_frame_that_is_not_utf8_is_closed_with_1007(raw: bytes) -> None:
    """The websocket layer refuses it with 1007; the server goes on serving others."""
    async with run_server() as server:
        ws = await ws_connect(server.url, compression=None, open_timeout=5)
        await ws.send(raw, text=True)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007
        other = await ws_connect(server.url, compression=None, open_timeout=5)
        await other.send(wire.encode(wire.Ping(id=1)).decode())
        assert wire.decode_server(await asyncio.wait_for(other.recv(), 5)) == wire.Pong(id=1)
        await other.close()


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.parametrize(("size", "with_error"), [(1025, True), (4 * 1024 + 1, False)])
async def test_an_oversized_frame_is_closed_with_1009(size: int, with_error: bool) -> None:
    """Above the limit: `frame_too_large` then 1009; far above it the websocket layer's 1009."""
    config = ServerConfig(limits=Limits(max_message_bytes=1024))
    async with run_server(config=config) as server:
        ws = await ws_connect(server.url, compression=None, open_timeout=5)
        await ws.send('{"op":"ping","id":"' + "x" * size + '"}')
        if with_error:
            error = wire.decode_server(await asyncio.wait_for(ws.recv(), 5))
            assert isinstance(error, wire.ErrorMessage) and error.code == "frame_too_large"
            assert error.closes
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


@pytest.mark.parametrize("opener", ["[", '{"a":', '{"op":'])
async def test_json_nested_deeper_than_a_parser_follows_is_bad_json(opener: str) -> None:
    """Five thousand levels: `bad_json`, the connection kept, no traceback, the server serving."""
    async with run_server() as server:
        ws = await ws_connect(server.url, compression=None, open_timeout=5)
        closer = "]" if opener == "[" else "}"
        await ws.send(opener * 5_000 + "1" + closer * 5_000)
        answer = json.loads(await asyncio.wait_for(ws.recv(), 5))
        await ws.send('{"op": "ping", "id": 1}')
        pong = json.loads(await asyncio.wait_for(ws.recv(), 5))
        await ws.close()
    assert (answer["code"], answer["closes"]) == ("bad_json", False) or (
        opener == "[" and answer["code"] == "bad_message"
    )
    assert pong == {"op": "pong", "id": 1}
