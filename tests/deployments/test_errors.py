"""Bad input at the socket and HTTP, answered the same way, as fast, in every deployment."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request

import pytest
from structlog.testing import capture_logs

from feed.protocol import Limits
from feed.server import ServerConfig, SessionSpec, VirtualClock
from tests.deployments.conftest import Deploy
from tests.kit.races import make_race, static, talk
from tests.kit.wire import Client

TOKEN = "control-token-for-tests"


async def test_each_bad_message_gets_its_code_and_the_server_keeps_serving(
    deployment: Deploy, clients: list[Client]
) -> None:
    """Bad JSON, bad fields, unknown ops, binary frames, unknown names: each its code, each at
    once; a watcher on the same server keeps receiving its stream throughout."""
    clock = VirtualClock(autojump=True)
    spec = SessionSpec(name="main", events=talk(400, gap_ms=100), speed=10)
    config = ServerConfig(limits=Limits(max_message_bytes=1024, rate_per_s=1000, rate_burst=1000))
    async with deployment(sessions=[spec], clock=clock, config=config, scenarios=static()) as d:
        watcher = await Client.open(d.url)
        clients.append(watcher)
        await watcher.send(op="subscribe", session="main")
        bad = await Client.open(d.urls[-1])
        clients.append(bad)
        cases: list[tuple[str | bytes, str, str | None]] = [
            ("{not json", "bad_json", None),
            ("[1, 2]", "bad_message", "$"),
            ('{"op": "subscribe", "from_seq": "ten"}', "bad_message", "$.from_seq"),
            ('{"op": "subscribe", "form_seq": 1}', "bad_message", "$.form_seq"),
            ('{"op": "subscribe", "from_seq": 1, "live": true}', "bad_message", "$.live"),
            ('{"op": "control", "session": "main", "action": "seek"}', "bad_message", "$.seq"),
            ('{"seq": 1}', "bad_message", "$.op"),
            ('{"op": "teleport"}', "unknown_op", "$.op"),
            (b"\x00\x01", "binary_frame", None),
            ('{"op": "subscribe", "session": "nope"}', "unknown_session", "$.session"),
            ('{"op": "create_session", "scenario": "nope"}', "unknown_scenario", "$.scenario"),
        ]
        for raw, code, field in cases:
            started = time.monotonic()
            await bad.ws.send(raw)
            error = await bad.recv()
            assert (error["op"], error["code"], error["field"]) == ("error", code, field), raw
            assert error["closes"] is False
            assert time.monotonic() - started < 1.0, (
                f"{code} took {time.monotonic() - started:.2f} s"
            )
        await bad.send(op="ping", id=7)
        assert await bad.recv() == {"op": "pong", "id": 7}
        await bad.ws.send('{"op": "ping", "id": "' + "x" * 2000 + '"}')
        error = await bad.recv()
        assert (error["code"], error["closes"]) == ("frame_too_large", True)
        await bad.ws.wait_closed()
        assert bad.ws.close_code == 1009
        events = await watcher.events_until("end", timeout=10)
        assert [e["seq"] for e in events] == list(range(1, 401))


async def test_a_flood_of_messages_is_rate_limited(
    deployment: Deploy, clients: list[Client]
) -> None:
    """Past the burst, messages are dropped with one rate_limited notice; the link stays up."""
    config = ServerConfig(limits=Limits(rate_per_s=1, rate_burst=5))
    async with deployment(config=config, scenarios=static()) as d:
        client = await Client.open(d.url)
        clients.append(client)
        for n in range(20):
            await client.send(op="ping", id=n)
        answers = [await client.recv() for _ in range(6)]
        assert [a["id"] for a in answers[:5]] == [0, 1, 2, 3, 4]
        assert answers[5]["code"] == "rate_limited"
        with pytest.raises(TimeoutError):
            await client.recv(timeout=0.2)


async def test_answers_come_in_the_order_the_messages_were_sent(
    deployment: Deploy, clients: list[Client]
) -> None:
    """A ping is a fence: create_session (loaded, then answered) comes back before its pong."""
    async with deployment(scenarios=static(("race", make_race()))) as d:
        client = await Client.open(d.url)
        clients.append(client)
        await client.send(op="create_session", scenario="nope")
        await client.send(op="create_session", scenario="race", paused=True)
        await client.send(op="ping", id="fence")
        ops = [(await client.recv())["op"] for _ in range(3)]
        assert ops == ["error", "session_created", "pong"]


async def test_http_endpoints_answer_on_the_websocket_port(deployment: Deploy) -> None:
    """/healthz, /v1/scenarios, /v1/sessions, /asyncapi.json and / answer plain GETs."""
    spec = SessionSpec(name="main", events=make_race(), paused=True, aliases=("alias",))
    async with deployment(sessions=[spec], scenarios=static(("race", make_race()))) as d:
        port = d.servers[-1].port
        base = f"http://127.0.0.1:{port}"

        def get(path: str) -> tuple[int, str, bytes]:
            try:
                with urllib.request.urlopen(base + path, timeout=5) as response:
                    return response.status, response.headers["Content-Type"], response.read()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.headers["Content-Type"], exc.read()

        health = await asyncio.to_thread(get, "/healthz")
        catalog = await asyncio.to_thread(get, "/v1/scenarios")
        sessions = await asyncio.to_thread(get, "/v1/sessions")
        asyncapi = await asyncio.to_thread(get, "/asyncapi.json")
        page = await asyncio.to_thread(get, "/")
        missing = await asyncio.to_thread(get, "/nope/../../etc/passwd")
    assert health[0] == 200 and json.loads(health[2])["status"] == "ok"
    assert json.loads(health[2])["sessions"] == 1
    assert json.loads(catalog[2]) == [
        {"id": "race", "title": "race title", "kind": "race", "description": ""}
    ]
    listed = json.loads(sessions[2])
    assert [(s["session"], s["aliases"], s["state"]) for s in listed] == [
        ("main", ["alias"], "paused")
    ]
    document = json.loads(asyncapi[2])
    assert document["asyncapi"] == "3.0.0"
    assert document["servers"]["local"]["host"] == f"127.0.0.1:{port}"
    assert page[0] == 200 and page[1].startswith("text/html")
    assert missing[0] == 404


async def test_logs_name_sessions_and_clients_and_never_a_token(
    deployment: Deploy, clients: list[Client]
) -> None:
    """Logs carry session_created, client_connected, control_applied, replay_finished ... and no
    token."""
    spec = SessionSpec(name="main", events=make_race(), speed="instant", token=TOKEN)
    with capture_logs() as logs:
        async with deployment(sessions=[spec], scenarios=static(("race", make_race()))) as d:
            client = await Client.open(d.url)
            clients.append(client)
            await client.send(op="create_session", scenario="race", paused=True)
            created = await client.recv_op("session_created")
            await client.send(
                op="control", session=created["session"], token=created["token"], action="play"
            )
            await client.recv_op("replay_state")
            await client.send(op="subscribe", session="main")
            await client.events_until("end")
    names = {entry["event"] for entry in logs}
    assert {
        "server_started",
        "session_created",
        "client_connected",
        "subscribed",
        "control_applied",
        "replay_finished",
        "server_stopped",
    } <= names
    text = repr(logs)
    assert TOKEN not in text and created["token"] not in text
    finished = next(e for e in logs if e["event"] == "replay_finished")
    assert finished["session"] == "main" and finished["stream"] == "test-race"
