"""Small buffers make a stopped reader ``too_slow``, never one that only waits on its faults."""

from __future__ import annotations

import contextlib

import structlog

from feed.client import Backoff, connect
from feed.conform import Case, Shown, select, shown_of
from feed.conform.runner import ConformServers, Runner, conform_servers


class _Sdk:
    def __init__(self, url: str, session: str) -> None:
        self.feed = connect(url, session=session, backoff=Backoff(initial=0.01, maximum=0.2))

    @classmethod
    async def start(cls, url: str, session: str, case: Case) -> _Sdk:
        client = cls(url, session)
        await client.feed.__aenter__()
        return client

    async def show(self) -> Shown:
        return shown_of(self.feed.projection, id=0, epoch=self.feed.epoch)

    def suspend(self) -> None:
        """Not modelled in process."""

    def resume(self) -> None:
        """Not modelled in process."""

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.feed.close()


async def test_a_client_catching_up_under_delays_is_not_cut_off_by_small_buffers() -> None:
    """A resume's catch-up batch under delay faults fits a small backlog: no too_slow loop."""
    with structlog.testing.capture_logs() as logs:
        async with conform_servers() as servers:
            small = ConformServers(servers.small_buffers, servers.small_buffers)
            result = await Runner(small, _Sdk.start).run(select(ids=["6.10"])[0])
    assert result.passed, result
    assert not [entry for entry in logs if entry["event"] == "client_too_slow"]
