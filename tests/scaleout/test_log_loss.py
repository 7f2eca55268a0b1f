"""NATS restarted on an empty store mid-race: the loss is told, and the session goes on whole."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from feed.client import connect
from feed.io import load_scenario
from feed.projections import project
from feed.protocol import Limits
from feed.server import ServerConfig, SessionSpec, run_server
from feed.server.director import run_director
from feed.server.nats_control import NatsControl, serve_control
from feed.store.jetstream import JetStreamLog
from tests.kit.nats import NatsServer
from tests.kit.procs import FAST_BACKOFF

pytestmark = pytest.mark.nats

TOKYO = "tokyo-2025-m1500-final"


async def test_a_stream_lost_mid_race_is_a_new_epoch_for_clients_and_the_race_goes_on(
    own_nats: NatsServer, tmp_path: Path
) -> None:
    """The director writes its session again into the new stream in a new epoch; the gateway
    sees the loss and starts its subscribers over: they end whole, on the reference."""
    reference = load_scenario(TOKYO).events
    director_log = await JetStreamLog.open(own_nats.url, name="test-director", wait_s=5)
    gateway_log = await JetStreamLog.open(own_nats.url, name="test-gateway", wait_s=5)
    try:
        spec = SessionSpec(name="final", scenario=TOKYO, speed=15.0, token="loss-token")
        async with run_director(director_log, [spec]) as (director, _):
            await serve_control(director_log.nc, "racefeed", director.handle, director.used)
            control = NatsControl(gateway_log.nc, "racefeed")
            config = ServerConfig(limits=Limits(heartbeat_s=1.0))
            async with (
                run_server(config=config, log=gateway_log, control=control) as gateway,
                connect(gateway.url, session="final", backoff=FAST_BACKOFF) as feed,
            ):
                await feed.wait_for_seq(40, timeout=30)
                own_nats.stop()
                shutil.rmtree(own_nats.store)  # the server comes back with nothing stored
                own_nats.start()
                await feed.wait_for_end(timeout=60)
                assert feed.stats.snapshots_taken >= 1  # told: a new epoch, a fresh state
                assert feed.epoch is not None and feed.epoch > 1
                assert feed.last_seq == len(reference)
                assert feed.standings() == project(reference).standings()
                assert director.sessions["final"].epoch == feed.epoch
    finally:
        await gateway_log.close()
        await director_log.close()
