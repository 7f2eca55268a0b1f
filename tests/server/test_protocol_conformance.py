"""Everything the server sends matches the AsyncAPI document it publishes.

The ``_conformance`` fixture (tests/conftest.py) checks every frame of every test; this
module makes sure each kind of server message is actually produced and checked,
and that the check can fail.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest

from feed.asyncapi import SERVER_MESSAGES, asyncapi_document
from feed.protocol import Limits
from feed.server import ServerConfig, SessionSpec, VirtualClock, run_server
from tests.kit.races import make_race, static
from tests.kit.schemas import RECORDED, check_frames
from tests.kit.wire import Client

TOKEN = "conformance-token"


async def test_every_server_message_kind_is_produced_and_matches_its_schema() -> None:
    """One run that makes the server send every message type, all validated."""
    clock = VirtualClock()
    config = ServerConfig(limits=Limits(heartbeat_s=0.05))
    spec = SessionSpec(name="main", events=make_race(), speed=1000, paused=True, token=TOKEN)
    async with run_server(
        sessions=[spec], clock=clock, config=config, scenarios=static(("race", make_race()))
    ) as server:
        client = await Client.open(server.url)
        await client.send(op="ping", id="p")
        await client.recv_op("pong")
        await client.send(op="teleport")
        await client.recv_op("error")
        await client.send(op="create_session", scenario="race", paused=True)
        await client.recv_op("session_created")
        await client.send(op="subscribe", session="main", snapshot=True, views=True)
        await client.recv_op("caught_up")
        for _ in range(2):  # heartbeats keep the server's time: virtual here
            clock.advance(0.05)
            await asyncio.sleep(0.01)
        await client.recv_op("heartbeat")
        await client.send(op="control", session="main", token=TOKEN, action="step")
        await client.send(op="control", session="main", token=TOKEN, action="step")
        await client.recv_op("views")
        await client.send(op="unsubscribe")
        await client.recv_op("unsubscribed")
        await client.send(op="subscribe", session="main", from_seq=1)
        await client.recv_op("caught_up")
        await client.send(op="control", session="main", token=TOKEN, action="play")
        await client.recv_op("replay_state")
        while clock.jump():
            await asyncio.sleep(0)
        await client.events_until("end")
        await client.close()
    seen = check_frames(RECORDED, per_kind=1000)
    produced = {cls.__name__ for cls in SERVER_MESSAGES}
    assert produced <= set(seen), f"never produced: {sorted(produced - set(seen))}"
    assert {"RaceScheduled", "SplitRecorded", "AthleteFinished", "ResultStatusChanged"} <= set(seen)


async def test_the_published_document_is_the_one_the_checks_use() -> None:
    """/asyncapi.json serves the document generated from the types, for this server."""
    async with run_server(scenarios=static()) as server:
        url = f"http://127.0.0.1:{server.port}/asyncapi.json"

        def fetch() -> bytes:
            with urllib.request.urlopen(url, timeout=5) as response:
                body: bytes = response.read()
                return body

        served = json.loads(await asyncio.to_thread(fetch))
    assert served == json.loads(json.dumps(asyncapi_document(host=f"127.0.0.1:{server.port}")))


def test_the_check_rejects_a_frame_that_breaks_the_schema() -> None:
    """A message with a missing or mistyped field fails validation (the check can fail)."""
    bad_frames = [
        b'{"op":"subscribed","session":"main","stream":"s","head_seq":0,"next_seq":1}',
        b'{"op":"heartbeat","session":"main","epoch":"one","head_seq":0}',
        b'[{"type":"commentary","seq":1,"stream":"s","race":"r","race_ms":0,"at":"x"}]',
    ]
    for raw in bad_frames:
        with pytest.raises(AssertionError, match="does not match the AsyncAPI schema"):
            check_frames([raw])
