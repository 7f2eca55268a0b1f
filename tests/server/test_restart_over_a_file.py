"""The server over a JSONL file: sessions that outlive it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from feed.client import Backoff, connect
from feed.projections import project
from feed.server import SessionSpec, run_server
from feed.store.jsonl import JsonlLog
from tests.kit.races import make_race, static

TOKEN = "standalone-test-token"
RACE = make_race(stream="race")
SCENARIOS = static(("race", RACE))


async def test_a_client_resumes_after_the_whole_server_restarted_over_its_file(
    tmp_path: Path,
) -> None:
    """Same epoch, the next seq, nothing twice: the file held where the session was."""
    path = tmp_path / "sessions.jsonl"
    spec = SessionSpec(name="race", scenario="race", paused=True, token=TOKEN)
    quick = Backoff(initial=0.01, maximum=0.1, attempts=5)
    log = JsonlLog(path, sync="always")
    async with run_server(sessions=[spec], scenarios=SCENARIOS, log=log) as gateway:
        assert gateway.opened[0].token == TOKEN
        async with connect(gateway.url, session="race", backoff=quick) as feed:
            await feed.control(TOKEN, "seek", seq=25)
            await feed.wait_for_seq(25)
            held, epoch = feed.last_seq, feed.epoch
    await log.close()
    assert held == 25

    again = JsonlLog(path)
    async with run_server(sessions=[spec], scenarios=SCENARIOS, log=again) as gateway:
        assert gateway.director is not None
        session = gateway.director.sessions["race"]
        assert gateway.opened[0].resumed and (session.epoch, session.position_seq) == (epoch, 25)
        async with connect(gateway.url, session="race", from_seq=held + 1, backoff=quick) as feed:
            await feed.control(TOKEN, "speed", speed="instant")
            await feed.control(TOKEN, "play")
            async with asyncio.timeout(20):
                seqs = [event.seq async for event in feed]
            assert feed.epoch == epoch
            assert feed.standings() == project(RACE).standings()
    await again.close()
    assert seqs == list(range(26, len(RACE) + 1))
