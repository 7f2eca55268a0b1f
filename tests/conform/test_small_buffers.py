"""Small buffers make a stopped reader ``too_slow``, never one that only waits on its faults."""

from __future__ import annotations

import structlog

from feed.conform import select
from feed.conform.runner import ConformServers, Runner, conform_servers
from tests.conform.sdk_under_test import SdkUnderTest


async def test_a_client_catching_up_under_delays_is_not_cut_off_by_small_buffers() -> None:
    """A resume's catch-up batch under delay faults fits a small backlog: no too_slow loop."""
    with structlog.testing.capture_logs() as logs:
        async with conform_servers() as servers:
            small = ConformServers(servers.small_buffers, servers.small_buffers)
            result = await Runner(small, SdkUnderTest.start).run(select(ids=["6.10"])[0])
    assert result.passed, result
    assert not [entry for entry in logs if entry["event"] == "client_too_slow"]
