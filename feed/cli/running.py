"""Running a long-lived command until Ctrl-C or SIGTERM, which end it with exit code 0.

The loop is uvloop's when it is importable (the ``fast`` extra) and plain asyncio
otherwise; ``RACEFEED_LOOP=asyncio`` forces plain asyncio, ``RACEFEED_LOOP=uvloop``
insists on uvloop. The choice is logged as ``event_loop_selected`` by the commands
that set up logging (``tail`` does not: its stdout is the feed).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import signal
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeAlias

import structlog

__all__ = ["LOOP_ENV", "LoopChoice", "choose_loop", "run_until_stopped"]

LOOP_ENV = "RACEFEED_LOOP"
"""The environment variable that picks the loop: ``auto`` (default), ``asyncio`` or ``uvloop``."""

LoopChoice: TypeAlias = Literal["auto", "asyncio", "uvloop"]
_CHOICES: tuple[LoopChoice, ...] = ("auto", "asyncio", "uvloop")

_logger = structlog.get_logger("racefeed.cli")


def choose_loop(
    requested: str | None = None,
) -> tuple[str, Callable[[], asyncio.AbstractEventLoop] | None]:
    """The loop to run on: its name and a loop factory (``None`` for asyncio's default).

    ``requested`` (default: ``$RACEFEED_LOOP``, else ``auto``) is one of ``auto``,
    ``asyncio`` and ``uvloop``.

    Raises:
        ValueError: ``requested`` is none of those, or ``uvloop`` was asked for and
            cannot be imported.
    """
    choice = (requested or os.environ.get(LOOP_ENV) or "auto").strip().lower()
    if choice not in _CHOICES:
        raise ValueError(f"{LOOP_ENV}={choice!r}: expected one of {', '.join(_CHOICES)}")
    if choice == "asyncio":
        return "asyncio", None
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError as exc:
        if choice == "uvloop":
            raise ValueError(f"{LOOP_ENV}=uvloop but uvloop cannot be imported: {exc}") from None
        return "asyncio", None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return "uvloop", factory


def run_until_stopped(
    main: Callable[[asyncio.Event], Coroutine[Any, Any, int]],
    *,
    loop: str | None = None,
) -> int:
    """Run ``main(stop)`` on a fresh loop; Ctrl-C or SIGTERM set ``stop``.

    Args:
        main: the command's body; its return value is the exit code.
        loop: ``auto``, ``asyncio`` or ``uvloop`` (default: ``$RACEFEED_LOOP``, else ``auto``).

    Returns:
        ``main``'s exit code, or 2 when the loop asked for is unknown or unavailable.
    """
    try:
        name, factory = choose_loop(loop)
    except ValueError as exc:
        _logger.error("event_loop_unavailable", error=str(exc))
        return 2

    async def wrapper() -> int:
        running = asyncio.get_running_loop()
        if structlog.is_configured():  # unconfigured, structlog would print to stdout: data
            _logger.info("event_loop_selected", loop=name, loop_class=type(running).__name__)
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # Not every platform (or thread) has signal handlers; Ctrl-C still ends the run.
            with contextlib.suppress(NotImplementedError, RuntimeError):
                running.add_signal_handler(sig, stop.set)
        return await main(stop)

    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(wrapper())
