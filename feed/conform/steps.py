"""The steps a conformance case is written in: drive the session's clock, start, stop
and resume the client under test, wait, and check what the client shows.

Each step is a plain value; ``feed.conform.runner`` carries them out in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from feed.replay import Speed

__all__ = [
    "Check",
    "Pause",
    "Play",
    "Resume",
    "Seek",
    "SetSpeed",
    "StartClient",
    "Step",
    "StepOnce",
    "Suspend",
    "WaitEnd",
    "WaitSeq",
]


@dataclass(frozen=True)
class StartClient:
    """Start the client under test (it subscribes from the start of the session)."""


@dataclass(frozen=True)
class Play:
    """Play the session's clock at its speed."""


@dataclass(frozen=True)
class Pause:
    """Pause the session's clock."""


@dataclass(frozen=True)
class Seek:
    """Seek to ``seq`` (the last event to count as passed): back starts a new epoch."""

    seq: int


@dataclass(frozen=True)
class StepOnce:
    """Publish the next event (the clock stays paused)."""


@dataclass(frozen=True)
class SetSpeed:
    """Change the replay speed."""

    speed: Speed


@dataclass(frozen=True)
class WaitSeq:
    """Wait until the session has published ``seq`` (while it plays)."""

    seq: int


@dataclass(frozen=True)
class WaitEnd:
    """Wait until the session has published its last event."""


@dataclass(frozen=True)
class Suspend:
    """Stop the client under test (SIGSTOP): it reads nothing until ``Resume``."""


@dataclass(frozen=True)
class Resume:
    """Let a suspended client go on, ``after`` seconds from now."""

    after: float = 0.0


@dataclass(frozen=True)
class Check:
    """Wait for the client to reach the session's seq, then compare what it shows."""

    label: str


Step: TypeAlias = (
    StartClient
    | Play
    | Pause
    | Seek
    | StepOnce
    | SetSpeed
    | WaitSeq
    | WaitEnd
    | Suspend
    | Resume
    | Check
)
