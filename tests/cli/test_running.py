"""The runner of long-lived commands: which event loop it picks, and how it says so."""

from __future__ import annotations

import asyncio
import importlib.util

import pytest
from structlog.testing import capture_logs

from feed.cli.running import choose_loop, run_until_stopped

_HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None


async def _loop_class(stop: asyncio.Event) -> int:
    del stop
    return 7 if "uvloop" in type(asyncio.get_running_loop()).__module__ else 3


def test_racefeed_loop_asyncio_forces_the_plain_asyncio_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """RACEFEED_LOOP=asyncio runs on asyncio's own loop and logs that choice."""
    monkeypatch.setenv("RACEFEED_LOOP", "asyncio")
    with capture_logs() as logs:
        assert run_until_stopped(_loop_class) == 3
    assert [entry["loop"] for entry in logs if entry["event"] == "event_loop_selected"] == [
        "asyncio"
    ]


@pytest.mark.skipif(not _HAS_UVLOOP, reason="uvloop is not installed")
def test_uvloop_is_the_default_when_it_can_be_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no choice made, a command runs on uvloop when it is installed."""
    monkeypatch.delenv("RACEFEED_LOOP", raising=False)
    with capture_logs() as logs:
        assert run_until_stopped(_loop_class) == 7
    assert [entry["loop"] for entry in logs if entry["event"] == "event_loop_selected"] == [
        "uvloop"
    ]


def test_auto_falls_back_to_asyncio_without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where uvloop cannot be imported, auto picks asyncio and uvloop is refused."""
    import sys

    monkeypatch.setitem(sys.modules, "uvloop", None)  # makes the import fail
    assert choose_loop("auto") == ("asyncio", None)
    with pytest.raises(ValueError, match="uvloop cannot be imported"):
        choose_loop("uvloop")


def test_an_unknown_loop_name_ends_the_command_with_exit_code_2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A typo in RACEFEED_LOOP is an error that names the choices, not a silent default."""
    monkeypatch.setenv("RACEFEED_LOOP", "tokio")
    with capture_logs() as logs:
        assert run_until_stopped(_loop_class) == 2
    assert "expected one of auto, asyncio, uvloop" in logs[0]["error"]
