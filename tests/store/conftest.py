"""Fixtures of the log tests: one backend per implementation of the log interface."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.kit.records import Backend

__all__ = ["backend", "durable_backend"]

_JETSTREAM = pytest.param("jetstream", marks=pytest.mark.nats)


def _backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    kind: str = request.param
    if kind == "jetstream":
        url = request.getfixturevalue("nats_url")
        stream, prefix = request.getfixturevalue("stream_names")
        return Backend(kind, url=url, stream=stream, prefix=prefix)
    return Backend(kind, path=tmp_path / "log.jsonl")


@pytest.fixture(params=["memory", "jsonl", _JETSTREAM])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each implementation of the log in turn, behind the same opener."""
    return _backend(request, tmp_path)


@pytest.fixture(params=["jsonl", _JETSTREAM])
def durable_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each implementation that outlives its process."""
    return _backend(request, tmp_path)


@pytest_asyncio.fixture(autouse=True)
async def _close_logs(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Close the logs a test opened through a backend, on the test's own loop."""
    backends: list[Backend] = [
        request.getfixturevalue(name)
        for name in ("backend", "durable_backend")
        if name in request.fixturenames
    ]
    yield
    for backend in backends:
        await backend.close()
