"""The client protocol, sans-I/O: one follower's side of a subscription.

Every racefeed client (the SDK, ``racefeed tail``, ``racefeed watch``) drives one
``ClientProtocol``: it hands over each decoded frame with ``receive(frame, now)``
and carries out what comes back; ``next_deadline()`` says when ``tick(now)`` is due.
The protocol decides, in one place:

- **Dedupe**: delivery is at-least-once; an event at or below the last seq applied
  (or already held) is dropped.
- **Reorder window**: an event that overtook a missing one is held (up to
  ``reorder_window`` events, for at most ``reorder_wait_s``); when the missing one
  comes, the held ones follow in order.
- **Gaps**: a seq that does not come in time, a full window, or a ``heartbeat`` /
  ``caught_up`` whose ``head_seq`` is past the last seq applied, is asked for again
  (``Resubscribe`` with the resume point), once per answer.
- **Epochs**: a ``snapshot`` replaces everything (``Reset``); the resume point is
  always ``(epoch, last seq + 1)``.
- **Errors**: a code whose rule says retrying cannot help (``wire.ERRORS``, ``fatal``)
  is ``Fatal``; others are recovered by the snapshot that follows or by a resume
  after the server closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import msgspec

from feed import wire
from feed.events import Event

__all__ = [
    "Apply",
    "ClientOutput",
    "ClientProtocol",
    "ClientStats",
    "Ended",
    "Fatal",
    "Notice",
    "Reset",
    "Resubscribe",
]


@dataclass(frozen=True, slots=True)
class Apply:
    """Apply ``event``: the next seq of the current epoch."""

    event: Event


@dataclass(frozen=True, slots=True)
class Reset:
    """Replace everything held with ``snapshot`` (a new epoch, or a resume that failed)."""

    snapshot: wire.SnapshotMessage


@dataclass(frozen=True, slots=True)
class Resubscribe:
    """Send ``message`` on the open connection: events went missing."""

    message: wire.Subscribe


@dataclass(frozen=True, slots=True)
class Notice:
    """A protocol message the application may want (state, clock, errors recovered)."""

    message: wire.ServerMessage


@dataclass(frozen=True, slots=True)
class Fatal:
    """Give up: the server refused in a way that retrying cannot change."""

    error: wire.ErrorMessage


@dataclass(frozen=True, slots=True)
class Ended:
    """The replay is over and every event of it was applied."""

    message: wire.End


ClientOutput: TypeAlias = Apply | Reset | Resubscribe | Notice | Fatal | Ended


class ClientStats(msgspec.Struct):
    """What the client had to do to keep the stream whole.

    Attributes:
        delivered: events applied (each seq of an epoch once).
        connects: connections opened.
        duplicates_dropped: events that came again and were not applied twice.
        gaps_detected: times a seq never came and was asked for again.
        reordered: events that came early and were held until the ones before them.
        snapshots_taken: states replaced by a snapshot (epoch change, unreachable seq).
        too_slow: times the server cut the client off for reading too slowly.
    """

    delivered: int = 0
    connects: int = 0
    duplicates_dropped: int = 0
    gaps_detected: int = 0
    reordered: int = 0
    snapshots_taken: int = 0
    too_slow: int = 0


class ClientProtocol:
    """One follower of one session (see the module docstring).

    Args:
        first: the first subscribe (its start point, snapshot, faults ...).
        reorder_window: events held while a missing one may still come.
        reorder_wait_s: how long they are held before it is asked for again.
    """

    def __init__(
        self, first: wire.Subscribe, *, reorder_window: int = 64, reorder_wait_s: float = 0.2
    ) -> None:
        self.first = first
        self.last_seq = first.from_seq - 1 if first.from_seq else 0
        self.epoch: int | None = first.epoch
        self.ended = False
        self.stats = ClientStats()
        self._window = reorder_window
        self._wait_s = reorder_wait_s
        self._ahead: dict[int, Event] = {}
        self._ahead_since: float | None = None
        self._asked = False  # a resubscribe is on its way: wait for its answer
        self._resuming = False  # a subscription was made: the next one is a resume

    # -- what the driver calls ----------------------------------------------------------

    def connected(self) -> wire.Subscribe:
        """A new connection is open: the subscribe to send on it."""
        self.stats.connects += 1
        self._forget_ahead()
        self._asked = False
        return self.subscribe_message()

    def subscribe_message(self) -> wire.Subscribe:
        """The subscribe that carries on from where this client is (the resume point)."""
        if not self._resuming:
            return self.first
        return msgspec.structs.replace(
            self.first,
            from_seq=self.last_seq + 1,
            from_race_ms=None,
            live=False,
            epoch=self.epoch,
            snapshot=False,
        )

    def receive(self, frame: wire.ServerFrame, now: float) -> list[ClientOutput]:
        """Take one decoded frame; what to do about it, in order."""
        out: list[ClientOutput] = []
        match frame:
            case list():
                for event in frame:
                    self._event(event, now, out)
            case wire.Subscribed():
                self._asked = False
                self._resuming = True
                self.epoch = frame.epoch
                out.append(Notice(frame))
            case wire.SnapshotMessage():
                self._forget_ahead()
                self.last_seq = frame.seq
                self.epoch = frame.epoch
                self.stats.snapshots_taken += 1
                out.append(Reset(frame))
            case wire.ReplayStatus():
                if self.epoch is not None:
                    self.epoch = frame.epoch
                out.append(Notice(frame))
            case wire.Heartbeat() | wire.CaughtUp():
                if frame.head_seq > self.last_seq and frame.epoch == self.epoch:
                    self._gap(out)  # the newest events never came
                out.append(Notice(frame))
            case wire.End() if frame.head_seq > self.last_seq and frame.epoch == self.epoch:
                # The last events never came: the server closes next, and a resume gets them.
                self.stats.gaps_detected += 1
            case wire.End():
                self.ended = True
                out.append(Ended(frame))
            case wire.ErrorMessage():
                out.append(self._error(frame))
            case wire.Unsubscribed() | wire.Pong() | wire.SessionCreated() | wire.ViewsMessage():
                out.append(Notice(frame))
            case _:
                self._event(frame, now, out)
        return out

    def tick(self, now: float) -> list[ClientOutput]:
        """The missing seq the held events wait for did not come in time: ask for it."""
        out: list[ClientOutput] = []
        if self._ahead and self._ahead_since is not None and now >= self._deadline():
            self._gap(out)
        return out

    def next_deadline(self) -> float | None:
        """When ``tick`` is due (``None``: nothing is held)."""
        return self._deadline() if self._ahead else None

    # -- inside -------------------------------------------------------------------------

    def _deadline(self) -> float:
        assert self._ahead_since is not None
        return self._ahead_since + self._wait_s

    def _event(self, event: Event, now: float, out: list[ClientOutput]) -> None:
        seq = event.seq
        if seq <= self.last_seq or seq in self._ahead:
            self.stats.duplicates_dropped += 1
            return
        if seq > self.last_seq + 1:
            if self._asked:
                return  # in flight before the new subscription: it sends this again
            self._ahead[seq] = event
            if self._ahead_since is None:
                self._ahead_since = now
            if len(self._ahead) > self._window:
                self._gap(out)
            return
        self._apply(event, out)
        while self._ahead:
            following = self._ahead.pop(self.last_seq + 1, None)
            if following is None:
                return
            self.stats.reordered += 1
            self._apply(following, out)
        self._forget_ahead()

    def _apply(self, event: Event, out: list[ClientOutput]) -> None:
        self.last_seq = event.seq
        self.stats.delivered += 1
        out.append(Apply(event))

    def _gap(self, out: list[ClientOutput]) -> None:
        """Ask again from the first seq missing, once per answer; held events come again."""
        self._forget_ahead()
        if not self._asked:
            self._asked = True
            self.stats.gaps_detected += 1
            out.append(Resubscribe(self.subscribe_message()))

    def _error(self, error: wire.ErrorMessage) -> ClientOutput:
        if wire.ERRORS[error.code].fatal:
            return Fatal(error)
        if error.code == "too_slow":
            self.stats.too_slow += 1
        # stale_epoch / unreachable_seq: the snapshot that follows resets the state;
        # too_slow and the other closing errors: a resume from last_seq + 1 goes on.
        return Notice(error)

    def _forget_ahead(self) -> None:
        self._ahead.clear()
        self._ahead_since = None
