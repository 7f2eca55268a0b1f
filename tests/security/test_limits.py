"""Each limit: its default, the clear error when it is hit, and memory that stays bounded."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from guardkit import Raw, talk

from feed.cli import main as cli_main
from feed.io import load_scenario
from feed.net import OutboxLimits, ServerConfig, SessionSpec, VirtualClock, run_server
from feed.net.client import Backoff, connect
from feed.net.limits import LIMITS, ConnectionLimits, configure_limits
from feed.projections import project

TOKYO = load_scenario("tokyo-2025-m1500-final").events


def test_every_limit_has_a_sane_default() -> None:
    """Defaults a workstation can hold, none of them unlimited."""
    config = ServerConfig()
    limits = config.connection_limits
    assert config.max_message_bytes == 64 * 1024
    assert (config.rate_per_s, config.rate_burst) == (100.0, 200)
    assert config.max_private_sessions == 256
    assert (config.limits.backlog_frames, config.limits.backlog_bytes) == (4096, 8 * 2**20)
    assert limits == ConnectionLimits(
        max_connections=1024,
        max_connections_per_address=256,
        max_subscribes_per_connection=1000,
        control_per_s=10.0,
        control_burst=20,
        fault_states=1024,
    )
    assert set(LIMITS) == {
        "max_message_bytes",
        "rate_per_s",
        "rate_burst",
        "max_private_sessions",
        "backlog_frames",
        "backlog_bytes",
        *(f.name for f in dataclasses.fields(ConnectionLimits)),
    }


def test_limits_are_set_by_name_and_a_bad_one_is_refused_saying_what_was_expected() -> None:
    """``--limit NAME=VALUE``: every name reaches its place; typos and zeros are refused."""
    config = configure_limits(
        ServerConfig(),
        ["max_connections=5", "backlog_bytes=1024", "rate_per_s=2.5", "max_message_bytes=99"],
    )
    assert config.connection_limits.max_connections == 5
    assert config.limits.backlog_bytes == 1024
    assert config.rate_per_s == 2.5
    assert config.max_message_bytes == 99
    for bad, says in [
        ("max_conections=5", "NAME one of"),
        ("max_connections", "NAME=VALUE"),
        ("max_connections=0", "above 0"),
        ("max_connections=1.5", "a whole number"),
        ("control_per_s=-1", "above 0"),
    ]:
        with pytest.raises(ValueError, match=says):
            configure_limits(ServerConfig(), [bad])


def test_racefeed_serve_refuses_a_bad_limit_before_it_listens(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`racefeed serve --limit` goes through the same check: exit 2 naming the item."""
    assert cli_main(["serve", "--port", "0", "--limit", "max_conections=5"]) == 2
    assert "--limit 'max_conections=5'" in capsys.readouterr().err
    assert cli_main(["serve", "--port", "0", "--limit", "fault_states=0"]) == 2
    assert "expected a value above 0" in capsys.readouterr().err


async def test_connections_over_the_server_limit_are_refused_with_1013_until_one_closes() -> None:
    """The fourth of three: `too_many_connections` and 1013; after a close, room again."""
    config = ServerConfig(connection_limits=ConnectionLimits(max_connections=3))
    async with run_server(config=config) as server:
        held = [await Raw.open(server.url) for _ in range(3)]
        extra = await Raw.open(server.url)
        error = await extra.recv()
        assert error["code"] == "too_many_connections" and error["closes"]
        assert "3 connections open" in error["message"]
        assert await extra.closed_with() == 1013
        await held.pop().close()
        await asyncio.sleep(0.05)
        again = await Raw.open(server.url)
        await again.send(op="ping", id=1)
        assert (await again.recv())["op"] == "pong"
        for client in [*held, again]:
            await client.close()
        await asyncio.sleep(0.05)
        assert server.admission.total == 0


async def test_connections_over_the_per_address_limit_are_refused_naming_the_address() -> None:
    """Two from 127.0.0.1 at most: the third hears which address is full."""
    limits = ConnectionLimits(max_connections=100, max_connections_per_address=2)
    async with run_server(config=ServerConfig(connection_limits=limits)) as server:
        held = [await Raw.open(server.url) for _ in range(2)]
        extra = await Raw.open(server.url)
        error = await extra.recv()
        assert error["code"] == "too_many_connections"
        assert "from 127.0.0.1" in error["message"]
        assert await extra.closed_with() == 1013
        assert server.admission.of("127.0.0.1") == 2
        for client in held:
            await client.close()


async def test_subscribing_too_often_on_one_connection_closes_it_with_1008() -> None:
    """Three subscribes allowed: the fourth gets `too_many_subscriptions`; a new link goes on."""
    limits = ConnectionLimits(max_subscribes_per_connection=3)
    spec = SessionSpec(name="main", events=talk(10), paused=True)
    async with run_server(sessions=[spec], config=ServerConfig(connection_limits=limits)) as srv:
        client = await Raw.open(srv.url)
        for _ in range(3):
            await client.send(op="subscribe")
            await client.until("caught_up")
        await client.send(op="subscribe", session="nope")  # unknown: does not count
        assert (await client.recv())["code"] == "unknown_session"
        await client.send(op="subscribe")
        error = await client.until("error")
        assert error["code"] == "too_many_subscriptions" and error["closes"]
        assert await client.closed_with() == 1008


async def test_the_sdk_rides_through_the_subscribe_limit_by_reconnecting() -> None:
    """Two subscribes a connection, a lossy feed that resubscribes often: still every seq."""
    limits = ConnectionLimits(max_subscribes_per_connection=2)
    config = ServerConfig(connection_limits=limits)
    spec = SessionSpec(name="main", events=TOKYO, speed=50.0)
    async with run_server(sessions=[spec], config=config, clock=VirtualClock(autojump=True)) as s:
        backoff = Backoff(initial=0.001, maximum=0.01, attempts=200)
        async with connect(s.url, backoff=backoff, faults="drop_p=0.1", fault_seed=4) as feed:
            seqs = [event.seq async for event in feed]
    assert seqs == list(range(1, len(TOKYO) + 1))
    assert feed.stats.connects > 1
    assert feed.standings() == project(TOKYO).standings()


async def test_control_messages_over_the_rate_are_each_answered_rate_limited() -> None:
    """Burst of two, then one a second: the third and fourth are refused, each with an answer."""
    limits = ConnectionLimits(control_per_s=1.0, control_burst=2)
    spec = SessionSpec(name="main", events=talk(10), paused=True, token="main-token")
    async with run_server(sessions=[spec], config=ServerConfig(connection_limits=limits)) as srv:
        client = await Raw.open(srv.url)
        answers = []
        for _ in range(4):
            await client.send(op="control", session="main", action="step", token="main-token")
            answers.append(await client.recv())
        assert [a["op"] for a in answers[:2]] == ["replay_state", "replay_state"]
        assert [a.get("code") for a in answers[2:]] == ["rate_limited", "rate_limited"]
        assert "control" in answers[2]["message"]
        await client.send(op="ping", id="still-there")  # other messages are not held up
        assert (await client.recv())["id"] == "still-there"
        assert srv.sessions["main"].head_seq == 2
        await client.close()


async def test_sessions_over_the_limit_are_refused_and_the_count_stays_at_it() -> None:
    """Ten tries with room for three: three sessions, seven `too_many_sessions`."""
    async with run_server(config=ServerConfig(max_private_sessions=3)) as server:
        client = await Raw.open(server.url)
        codes = []
        for _ in range(10):
            await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
            answer = await client.recv()
            codes.append(answer.get("code", answer["op"]))
        assert codes.count("session_created") == 3
        assert codes.count("too_many_sessions") == 7
        assert sum(1 for s in set(server.sessions.values()) if s.private) == 3
        await client.close()


async def test_a_private_session_nobody_follows_is_removed_after_its_idle_time() -> None:
    """Room for two; the one nobody follows goes after `private_idle_s`, freeing its place."""
    config = ServerConfig(heartbeat_s=0.05, private_idle_s=0.3, max_private_sessions=2)
    async with run_server(config=config) as server:
        client = await Raw.open(server.url)
        created = []
        for _ in range(2):
            await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
            created.append((await client.until("session_created"))["session"])
        idle, followed = created
        watcher = await Raw.open(server.url)
        await watcher.send(op="subscribe", session=followed)
        await watcher.until("caught_up")
        await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
        assert (await client.until("error"))["code"] == "too_many_sessions"
        await asyncio.sleep(0.8)
        assert idle not in server.sessions
        assert followed in server.sessions
        await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
        assert (await client.until("session_created"))["session"] not in created
        await watcher.send(op="subscribe", session=idle)
        assert (await watcher.until("error"))["code"] == "unknown_session"
        for raw in (client, watcher):
            await raw.close()


async def test_a_reader_that_stalls_is_cut_off_before_its_backlog_passes_the_bytes_limit() -> None:
    """64 KiB of backlog at most: the reader that stalls gets `too_slow` and 1013, never more."""
    limits = OutboxLimits(backlog_frames=10**6, backlog_bytes=64 * 1024, write_buffer=16 * 1024)
    events = talk(3000, text_bytes=2000, gap_ms=1)
    spec = SessionSpec(name="main", events=events, paused=True, token="t0123456")
    async with run_server(sessions=[spec], config=ServerConfig(limits=limits)) as server:
        stalled = await Raw.open(server.url, max_queue=1)
        await stalled.send(op="subscribe")
        await stalled.until("caught_up")
        stalled.ws.transport.pause_reading()  # a client that no longer reads its socket
        session = server.sessions["main"]
        largest = 0

        def watch(_hub: object, _events: object) -> None:
            nonlocal largest
            for sub in session.subscriptions:
                largest = max(largest, sub.outbox._backlog_bytes)

        session.observers.append(watch)
        control = await Raw.open(server.url)
        await control.send(
            op="control", session="main", action="speed", speed="instant", token="t0123456"
        )
        await control.send(op="control", session="main", action="play", token="t0123456")
        await asyncio.wait_for(session.finished.wait(), 30)
        stalled.ws.transport.resume_reading()
        error = await stalled.until("error", timeout=10)
        assert error["code"] == "too_slow" and error["resume_from_seq"] >= 1
        assert largest <= limits.backlog_bytes
        assert not session.subscriptions
        await control.close()


async def test_fault_state_per_session_is_kept_for_a_bounded_number_of_client_ids() -> None:
    """Ten named faulty subscribers, room for four: the four most recent are remembered."""
    limits = ConnectionLimits(fault_states=4)
    spec = SessionSpec(name="main", events=talk(20), paused=True)
    async with run_server(sessions=[spec], config=ServerConfig(connection_limits=limits)) as srv:
        client = await Raw.open(srv.url)
        for n in range(10):
            await client.send(op="subscribe", faults="lossy", client_id=f"client-{n}")
            await client.until("caught_up")
        assert srv.faults.states(srv.sessions["main"]) == 4
        await client.close()


async def test_churning_connections_under_faults_leaves_nothing_behind() -> None:
    """200 connections subscribe with faults and go: no connection, subscription or task stays."""
    spec = SessionSpec(name="main", events=talk(50), speed="instant")
    async with run_server(sessions=[spec]) as server:
        session = server.sessions["main"]
        await session.finished.wait()
        baseline = len(asyncio.all_tasks())
        for n in range(200):
            client = await Raw.open(server.url)
            await client.send(op="subscribe", faults="chaos", client_id=f"c{n % 7}", fault_seed=n)
            if n % 2:
                await client.until("subscribed")
            await client.close()
        await asyncio.sleep(0.2)
        assert server.admission.total == 0
        assert not session.subscriptions
        assert server.faults.states(session) == 7
        assert len(asyncio.all_tasks()) <= baseline + 2
