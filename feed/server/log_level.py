"""Keep the server's logs out of a failing test's report unless they are asked for.

Every connection, subscription and session change logs a line at ``info``; a test's
captured output then buries the assertion under them. The pytest plugin's server logs
at ``warning`` and above by default (ini option ``racefeed_log_level``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import structlog

__all__ = ["LEVELS", "quiet_server_logs"]

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


@contextmanager
def quiet_server_logs(level: str = "warning") -> Iterator[None]:
    """Log only at ``level`` and above inside the block, then restore the configuration.

    Raises:
        ValueError: ``level`` is not debug, info or warning.
    """
    if level not in LEVELS:
        raise ValueError(f"racefeed_log_level: expected debug, info or warning, got {level!r}")
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(LEVELS[level]))
    try:
        yield
    finally:
        structlog.configure(**saved)
