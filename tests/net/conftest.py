"""Fixtures of the server tests.

Every frame any test client receives is recorded and, when the test ends, checked
against the schemas of the AsyncAPI document the server publishes: the protocol
description is tested by every test that talks to the server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from netkit import RECORDED, Client, check_frames


@pytest.fixture
async def clients() -> AsyncIterator[list[Client]]:
    """Clients opened during a test, closed at its end."""
    opened: list[Client] = []
    yield opened
    for client in opened:
        await client.close()


@pytest.fixture(autouse=True)
def _conformance() -> Iterator[None]:
    """Every frame a test client received matches the published AsyncAPI schemas."""
    RECORDED.clear()
    yield
    check_frames(RECORDED)
