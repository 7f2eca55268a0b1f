"""Structured logs for the server: a console renderer for people, JSON lines for machines.

Log events are snake_case facts (``client_connected``, ``session_created``,
``replay_finished``) with ``session``, ``stream`` and ``client`` bound where they
apply. Control tokens are never logged. Tests read logs with
``structlog.testing.capture_logs()``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog

__all__ = ["configure_logging"]

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


class _CurrentStderr:
    """Whatever ``sys.stderr`` is when a line is written (a test may have swapped it since)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


def configure_logging(
    *, json: bool = False, level: str = "info", stream: TextIO | None = None
) -> None:
    """Send structlog output to ``stream`` (stderr by default), as JSON lines or for a console.

    Args:
        json: one JSON object per line instead of the console renderer.
        level: ``debug``, ``info`` or ``warning``.
        stream: where to write (the standard error at each line, by default).
    """
    out: Any = stream if stream is not None else _CurrentStderr()
    renderer: structlog.typing.Processor
    if json:
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=out.isatty())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS[level]),
        logger_factory=structlog.PrintLoggerFactory(file=out),
        cache_logger_on_first_use=False,
    )
    # websockets logs through the standard library; keep its warnings, same stream.
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    ws_logger = logging.getLogger("websockets")
    ws_logger.handlers[:] = [handler]
    ws_logger.setLevel(logging.WARNING)
    ws_logger.propagate = False
