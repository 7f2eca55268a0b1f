"""Fixtures of the scale-out tests: a NATS server with JetStream, names of their own, and
the check that every frame a gateway sent matches the published AsyncAPI schemas."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.net.netkit import RECORDED, check_frames
from tests.store.natskit import nats_url, own_nats, stream_names

__all__ = ["nats_url", "own_nats", "stream_names"]


@pytest.fixture(autouse=True)
def _conformance() -> Iterator[None]:
    """Every frame a test client received from a gateway matches the AsyncAPI schemas."""
    RECORDED.clear()
    yield
    check_frames(RECORDED)
