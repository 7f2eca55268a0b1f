"""Each limit hit in every deployment: the clear error, and memory that stays bounded."""

from __future__ import annotations

import asyncio

from feed.client import Backoff, connect
from feed.projections import project
from feed.protocol import Limits
from feed.server import ServerConfig, SessionSpec, VirtualClock
from tests.deployments.conftest import Deploy
from tests.kit.races import talk, tokyo
from tests.kit.wire import Raw, seqs_of


def _config(**limits: float) -> ServerConfig:
    return ServerConfig(limits=Limits(**limits))  # type: ignore[arg-type]


async def test_connections_over_the_server_limit_are_refused_with_1013_until_one_closes(
    deployment: Deploy,
) -> None:
    """The fourth of three: `too_many_connections` and 1013; after a close, room again."""
    async with deployment(config=_config(max_connections=3)) as d:
        held = [await Raw.open(d.url) for _ in range(3)]
        extra = await Raw.open(d.url)
        error = await extra.recv()
        assert error["code"] == "too_many_connections" and error["closes"]
        assert "3 connections open" in error["message"]
        assert await extra.closed_with() == 1013
        await held.pop().close()
        await asyncio.sleep(0.05)
        again = await Raw.open(d.url)
        await again.send(op="ping", id=1)
        assert (await again.recv())["op"] == "pong"
        for client in [*held, again]:
            await client.close()
        await asyncio.sleep(0.05)
        assert d.servers[0].admission.total == 0


async def test_connections_over_the_per_address_limit_are_refused_naming_the_address(
    deployment: Deploy,
) -> None:
    """Two from 127.0.0.1 at most: the third hears which address is full."""
    async with deployment(config=_config(max_connections_per_address=2)) as d:
        held = [await Raw.open(d.url) for _ in range(2)]
        extra = await Raw.open(d.url)
        error = await extra.recv()
        assert error["code"] == "too_many_connections"
        assert "from 127.0.0.1" in error["message"]
        assert await extra.closed_with() == 1013
        assert d.servers[0].admission.of("127.0.0.1") == 2
        for client in held:
            await client.close()


async def test_subscribing_too_often_on_one_connection_closes_it_with_1008(
    deployment: Deploy,
) -> None:
    """Three subscribes allowed: the fourth gets `too_many_subscriptions`; a new link goes on."""
    spec = SessionSpec(name="main", events=talk(10), paused=True)
    async with deployment(sessions=[spec], config=_config(max_subscribes_per_connection=3)) as d:
        client = await Raw.open(d.url)
        for _ in range(3):
            await client.send(op="subscribe")
            await client.until("caught_up")
        await client.send(op="subscribe")
        error = await client.until("error")
        assert error["code"] == "too_many_subscriptions" and error["closes"]
        assert await client.closed_with() == 1008


async def test_the_sdk_rides_through_the_subscribe_limit_by_reconnecting(
    deployment: Deploy,
) -> None:
    """Two subscribes a connection, a lossy feed that resubscribes often: still every seq."""
    spec = SessionSpec(name="main", events=tokyo(), speed=50.0)
    clock = VirtualClock(autojump=True)
    config = _config(max_subscribes_per_connection=2)
    async with deployment(sessions=[spec], config=config, clock=clock) as d:
        backoff = Backoff(initial=0.001, maximum=0.01, attempts=200)
        async with connect(d.urls, backoff=backoff, faults="drop_p=0.1", fault_seed=4) as feed:
            seqs = [event.seq async for event in feed]
    assert seqs == list(range(1, len(tokyo()) + 1))
    assert feed.stats.connects > 1
    assert feed.standings() == project(tokyo()).standings()


async def test_control_messages_over_the_rate_are_each_answered_rate_limited(
    deployment: Deploy,
) -> None:
    """Burst of two, then one a second: the third and fourth are refused, each with an answer."""
    spec = SessionSpec(name="main", events=talk(10), paused=True, token="main-token")
    async with deployment(sessions=[spec], config=_config(control_per_s=1.0, control_burst=2)) as d:
        client = await Raw.open(d.url)
        answers = []
        for _ in range(4):
            await client.send(op="control", session="main", action="step", token="main-token")
            answers.append(await client.recv())
        assert [a["op"] for a in answers[:2]] == ["replay_state", "replay_state"]
        assert [a.get("code") for a in answers[2:]] == ["rate_limited", "rate_limited"]
        assert "control" in answers[2]["message"]
        await client.send(op="ping", id="still-there")  # other messages are not held up
        assert (await client.recv())["id"] == "still-there"
        assert d.clock("main").position_seq == 2
        await client.close()


async def test_sessions_over_the_limit_are_refused_and_the_count_stays_at_it(
    deployment: Deploy,
) -> None:
    """Ten tries with room for three, through every gateway: three sessions, seven refusals."""
    async with deployment(config=_config(max_private_sessions=3)) as d:
        links = [await Raw.open(url) for url in d.urls]
        codes = []
        for n in range(10):
            client = links[n % len(links)]
            await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
            answer = await client.recv()
            codes.append(answer.get("code", answer["op"]))
        assert codes.count("session_created") == 3
        assert codes.count("too_many_sessions") == 7
        assert sum(1 for s in d.director.sessions.values() if s.private) == 3
        for client in links:
            await client.close()


async def test_a_private_session_nobody_follows_is_removed_after_its_idle_time(
    deployment: Deploy,
) -> None:
    """Room for two; the one nobody follows goes after `private_idle_s` (its log records with
    it), freeing its place; the one followed through another gateway stays."""
    config = _config(heartbeat_s=0.05, private_idle_s=0.3, max_private_sessions=2)
    async with deployment(config=config) as d:
        client = await Raw.open(d.url)
        created = []
        for _ in range(2):
            await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
            created.append((await client.until("session_created"))["session"])
        idle, followed = created
        watcher = await Raw.open(d.urls[-1])
        await watcher.send(op="subscribe", session=followed)
        await watcher.until("caught_up")
        await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
        assert (await client.until("error"))["code"] == "too_many_sessions"
        await asyncio.sleep(0.9)
        assert idle not in d.director.sessions
        assert followed in d.director.sessions
        for server in d.servers:
            assert server.gateway.find(idle) is None
        await client.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
        assert (await client.until("session_created"))["session"] not in created
        await watcher.send(op="subscribe", session=idle)
        assert (await watcher.until("error"))["code"] == "unknown_session"
        records = await d.director.log.read(idle)
        assert [type(entry.record).__name__ for entry in records] == [
            "SessionOpened",
            "SessionClosed",
        ]
        for raw in (client, watcher):
            await raw.close()


async def test_a_reader_that_stalls_is_cut_off_before_its_backlog_passes_the_bytes_limit(
    deployment: Deploy,
) -> None:
    """64 KiB of backlog at most: the reader that stalls gets `too_slow` and 1013 (the bound
    itself is held by ``tests/server/test_outbox.py``)."""
    events = talk(3000, text_bytes=2000, gap_ms=1)
    spec = SessionSpec(name="main", events=events, paused=True, token="t0123456")
    config = _config(backlog_frames=10**6, backlog_bytes=64 * 1024, write_buffer=16 * 1024)
    async with deployment(sessions=[spec], config=config) as d:
        stalled = await Raw.open(d.url, max_queue=1)
        await stalled.send(op="subscribe")
        await stalled.until("caught_up")
        stalled.ws.transport.pause_reading()  # a client that no longer reads its socket
        session = d.session("main")
        control = await Raw.open(d.url)
        await control.send(
            op="control", session="main", action="speed", speed="instant", token="t0123456"
        )
        await control.send(op="control", session="main", action="play", token="t0123456")
        await asyncio.wait_for(d.ended("main"), 30)
        stalled.ws.transport.resume_reading()
        error = await stalled.until("error", timeout=10)
        assert error["code"] == "too_slow" and error["resume_from_seq"] >= 1
        assert session.protocol.subscribers == 0
        await control.close()


async def test_fault_state_is_kept_for_a_bounded_number_of_client_ids(deployment: Deploy) -> None:
    """Ten named faulty subscribers, room for four: the four most recent are remembered."""
    spec = SessionSpec(name="main", events=talk(20), paused=True)
    async with deployment(sessions=[spec], config=_config(fault_states=4)) as d:
        client = await Raw.open(d.url)
        for n in range(10):
            await client.send(op="subscribe", faults="lossy", client_id=f"client-{n}")
            await client.until("caught_up")
        assert d.servers[0].gateway.fault_states.of("main") == 4
        await client.close()


async def test_churning_connections_under_faults_leaves_nothing_behind(deployment: Deploy) -> None:
    """200 connections subscribe with faults and go: no connection, subscription or task stays."""
    spec = SessionSpec(name="main", events=talk(50), speed="instant")
    async with deployment(sessions=[spec]) as d:
        await d.ended("main")
        session = d.session("main")
        baseline = len(asyncio.all_tasks())
        for n in range(200):
            client = await Raw.open(d.url)
            await client.send(op="subscribe", faults="chaos", client_id=f"c{n % 7}", fault_seed=n)
            if n % 2:
                await client.until("subscribed")
            await client.close()
        await asyncio.sleep(0.2)
        assert d.servers[0].admission.total == 0
        assert session.protocol.subscribers == 0
        assert d.servers[0].gateway.fault_states.of("main") == 7
        assert len(asyncio.all_tasks()) <= baseline + 2


async def test_the_private_session_limit_holds_under_a_burst_from_many_connections(
    deployment: Deploy,
) -> None:
    """Twenty connections ask at once, room for three: three sessions, whatever the timing."""
    async with deployment(config=_config(max_private_sessions=3)) as d:
        links = [await Raw.open(d.urls[n % len(d.urls)]) for n in range(20)]
        for link in links:
            await link.send(op="create_session", scenario="tokyo-2025-m1500-final", paused=True)
        answers = await asyncio.gather(*(link.recv(timeout=20) for link in links))
        codes = [answer.get("code", answer["op"]) for answer in answers]
        assert codes.count("session_created") == 3, codes
        assert codes.count("too_many_sessions") == 17
        assert sum(1 for s in d.director.sessions.values() if s.private) == 3
        for link in links:
            await link.close()


async def test_clients_that_never_read_share_one_server_wide_bound(deployment: Deploy) -> None:
    """Four stalled readers, room for 256 KiB queued in all: the largest backlogs are cut off
    with `too_slow` and the server never holds more than its bound."""
    events = talk(3000, text_bytes=2000, gap_ms=1)
    spec = SessionSpec(name="main", events=events, paused=True, token="t0123456")
    config = _config(outbound_bytes=256 * 1024, write_buffer=16 * 1024, backlog_bytes=10**7)
    async with deployment(sessions=[spec], config=config) as d:
        stalled = [await Raw.open(d.url, max_queue=1) for _ in range(4)]
        for client in stalled:
            await client.send(op="subscribe")
            await client.until("caught_up")
            client.ws.transport.pause_reading()
        control = await Raw.open(d.url)
        await control.send(
            op="control", session="main", action="speed", speed="instant", token="t0123456"
        )
        await control.send(op="control", session="main", action="play", token="t0123456")
        await asyncio.wait_for(d.ended("main"), 30)
        assert d.servers[0].gateway.outbound.used <= 256 * 1024
        cut = 0
        for client in stalled:
            client.ws.transport.resume_reading()
            before, last = await client.frames_until_either(("error", "end"), timeout=10)
            if last["op"] == "error":
                assert last["code"] == "too_slow"
                cut += 1
            else:  # not among the largest: it got everything, then the end
                assert seqs_of(before)[-1] == len(events)
            await client.close()
        assert cut >= 1
        await control.close()
