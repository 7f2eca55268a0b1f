"""Gateways serve the director's sessions with the protocol of ``racefeed serve``.

These run the director and the gateways in one process over a log in memory (the
roles do not care which log they share); ``test_gateway_failover`` and
``test_restarts`` run them over NATS JetStream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import msgspec

from feed import wire
from feed.events import Event
from feed.net.director import Director, run_director
from feed.net.gateway import Gateway, run_gateway
from feed.net.memlog import MemoryLog
from feed.net.scenarios import StaticScenarios
from feed.net.server import ServerConfig, SessionSpec, run_server
from feed.projections import project
from tests.net.netkit import Client, Json, envelopes, make_race, static

TOKEN = "gateway-test-token"


class DirectControl:
    """Control messages handed straight to an in-process director."""

    def __init__(self, director: Director) -> None:
        self.director = director

    async def request(
        self, op: str, message: wire.Control | wire.CreateSession, *, authorized: bool = False
    ) -> wire.ServerMessage:
        return await self.director.handle(op, wire.encode(message), authorized)


@dataclass
class Deployment:
    director: Director
    log: MemoryLog
    gateways: list[Gateway]


@asynccontextmanager
async def deployment(
    *specs: SessionSpec, gateways: int = 2, scenarios: StaticScenarios | None = None
) -> AsyncIterator[Deployment]:
    """A director and gateways sharing one log in memory."""
    log = MemoryLog()
    async with AsyncExitStack() as stack:
        director, _ = await stack.enter_async_context(run_director(log, specs, scenarios=scenarios))
        control = DirectControl(director)
        config = ServerConfig(heartbeat_s=0.2)
        opened = [
            await stack.enter_async_context(run_gateway(log, control, config=config, wait_s=1.0))
            for _ in range(gateways)
        ]
        yield Deployment(director, log, opened)


def head(gateway: Gateway, session: str = "race") -> tuple[int, int]:
    """(epoch, head seq) of a session on a gateway; (0, -1) before it has seen the session."""
    hub = gateway.sessions.get(session)
    return (0, -1) if hub is None else (hub.epoch, hub.head_seq)


def race_spec(name: str = "race", **options: object) -> SessionSpec:
    return SessionSpec(name=name, events=make_race(stream=name), token=TOKEN, **options)  # type: ignore[arg-type]


async def test_a_gateway_sends_the_same_frames_as_the_embedded_server() -> None:
    """Subscribing after the end, the gateway and ``racefeed serve`` send the same stream."""
    events = make_race(stream="race")
    frames: list[list[object]] = []
    async with run_server(
        sessions=[SessionSpec(name="race", events=events, speed="instant")]
    ) as server:
        await server.sessions["race"].finished.wait()
        client = await Client.open(server.url)
        await client.send(op="subscribe", session="race", snapshot=True)
        await client.events_until("end")
        frames.append(client.frames)
        await client.close()
    async with deployment(race_spec(speed="instant")) as deployed:
        gateway = deployed.gateways[1]
        assert await gateway.wait_until(
            lambda: gateway.sessions.get("race") is not None and gateway.sessions["race"].ended, 5
        )
        client = await Client.open(gateway.url)
        await client.send(op="subscribe", session="race", snapshot=True)
        await client.events_until("end")
        frames.append(client.frames)
        await client.close()
    embedded, scaled = frames
    assert envelopes(scaled) == envelopes(embedded)
    ops = [
        [f["op"] if isinstance(f, dict) and "op" in f else "events" for f in fs] for fs in frames
    ]
    assert ops[0] == ops[1]
    snapshot = next(f for f in scaled if isinstance(f, dict) and f.get("op") == "snapshot")
    assert snapshot == next(
        f for f in embedded if isinstance(f, dict) and f.get("op") == "snapshot"
    )


def _snapshot_json(events: list[Event], seq: int) -> Json:
    """What ``racefeed serve`` would send as the snapshot at ``seq``, as JSON."""
    snap = project(events, until_seq=seq).snapshot()
    message = wire.SnapshotMessage(
        session="race",
        epoch=1,
        seq=snap.seq,
        state=snap.state,
        race_states=snap.race_states,
        standings=snap.standings,
        medal_table=snap.medal_table,
    )
    return msgspec.json.decode(wire.encode(message))


async def test_a_resume_on_another_gateway_goes_on_at_the_next_seq_after_a_projected_snapshot() -> (
    None
):
    """A client that held seq N elsewhere gets a snapshot at N, then N + 1 onwards."""
    events = make_race(stream="race")
    async with deployment(race_spec(paused=True)) as deployed:
        second = deployed.gateways[1]
        deployed.director.control(wire.Control(session="race", action="seek", seq=20, token=TOKEN))
        assert await second.wait_until(lambda: head(second) == (1, 20), 5)
        client = await Client.open(second.url)
        await client.send(op="subscribe", session="race", from_seq=11, epoch=1, snapshot=True)
        snapshot = await client.recv_op("snapshot")
        await client.recv_op("caught_up")
        got = envelopes(client.frames)
        await client.close()
    assert snapshot == _snapshot_json(events, 10)
    assert [e["seq"] for e in got] == list(range(11, 21))


async def test_control_goes_through_any_gateway_to_the_director() -> None:
    """Pause on one gateway: subscribers on every gateway get the new ``replay_state``."""
    async with deployment(race_spec(paused=True)) as deployed:
        first, second = deployed.gateways
        watcher = await Client.open(second.url)
        await watcher.send(op="subscribe", session="race")
        await watcher.recv_op("caught_up")
        controller = await Client.open(first.url)
        await controller.send(op="control", session="race", action="play", token="wrong")
        refused = await controller.recv_op("error")
        await controller.send(op="control", session="race", action="play", token=TOKEN)
        answer = await controller.recv_op("replay_state")
        playing = await watcher.recv_op("replay_state")
        await controller.send(
            op="control", session="race", action="speed", speed="instant", token=TOKEN
        )
        await watcher.events_until("end")
        await controller.close()
        await watcher.close()
    assert refused["code"] == "unauthorized"
    assert answer["state"] == "playing" and playing["state"] == "playing"
    assert [e["seq"] for e in envelopes(watcher.frames)] == list(range(1, len(make_race()) + 1))


async def test_a_seek_backwards_is_a_new_epoch_on_every_gateway() -> None:
    """Epoch 2 reaches every gateway; a resume in epoch 1 gets ``stale_epoch`` and a snapshot."""
    async with deployment(race_spec(paused=True)) as deployed:
        first = deployed.gateways[0]
        director = deployed.director
        director.control(wire.Control(session="race", action="seek", seq=30, token=TOKEN))
        director.control(wire.Control(session="race", action="seek", seq=12, token=TOKEN))
        for gateway in deployed.gateways:
            assert await gateway.wait_until(lambda g=gateway: head(g) == (2, 12), 5)
        client = await Client.open(first.url)
        await client.send(op="subscribe", session="race", from_seq=31, epoch=1)
        error = await client.recv_op("error")
        snapshot = await client.recv_op("snapshot")
        await client.close()
    assert error["code"] == "stale_epoch"
    assert (snapshot["epoch"], snapshot["seq"]) == (2, 12)


async def test_a_private_session_created_through_one_gateway_is_served_by_another() -> None:
    """``create_session`` goes to the director; the new session is on every gateway."""
    scenarios = static(("mini", make_race(stream="mini")))
    async with deployment(gateways=2, scenarios=scenarios) as deployed:
        first, second = deployed.gateways
        creator = await Client.open(first.url)
        await creator.send(op="create_session", scenario="mini", speed="instant")
        created = await creator.recv_op("session_created")
        await creator.send(op="create_session", scenario="nope")
        unknown = await creator.recv_op("error")
        reader = await Client.open(second.url)
        await reader.send(op="subscribe", session=created["session"])
        events = await reader.events_until("end")
        await creator.close()
        await reader.close()
    assert created["token"] and created["session"].startswith("p-")
    assert unknown["code"] == "unknown_scenario"
    assert len(events) == len(make_race(stream="mini"))


async def test_a_resume_ahead_of_a_lagging_gateway_waits_for_the_log() -> None:
    """A gateway behind the client waits until it has read that far, then goes on."""
    behind = MemoryLog()
    async with deployment(race_spec(paused=True), gateways=1) as deployed:
        director = deployed.director
        director.control(wire.Control(session="race", action="seek", seq=25, token=TOKEN))
        for entry in await deployed.log.read():
            if entry.position > 12:
                break
            behind.append(entry.record)
        async with run_gateway(behind, DirectControl(director), wait_s=5.0) as lagging:
            assert await lagging.wait_until(lambda: "race" in lagging.sessions, 5)
            assert lagging.sessions["race"].head_seq < 20
            client = await Client.open(lagging.url)
            await client.send(op="subscribe", session="race", from_seq=21, epoch=1)
            await asyncio.sleep(0.2)
            assert client.frames == [] and not await _has_frame(client)
            for entry in await deployed.log.read():
                behind.append(entry.record)
            await client.recv_op("caught_up")
            got = envelopes(client.frames)
            await client.close()
    assert [e["seq"] for e in got] == [21, 22, 23, 24, 25]
    assert not any(f.get("op") == "error" for f in client.frames if isinstance(f, dict))


async def test_a_session_no_gateway_ever_sees_is_unknown_after_the_wait() -> None:
    """The wait is bounded: then the usual ``unknown_session``."""
    async with deployment(race_spec()) as deployed:
        client = await Client.open(deployed.gateways[0].url)
        await client.send(op="subscribe", session="nobody")
        error = await client.recv_op("error", timeout=5)
        await client.close()
    assert error["code"] == "unknown_session"


def _ended(gateway: Gateway, session: str) -> bool:
    hub = gateway.sessions.get(session)
    return hub is not None and hub.ended


async def _has_frame(client: Client) -> bool:
    try:
        await client.recv(timeout=0.1)
    except TimeoutError:
        return False
    return True


async def test_session_faults_set_through_one_gateway_reach_every_gateway() -> None:
    """The ``faults`` action is written to the log; each gateway applies it to the session."""
    async with deployment(race_spec(paused=True)) as deployed:
        first, second = deployed.gateways
        client = await Client.open(first.url)
        await client.send(
            op="control", session="race", action="faults", faults="lossy", fault_seed=7, token=TOKEN
        )
        answer = await client.recv_op("replay_state")
        await client.close()
        hub = second.sessions["race"]
        assert await second.wait_until(lambda: second.faults.session_faults(hub) is not None, 5)
        spec = second.faults.session_faults(hub)
        clock = deployed.director.sessions["race"].replay.state
    assert answer["state"] == "paused" and clock == "paused"  # the clock was not touched
    assert spec is not None and spec[1] == 7 and "drop_p=0.02" in spec[0]


async def test_a_gateway_with_a_server_token_lets_it_control_any_session() -> None:
    """The server token is checked by the gateway; the director takes its word for it."""
    log = MemoryLog()
    async with run_director(log, [race_spec(paused=True)]) as (director, _):
        config = ServerConfig(token="gateway-server-token")
        async with run_gateway(log, DirectControl(director), config=config) as gateway:
            client = await Client.open(gateway.url)
            await client.send(op="create_session", scenario="race", token="wrong-token")
            refused = await client.recv_op("error")
            await client.send(
                op="control", session="race", action="seek", seq=5, token="gateway-server-token"
            )
            status = await client.recv_op("replay_state")
            await client.close()
    assert refused["code"] == "unauthorized"
    assert status["position_seq"] == 5
