"""The director restarted and NATS gone for seconds: clients see at worst a pause, never a gap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import msgspec
import pytest

from feed import wire
from feed.io import load_scenario
from feed.projections import project
from feed.protocol import Limits
from feed.server import Server, ServerConfig, SessionSpec, run_server
from feed.server.director import run_director
from feed.server.nats_control import NatsControl, serve_control
from feed.store.jetstream import JetStreamLog
from tests.kit.nats import NatsServer
from tests.kit.procs import TOKEN, Proc, close_clients, open_clients
from tests.kit.wire import Client

pytestmark = pytest.mark.nats

TOKYO = "tokyo-2025-m1500-final"


@asynccontextmanager
async def gateway_over(
    url: str, stream: str, prefix: str, *, control_timeout_s: float = 5.0
) -> AsyncIterator[Server]:
    """An in-process gateway over the stream, with its own NATS connection."""
    log = await JetStreamLog.open(url, name="test-gateway", wait_s=5, stream=stream, prefix=prefix)
    control = NatsControl(log.nc, prefix, timeout_s=control_timeout_s)
    config = ServerConfig(limits=Limits(heartbeat_s=1.0))
    try:
        async with run_server(config=config, log=log, control=control) as gateway:
            yield gateway
    finally:
        await log.close()


async def test_a_restarted_director_goes_on_from_the_log_where_the_session_was(
    nats_url: str, stream_names: tuple[str, str], tmp_path: Path
) -> None:
    """SIGKILL the director mid-race, start it again: the clients get every event once."""
    stream, prefix = stream_names
    common = ["--nats", nats_url, "--stream", stream, "--subject-prefix", prefix]
    args = ["director", *common, "--session", f"final={TOKYO}@40", "--token", TOKEN]
    reference = load_scenario(TOKYO).events
    recorders = []
    first = Proc(args, tmp_path, "director-1")
    second: Proc | None = None
    try:
        await first.line("racefeed director: ready")
        async with gateway_over(nats_url, stream, prefix) as gateway:
            recorders = await open_clients([gateway.url], 3, "final")
            async with asyncio.timeout(30):
                while min(r.feed.last_seq for r in recorders) < 60:
                    await asyncio.sleep(0.01)
            first.kill()
            await asyncio.sleep(0.5)  # what the director published before dying may be in flight
            stopped_at = gateway.session("final").protocol.head_seq
            await asyncio.sleep(0.5)
            assert gateway.session("final").protocol.head_seq == stopped_at  # nobody publishes
            assert stopped_at < len(reference) - 50, "the director must die mid-race"

            second = Proc(args, tmp_path, "director-2")
            resumed = await second.line(
                r"^    resumed from the log at epoch (\d+), seq (\d+), (\w+)$"
            )
            assert resumed.group(1) == "1" and int(resumed.group(2)) == stopped_at
            assert resumed.group(3) == "playing"
            async with asyncio.timeout(40):
                await asyncio.gather(*(r.done.wait() for r in recorders))
    finally:
        await close_clients(recorders)
        first.stop()
        if second is not None:
            second.stop()

    expected = project(reference).standings()
    for recorder in recorders:
        assert recorder.seqs == list(range(1, len(reference) + 1))
        assert recorder.feed.epoch == 1  # the same epoch: a continuation, not a restart
        assert recorder.feed.standings() == expected


async def test_nats_gone_for_two_seconds_is_a_pause_for_the_clients(
    own_nats: NatsServer, tmp_path: Path
) -> None:
    """Director and gateway reconnect by themselves; the stream stays gap-free."""
    stream, prefix = "RACEFEED", "racefeed"
    reference = load_scenario(TOKYO).events
    log = await JetStreamLog.open(own_nats.url, name="test-director", wait_s=5)
    recorders = []
    try:
        spec = SessionSpec(name="final", scenario=TOKYO, speed=30.0, token=TOKEN)
        async with run_director(log, [spec]) as (director, _):
            await serve_control(log.nc, prefix, director.handle, director.used)
            async with gateway_over(own_nats.url, stream, prefix) as gateway:
                recorders = await open_clients([gateway.url], 3, "final")
                async with asyncio.timeout(30):
                    while min(r.feed.last_seq for r in recorders) < 40:
                        await asyncio.sleep(0.01)
                own_nats.stop()
                down_at = max(r.feed.last_seq for r in recorders)
                await asyncio.sleep(2.0)
                own_nats.start()
                async with asyncio.timeout(40):
                    await asyncio.gather(*(r.done.wait() for r in recorders))
                assert down_at < len(reference) - 50, "NATS must go away mid-race"
    finally:
        await close_clients(recorders)
        await log.close()

    expected = project(reference).standings()
    for recorder in recorders:
        assert recorder.seqs == list(range(1, len(reference) + 1))
        assert recorder.feed.stats.connects == 1  # the websocket never dropped: a pause only
        assert recorder.feed.standings() == expected


async def test_control_while_no_director_answers_is_unavailable_and_the_connection_stays(
    nats_url: str, stream_names: tuple[str, str]
) -> None:
    """No director on the subjects: `unavailable`, not a closed connection; pings still answer."""
    stream, prefix = stream_names
    async with gateway_over(nats_url, stream, prefix, control_timeout_s=0.5) as gateway:
        client = await Client.open(gateway.url)
        await client.send(op="control", session="final", action="pause", token=TOKEN)
        refused = await client.recv_op("error")
        await client.send(op="ping", id=7)
        pong = await client.recv_op("pong")
        await client.close()
    assert refused["code"] == "unavailable" and refused["closes"] is False
    assert "director did not answer" in refused["message"]
    assert pong["id"] == 7


async def test_what_the_director_did_is_stored_before_it_says_so(
    nats_url: str, stream_names: tuple[str, str]
) -> None:
    """A session opened, or created for a gateway's client, is in the stream when the director
    answers: a gateway that reads the stream's head then serves it, never ``unknown_session``."""
    stream, prefix = stream_names
    log = await JetStreamLog.open(
        nats_url, name="test-director", wait_s=5, stream=stream, prefix=prefix
    )
    reader = await JetStreamLog.open(
        nats_url, name="test-reader", wait_s=5, stream=stream, prefix=prefix
    )
    try:
        spec = SessionSpec(name="final", scenario=TOKYO, speed=1.0, paused=True)
        async with run_director(log, [spec]) as (director, _):
            assert [e.record.session for e in await reader.read("final")][:1] == ["final"]
            create = wire.CreateSession(scenario=TOKYO, paused=True)
            reply = await director.handle("create", msgspec.json.encode(create), False)
            assert isinstance(reply, wire.SessionCreated)
            assert await reader.read(reply.session) != []
    finally:
        await reader.close()
        await log.close()
