"""Who may do what: loopback by default, a token beyond it, tokens kept secret, sessions apart."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.request

import pytest
from guardkit import Raw, talk
from structlog.testing import capture_logs

from feed.cli import build_parser
from feed.cli import main as cli_main
from feed.net import ServerConfig, SessionSpec, run_server
from feed.net.auth import InsecureBind, check_bind, is_loopback
from feed.net.server import Server

SERVER_TOKEN = "server-token-0123456789"
LOG = talk(40)


def test_servers_listen_on_127_0_0_1_unless_told_otherwise() -> None:
    """The library's config and every command that serves default to loopback."""
    assert ServerConfig().host == "127.0.0.1"
    parser = build_parser()
    for argv in (
        ["serve"],
        ["replay", "tokyo-2025-m1500-final"],
        ["gateway", "--nats", "nats://127.0.0.1:4222"],
    ):
        assert parser.parse_args(argv).host == "127.0.0.1", argv


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_loopback_addresses_need_no_token(host: str) -> None:
    """Only this machine can connect there, so no token is asked for."""
    assert is_loopback(host)
    check_bind(host, None)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "192.168.1.20", "feed.example.org"])
def test_any_other_address_needs_a_token_of_eight_characters_or_more(host: str) -> None:
    """Every interface, a LAN address or a host name: refused without a token, or a short one."""
    assert not is_loopback(host)
    with pytest.raises(InsecureBind, match="--token or the RACEFEED_TOKEN"):
        check_bind(host, None)
    with pytest.raises(InsecureBind, match="at least 8 characters"):
        check_bind(host, "short")
    check_bind(host, SERVER_TOKEN)


async def test_a_server_bound_beyond_loopback_without_a_token_refuses_to_start() -> None:
    """It raises before it listens: nothing is ever served unprotected."""
    server = Server(ServerConfig(host="0.0.0.0", port=0))
    with pytest.raises(InsecureBind):
        await server.start()
    assert server._ws is None


def test_racefeed_serve_refuses_to_listen_beyond_loopback_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 saying how to give a token; the environment variable counts as one."""
    monkeypatch.delenv("RACEFEED_TOKEN", raising=False)
    assert cli_main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "--token or the RACEFEED_TOKEN environment variable" in capsys.readouterr().err
    monkeypatch.setenv("RACEFEED_TOKEN", "tiny")
    assert cli_main(["serve", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err


async def test_with_a_server_token_creating_a_session_needs_it() -> None:
    """No token or a wrong one: unauthorized at $.token; the right one: session_created."""
    config = ServerConfig(token=SERVER_TOKEN)
    async with run_server(config=config) as server:
        client = await Raw.open(server.url)
        for token in (None, "wrong-token-0000000"):
            extra = {} if token is None else {"token": token}
            await client.send(op="create_session", scenario="tokyo-2025-m1500-final", **extra)
            refused = await client.recv()
            assert refused["code"] == "unauthorized"
            assert refused["field"] == "$.token"
        await client.send(
            op="create_session", scenario="tokyo-2025-m1500-final", token=SERVER_TOKEN
        )
        created = await client.recv()
        assert created["op"] == "session_created"
        assert created["token"] != SERVER_TOKEN
        await client.close()


async def test_the_server_token_controls_any_session_and_a_session_token_only_its_own() -> None:
    """Admin token: any session. Session a's token on session b: unauthorized."""
    specs = [
        SessionSpec(name="a", events=LOG, paused=True, token="token-of-a-000"),
        SessionSpec(name="b", events=LOG, paused=True, token="token-of-b-000"),
    ]
    async with run_server(sessions=specs, config=ServerConfig(token=SERVER_TOKEN)) as server:
        client = await Raw.open(server.url)
        await client.send(op="control", session="b", action="step", token="token-of-a-000")
        assert (await client.recv())["code"] == "unauthorized"
        await client.send(op="control", session="b", action="step", token=SERVER_TOKEN)
        assert (await client.recv())["op"] == "replay_state"
        await client.send(op="control", session="a", action="step", token="token-of-a-000")
        assert (await client.recv())["op"] == "replay_state"
        await client.close()
        assert server.sessions["a"].head_seq == server.sessions["b"].head_seq == 1


async def test_no_token_ever_reaches_another_client_or_a_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Create, control (right and wrong tokens), faults, bad messages: no token leaks anywhere."""
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-token-abcdefgh"
    config = ServerConfig(token=SERVER_TOKEN)
    with capture_logs() as logs:
        async with run_server(config=config) as server:
            owner = await Raw.open(server.url)
            await owner.send(
                op="create_session", scenario="tokyo-2025-m1500-final", token=SERVER_TOKEN
            )
            created = await owner.recv()
            session, token = created["session"], created["token"]
            watcher = await Raw.open(server.url)
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
            listing = await asyncio.to_thread(
                _get, server.url.replace("ws", "http") + "v1/sessions"
            )
            await owner.close()
            await watcher.close()
    secrets_ = (token, wrong, SERVER_TOKEN)
    seen_by_watcher = json.dumps(watcher.frames)
    server_side = [r for r in caplog.records if not r.name.startswith("websockets.client")]
    logged = json.dumps(logs, default=str) + "\n".join(r.getMessage() for r in server_side)
    for secret in secrets_:
        assert secret not in seen_by_watcher
        assert secret not in logged
        assert secret not in listing
    assert session not in listing  # private sessions are not listed


async def test_a_private_session_cannot_be_read_without_its_id_or_steered_without_its_token() -> (
    None
):
    """Guessed ids are unknown; another session's token does not steer it."""
    async with run_server() as server:
        alice, mallory = await Raw.open(server.url), await Raw.open(server.url)
        for client in (alice, mallory):
            await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
        mine = await alice.recv()
        theirs = await mallory.recv()
        assert mine["session"] != theirs["session"]
        assert len(mine["session"]) >= 14 and len(mine["token"]) >= 24
        for guess in ("p-000000000000", mine["session"][:-1] + "x", "main", mine["scenario"]):
            await mallory.send(op="subscribe", session=guess)
            assert (await mallory.recv())["code"] == "unknown_session"
        for token in (theirs["token"], "", mine["token"][:-1]):
            await mallory.send(op="control", session=mine["session"], action="play", token=token)
            assert (await mallory.recv())["code"] == "unauthorized"
        assert server.sessions[mine["session"]].replay.state == "paused"
        await alice.close()
        await mallory.close()


async def test_one_subscribers_faults_never_reach_another_subscriber() -> None:
    """A lossy subscriber and a clean one on the same session: the clean one gets every seq."""
    async with run_server(sessions=[SessionSpec(name="main", events=LOG, speed="instant")]) as srv:
        await srv.sessions["main"].finished.wait()
        lossy, clean = await Raw.open(srv.url), await Raw.open(srv.url)
        await lossy.send(op="subscribe", faults="drop_p=0.5", fault_seed=1)
        await clean.send(op="subscribe")
        await lossy.until("end")
        await clean.until("end")
        got = [f["seq"] for f in clean.frames if isinstance(f, dict) and "type" in f]
        got += [e["seq"] for f in clean.frames if isinstance(f, list) for e in f]
        lost = [f["seq"] for f in lossy.frames if isinstance(f, dict) and "type" in f]
        assert sorted(got) == list(range(1, len(LOG) + 1))
        assert len(lost) < len(LOG)


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())
