"""A director, three gateways, clients spread over them: a gateway dies, no one loses an event."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from feed.io import load_scenario
from feed.projections import project
from tests.kit.procs import TOKEN, Proc, close_clients, open_clients, start_gateway

pytestmark = pytest.mark.nats

TOKYO = "tokyo-2025-m1500-final"


async def test_clients_of_a_gateway_killed_mid_race_fail_over_and_miss_nothing(
    nats_url: str, stream_names: tuple[str, str], tmp_path: Path
) -> None:
    """Every client ends the Tokyo final with seq 1..N exactly once and the reference standings."""
    stream, prefix = stream_names
    common = ["--nats", nats_url, "--stream", stream, "--subject-prefix", prefix]
    reference = load_scenario(TOKYO).events
    expected = project(reference).standings()
    procs: list[Proc] = []
    recorders = []
    try:
        director = Proc(
            ["director", *common, "--session", f"final={TOKYO}@25", "--paused", "--token", TOKEN],
            tmp_path,
            "director",
        )
        procs.append(director)
        await director.line("racefeed director: ready")
        urls = []
        for n in range(3):
            gateway, url = await start_gateway(common, tmp_path, f"gateway-{n}")
            procs.append(gateway)
            urls.append(url)
        victim, victim_url = procs[2], urls[1]

        recorders = await open_clients(urls, 12, "final")
        await recorders[0].feed.control(TOKEN, "play")

        on_victim = [r for r in recorders if r.feed.url == victim_url]
        assert len(on_victim) == 4
        async with asyncio.timeout(30):
            while min(r.feed.last_seq for r in on_victim) < 80:
                await asyncio.sleep(0.01)
        victim.kill()
        killed_at = max(r.feed.last_seq for r in recorders)
        assert killed_at < len(reference) - 50, "the gateway must die mid-race"

        async with asyncio.timeout(60):
            await asyncio.gather(*(r.done.wait() for r in recorders))
    finally:
        await close_clients(recorders)
        for proc in procs:
            proc.stop()

    every_seq = list(range(1, len(reference) + 1))
    for n, recorder in enumerate(recorders):
        assert recorder.seqs == every_seq, f"client {n}: {recorder.feed.stats}"
        assert recorder.feed.ended, f"client {n} did not see the end"
        assert recorder.feed.standings() == expected, f"client {n}"
    for recorder in on_victim:
        assert recorder.urls[0] == victim_url and recorder.urls[-1] != victim_url
        assert recorder.feed.stats.connects >= 2
    winner = expected.rows[0]
    assert winner.name.startswith("Isaac Nader") or "Nader" in winner.name
