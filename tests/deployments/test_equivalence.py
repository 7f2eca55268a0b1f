"""Byte for byte: every deployment sends the same frames for the same replay."""

from __future__ import annotations

from pathlib import Path

import pytest

from feed.server import SessionSpec
from tests.kit.deployments import deploy
from tests.kit.races import make_race
from tests.kit.wire import Client


@pytest.mark.nats
async def test_every_deployment_sends_the_same_frames(
    tmp_path: Path, nats_url: str, stream_names: tuple[str, str]
) -> None:
    """Subscribing after the end, with a snapshot and views, from the middle: the embedded
    server, the server over a file and a NATS gateway send the same frames."""
    spec = SessionSpec(name="race", events=make_race(stream="race"), speed="instant")
    seen: dict[str, list[object]] = {}
    for kind in ("memory", "jsonl", "nats"):
        stream, prefix = stream_names
        (tmp_path / kind).mkdir()
        async with deploy(
            kind, sessions=[spec], tmp_path=tmp_path / kind, nats=(nats_url, stream, prefix)
        ) as d:
            await d.ended("race", gateway=len(d.servers) - 1)
            client = await Client.open(d.urls[-1])
            await client.send(
                op="subscribe", session="race", from_seq=20, snapshot=True, views=True
            )
            await client.events_until("end")
            seen[kind] = client.frames
            await client.close()
    assert seen["jsonl"] == seen["memory"]
    assert seen["nats"] == seen["memory"]
