"""What the session protocol asks its host to do: frames to send, connections to close.

A host drains ``SessionProtocol.data_to_send()`` after every input it gives the
protocol and carries each output out in order. Nothing here does I/O; ``S`` is
whatever the host uses to reach one subscriber (its connection's outbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

__all__ = ["Abort", "AwaitDrain", "Broadcast", "Close", "Deliver", "Output"]

S = TypeVar("S")


@dataclass(frozen=True, slots=True)
class Broadcast(Generic[S]):
    """Send ``frame`` to each of ``sinks`` (the session's live subscribers, framed once).

    Attributes:
        sinks: the subscribers, as they were when the frame was published.
        frame: the encoded frame.
        last_seq: the last event seq in it (0 for a protocol message).
    """

    sinks: tuple[S, ...]
    frame: bytes
    last_seq: int = 0


@dataclass(frozen=True, slots=True)
class Deliver(Generic[S]):
    """Send ``frame`` to one subscriber, after what it was sent before."""

    sink: S
    frame: bytes
    last_seq: int = 0


@dataclass(frozen=True, slots=True)
class Close(Generic[S]):
    """Send ``frame`` and close the subscriber's connection with ``code``.

    Attributes:
        at_once: drop what is still queued for it and close now (an error that
            closes); otherwise close after everything sent before ``frame``.
    """

    sink: S
    frame: bytes
    code: int
    reason: str
    at_once: bool = False


@dataclass(frozen=True, slots=True)
class Abort(Generic[S]):
    """Cut the subscriber's connection without a word (an injected disconnect)."""

    sink: S


@dataclass(frozen=True, slots=True)
class AwaitDrain(Generic[S]):
    """Call ``writable(sink)`` once everything sent to it has left its queue."""

    sink: S


Output: TypeAlias = Broadcast[S] | Deliver[S] | Close[S] | Abort[S] | AwaitDrain[S]
