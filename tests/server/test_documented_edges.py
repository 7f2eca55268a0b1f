"""Edges of the protocol that docs/protocol.md spells out, held to what the server does."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from typing import Any

from structlog.testing import capture_logs

from feed.server import ServerConfig, SessionSpec, run_server
from tests.kit.races import make_race, static
from tests.kit.wire import Client

TOKEN = "edge-token"


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


async def test_unsubscribe_ends_the_current_subscription_whatever_session_it_names() -> None:
    """``session`` on ``unsubscribe`` is optional; the answer names the session left."""
    spec = SessionSpec(name="main", events=make_race(), paused=True, token=TOKEN)
    async with run_server(sessions=[spec]) as server:
        client = await Client.open(server.url)
        await client.send(op="unsubscribe", session="elsewhere")
        assert (await client.recv_op("unsubscribed"))["session"] == "elsewhere"
        await client.send(op="subscribe", session="main")
        await client.recv_op("caught_up")
        await client.send(op="unsubscribe", session="elsewhere")
        assert (await client.recv_op("unsubscribed"))["session"] == "main"
        await client.close()


async def test_an_unknown_scenario_is_answered_before_a_later_ping() -> None:
    """``ping`` is a fence: a failed ``create_session`` sent before it is answered first."""
    spec = SessionSpec(name="main", events=make_race(), paused=True, token=TOKEN)
    config = ServerConfig(token=TOKEN)
    async with run_server(
        sessions=[spec], config=config, scenarios=static(("race", make_race()))
    ) as server:
        client = await Client.open(server.url)
        await client.send(op="create_session", scenario="nope", token=TOKEN)
        await client.send(op="ping", id="fence")
        first = await client.recv()
        second = await client.recv()
        assert [first["op"], second["op"]] == ["error", "pong"], (first, second)
        assert first["code"] == "unknown_scenario"
        await client.close()


async def test_healthz_counts_named_sessions_as_listed_and_private_ones_apart() -> None:
    """``/healthz`` ``sessions`` equals what ``/v1/sessions`` lists; private ones apart."""
    spec = SessionSpec(name="main", events=make_race(), paused=True, token=TOKEN)
    config = ServerConfig(token=TOKEN)
    async with run_server(
        sessions=[spec], config=config, scenarios=static(("race", make_race()))
    ) as server:
        client = await Client.open(server.url)
        await client.send(op="create_session", scenario="race", token=TOKEN)
        await client.recv_op("session_created")
        http = server.url.replace("ws://", "http://").rstrip("/")
        health = await asyncio.to_thread(_get, http + "/healthz")
        listing = await asyncio.to_thread(_get, http + "/v1/sessions")
        listed = listing["sessions"] if isinstance(listing, dict) else listing
        assert health["sessions"] == len(listed) == 1
        assert health["private_sessions"] == 1
        await client.close()


async def test_server_started_is_logged_once_the_named_sessions_exist() -> None:
    """The start line names the sessions, and comes after they were created."""
    spec = SessionSpec(name="main", events=make_race(), paused=True, token=TOKEN)
    with capture_logs() as logs:
        async with run_server(sessions=[spec]):
            pass
    events = [entry["event"] for entry in logs]
    started = events.index("server_started")
    assert events.index("session_created") < started
    assert logs[started]["sessions"] == ["main"]
