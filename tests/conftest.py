"""Suite-wide rules and fixtures.

- In CI (``CI`` set) a skipped test is a failed test.
- Every frame a recording test client (``tests.kit.wire.Client``) received is checked,
  when the test ends, against the schemas of the AsyncAPI document the server
  publishes: the protocol description is tested by every test that talks to a server.
- ``clients`` closes the test's clients; ``nats_url``, ``stream_names`` and ``own_nats``
  give a NATS JetStream server (``tests.kit.nats``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator, Iterator

import pytest

from tests.kit.nats import nats_url, own_nats, stream_names
from tests.kit.schemas import RECORDED, check_frames
from tests.kit.wire import Client

__all__ = ["clients", "nats_url", "own_nats", "stream_names"]

_IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """CI never skips silently: a skip there (for a missing service) fails the test."""
    report = yield
    if _IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"
    return report


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
