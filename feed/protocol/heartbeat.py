"""Heartbeats: a live subscriber sent nothing for a while is told the session is there."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from feed import wire
from feed.protocol.outputs import Deliver, Output
from feed.protocol.subscriber import Subscriber

__all__ = ["heartbeats"]

S = TypeVar("S")


def heartbeats(
    subscribers: Iterable[Subscriber[S]], message: wire.Heartbeat, *, published: bool, now: float
) -> list[Output[S]]:
    """``message`` to each live subscriber that was sent nothing since the last tick.

    Every subscriber's ``spoke`` is cleared for the next tick. A clean subscriber had
    the events ``published`` since the last tick; a faulty one gets its beat through
    its pipe, which holds it back during a stall.
    """
    out: list[Output[S]] = []
    frame: bytes | None = None
    for sub in subscribers:
        spoke, sub.spoke = sub.spoke, False
        if not sub.live or spoke or (published and sub.faults is None):
            continue
        frame = frame or wire.encode(message)
        if sub.faults is None:
            out.append(Deliver(sub.sink, frame))
            continue
        beat = sub.faults.heartbeat(message, frame, now)
        if beat is not None:
            out.append(Deliver(sub.sink, beat.frame))
    return out
