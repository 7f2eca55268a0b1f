"""A subscriber of a session: its states and every transition between them, in one table.

Like h11's ``_state.py``, every change of a subscriber's state goes through
``Subscriber.move`` and the ``TRANSITIONS`` table below; a move the table does not
hold is a bug and raises ``RuntimeError`` rather than leaving a subscriber half
moved.

===============  ==============  ===============  ===============================
from             on              to               what was sent
===============  ==============  ===============  ===============================
catching_up      caught_up       live             the last history batch, caught_up
catching_up      new_epoch       live             replay_state, snapshot, caught_up
live             new_epoch       live             replay_state, snapshot, caught_up
live             end             ended            replay_state, end (then 1000)
ended            new_epoch       ended            nothing: the connection is closing
catching_up      leave           gone             (unsubscribed, cut off, dropped)
live             leave           gone
ended            leave           gone
===============  ==============  ===============  ===============================

A new subscriber starts ``catching_up``; one with nothing to catch up moves on to
``live`` at once. ``end`` never reaches a subscriber still catching up: it
finds the session over when it joins the live fan-out, and ends then.
"""

from __future__ import annotations

import enum
from typing import Final, Generic, Literal, TypeAlias, TypeVar

from feed.projections import Projection
from feed.protocol.faults import FaultPipe

__all__ = ["TRANSITIONS", "Move", "Subscriber", "SubscriberState"]

S = TypeVar("S")
Move: TypeAlias = Literal["caught_up", "new_epoch", "end", "leave"]


class SubscriberState(enum.Enum):
    """Where a subscriber is in its session's stream."""

    CATCHING_UP = "catching_up"
    LIVE = "live"
    ENDED = "ended"
    GONE = "gone"


_C, _L, _E, _G = (
    SubscriberState.CATCHING_UP,
    SubscriberState.LIVE,
    SubscriberState.ENDED,
    SubscriberState.GONE,
)

TRANSITIONS: Final[dict[tuple[SubscriberState, Move], SubscriberState]] = {
    (_C, "caught_up"): _L,
    (_C, "new_epoch"): _L,
    (_L, "new_epoch"): _L,
    (_L, "end"): _E,
    (_E, "new_epoch"): _E,
    (_C, "leave"): _G,
    (_L, "leave"): _G,
    (_E, "leave"): _G,
}
"""Every allowed ``(state, move) -> state``; nothing else may happen to a subscriber."""


class Subscriber(Generic[S]):
    """One subscription of one connection to one session.

    Attributes:
        sink: where its frames go (the host's outbox for its connection).
        client: the connection's id, for logs.
        state: where it is (``SubscriberState``).
        cursor: the next seq to send it (while catching up).
        views: it asked for ``views`` after every delivery.
        projection: its own projection, for ``views`` (``None`` without views).
        faults: the fault pipe its events go through (``None``: a clean feed).
        spoke: it was sent a frame of its own since the last heartbeat tick.
    """

    __slots__ = ("client", "cursor", "faults", "projection", "sink", "spoke", "state", "views")

    def __init__(self, sink: S, *, client: str, cursor: int, views: bool) -> None:
        self.sink = sink
        self.client = client
        self.state = SubscriberState.CATCHING_UP
        self.cursor = cursor
        self.views = views
        self.projection: Projection | None = None
        self.faults: FaultPipe | None = None
        self.spoke = False

    def move(self, on: Move) -> SubscriberState:
        """Take the transition ``on`` from the current state (see ``TRANSITIONS``).

        Raises:
            RuntimeError: the table has no such transition.
        """
        target = TRANSITIONS.get((self.state, on))
        if target is None:
            raise RuntimeError(f"subscriber {self.client}: no transition {on!r} from {self.state}")
        self.state = target
        return target

    @property
    def live(self) -> bool:
        """Whether it is in the live fan-out (or its fault pipe's)."""
        return self.state is SubscriberState.LIVE

    @property
    def gone(self) -> bool:
        """Whether it is over."""
        return self.state is SubscriberState.GONE
