"""Who may do what, the same in every deployment: tokens kept secret, sessions kept apart."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request

import pytest
from structlog.testing import capture_logs

from feed.server import ServerConfig, SessionSpec
from tests.deployments.conftest import Deploy
from tests.kit.races import talk
from tests.kit.wire import Raw, seqs_of

SERVER_TOKEN = "server-token-0123456789"
LOG = talk(40)


async def test_with_a_server_token_creating_a_session_needs_it(deployment: Deploy) -> None:
    """No token or a wrong one: unauthorized at $.token; the right one: session_created."""
    async with deployment(config=ServerConfig(token=SERVER_TOKEN)) as d:
        client = await Raw.open(d.url)
        for token in (None, "wrong-token-0000000"):
            extra = {} if token is None else {"token": token}
            await client.send(op="create_session", scenario="tokyo-2025-m1500-final", **extra)
            refused = await client.recv()
            assert (refused["code"], refused["field"]) == ("unauthorized", "$.token")
        await client.send(
            op="create_session", scenario="tokyo-2025-m1500-final", token=SERVER_TOKEN
        )
        created = await client.recv()
        assert created["op"] == "session_created"
        assert created["token"] != SERVER_TOKEN
        await client.close()


async def test_the_server_token_controls_any_session_and_a_session_token_only_its_own(
    deployment: Deploy,
) -> None:
    """Admin token: any session. Session a's token on session b: unauthorized."""
    specs = [
        SessionSpec(name="a", events=LOG, paused=True, token="token-of-a-000"),
        SessionSpec(name="b", events=LOG, paused=True, token="token-of-b-000"),
    ]
    async with deployment(sessions=specs, config=ServerConfig(token=SERVER_TOKEN)) as d:
        client = await Raw.open(d.url)
        await client.send(op="control", session="b", action="step", token="token-of-a-000")
        assert (await client.recv())["code"] == "unauthorized"
        await client.send(op="control", session="b", action="step", token=SERVER_TOKEN)
        assert (await client.recv())["op"] == "replay_state"
        await client.send(op="control", session="a", action="step", token="token-of-a-000")
        assert (await client.recv())["op"] == "replay_state"
        await client.close()
        assert d.clock("a").position_seq == d.clock("b").position_seq == 1


async def test_no_token_ever_reaches_another_client_or_a_log(
    deployment: Deploy, caplog: pytest.LogCaptureFixture
) -> None:
    """Create, control (right and wrong tokens), faults, bad messages: no token leaks anywhere."""
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-token-abcdefgh"
    with capture_logs() as logs:
        async with deployment(config=ServerConfig(token=SERVER_TOKEN)) as d:
            owner = await Raw.open(d.url)
            await owner.send(
                op="create_session", scenario="tokyo-2025-m1500-final", token=SERVER_TOKEN
            )
            created = await owner.recv()
            session, token = created["session"], created["token"]
            watcher = await Raw.open(d.urls[-1])
            await watcher.send(op="subscribe", session=session, snapshot=True, views=True)
            await watcher.until("caught_up")
            for used in (token, wrong, SERVER_TOKEN):
                await owner.send(op="control", session=session, action="step", token=used)
                await owner.recv()
            await owner.send(
                op="control", session=session, action="faults", faults="lossy", token=token
            )
            await owner.recv()
            await owner.send(op="control", session=session, action="stop", token=token)
            await owner.recv()  # bad_message: the action is unknown
            await owner.send(op="control", session=session, action="play", token=token, x=1)
            await owner.recv()  # bad_message: an unknown field
            await watcher.until("replay_state")
            listing = await asyncio.to_thread(_get, d.url.replace("ws", "http") + "v1/sessions")
            await owner.close()
            await watcher.close()
    seen_by_watcher = json.dumps(watcher.frames)
    server_side = [r for r in caplog.records if not r.name.startswith("websockets.client")]
    logged = json.dumps(logs, default=str) + "\n".join(r.getMessage() for r in server_side)
    for secret in (token, wrong, SERVER_TOKEN):
        assert secret not in seen_by_watcher
        assert secret not in logged
        assert secret not in listing
    assert session not in listing  # private sessions are not listed


async def test_a_private_session_cannot_be_read_without_its_id_or_steered_without_its_token(
    deployment: Deploy,
) -> None:
    """Guessed ids are unknown; another session's token does not steer it."""
    async with deployment() as d:
        alice, mallory = await Raw.open(d.url), await Raw.open(d.urls[-1])
        for client in (alice, mallory):
            await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
        mine = await alice.recv()
        theirs = await mallory.recv()
        assert mine["session"] != theirs["session"]
        assert len(mine["session"]) >= 14 and len(mine["token"]) >= 24
        for guess in ("p-000000000000", mine["session"][:-1] + "x", "main", mine["scenario"]):
            await mallory.send(op="subscribe", session=guess)
            assert (await mallory.recv(timeout=2.0))["code"] == "unknown_session"
        for token in (theirs["token"], "", mine["token"][:-1]):
            await mallory.send(op="control", session=mine["session"], action="play", token=token)
            assert (await mallory.recv())["code"] == "unauthorized"
        assert d.clock(mine["session"]).replay.state == "paused"
        await alice.close()
        await mallory.close()


async def test_one_subscribers_faults_never_reach_another_subscriber(deployment: Deploy) -> None:
    """A lossy subscriber and a clean one on the same session: the clean one gets every seq."""
    async with deployment(sessions=[SessionSpec(name="main", events=LOG, speed="instant")]) as d:
        await d.ended("main")
        lossy, clean = await Raw.open(d.url), await Raw.open(d.url)
        await lossy.send(op="subscribe", faults="drop_p=0.5", fault_seed=1)
        await clean.send(op="subscribe")
        await lossy.until("end")
        await clean.until("end")
        assert seqs_of(clean.frames) == list(range(1, len(LOG) + 1))
        assert len(seqs_of(lossy.frames)) < len(LOG)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())
