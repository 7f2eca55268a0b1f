"""The browser the web page tests run in: Debian's chromium, headless."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from browserkit import CHROMIUM, CHROMIUM_ARGS
from playwright.async_api import Browser, async_playwright


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium, headless, with nothing that reaches out to the network."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            await launched.close()
