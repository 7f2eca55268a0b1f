"""Every conformance case, run from pytest against the SDK in process (no adapter, no child)."""

from __future__ import annotations

from feed.conform import Case
from feed.pytest_plugin import Conformance
from tests.conform.sdk_under_test import SdkUnderTest


async def test_the_sdk_passes_the_case(
    racefeed_case: Case, racefeed_conformance: Conformance
) -> None:
    """The plugin parametrizes the test over the suite; the SDK passes every case."""
    result = await racefeed_conformance.check(racefeed_case, SdkUnderTest.start)
    assert result.checks, "a case compares at least once"
