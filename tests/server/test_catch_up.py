"""A subscriber behind the head gets the history in as few frames as the byte bound allows."""

from __future__ import annotations

import msgspec
import pytest

from feed.protocol import Limits
from feed.server import ServerConfig, SessionSpec, run_server
from tests.kit.races import talk
from tests.kit.wire import Client


@pytest.mark.parametrize("history_bytes", [1_000, 8_192, 65_536])
async def test_history_batches_are_as_full_as_the_byte_bound_lets_them_be(
    history_bytes: int,
) -> None:
    """Every seq once and in order; no batch above the bound; each one as full as it can be."""
    events = talk(600, text_bytes=120)
    config = ServerConfig(limits=Limits(history_bytes=history_bytes))
    spec = SessionSpec(name="main", events=events, speed="instant")
    async with run_server(sessions=[spec], config=config) as server:
        await server.ended("main")  # the whole log is published: a subscriber meets history
        client = await Client.open(server.url)
        await client.send(op="subscribe", session="main")
        await client.recv_op("caught_up")
        await client.close()
    batches = [frame for frame in client.frames if isinstance(frame, list)]
    seqs = [event["seq"] for batch in batches for event in batch]
    assert seqs == list(range(1, len(events) + 1))
    sizes = [len(msgspec.json.encode(batch)) for batch in batches]
    one = len(msgspec.json.encode(batches[0][0])) + 1  # the next envelope and its comma
    assert max(sizes) <= history_bytes
    assert all(size + one > history_bytes for size in sizes[:-1]), sizes


async def test_an_envelope_larger_than_the_bound_goes_alone() -> None:
    """A bound below one envelope still sends every event: one per batch."""
    events = talk(20, text_bytes=400)
    config = ServerConfig(limits=Limits(history_bytes=100))
    spec = SessionSpec(name="main", events=events, speed="instant")
    async with run_server(sessions=[spec], config=config) as server:
        await server.ended("main")  # the whole log is published: a subscriber meets history
        client = await Client.open(server.url)
        await client.send(op="subscribe", session="main")
        await client.recv_op("caught_up")
        await client.close()
    batches = [frame for frame in client.frames if isinstance(frame, list)]
    assert [len(batch) for batch in batches] == [1] * len(events)
    assert [batch[0]["seq"] for batch in batches] == list(range(1, len(events) + 1))
