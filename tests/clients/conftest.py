"""The browser the web page tests run in: Debian's chromium, headless."""

from tests.clients.browserkit import browser

__all__ = ["browser"]
