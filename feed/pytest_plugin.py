"""pytest plugin: fixtures for testing a live-results client against a racefeed server.

Registered through the ``pytest11`` entry point, so installing racefeed is enough.
"""

from __future__ import annotations

__all__: list[str] = []
