"""Seeded faults applied to one subscriber's events, inside the session protocol.

A subscriber that asks for faults (``subscribe`` with ``faults``, or a session given
faults by ``create_session`` or the ``faults`` control action) has a ``FaultPipe``:
the session protocol feeds it the events it would have sent, as events (seq, type,
envelope), never as frames to take apart; the pipe's ``FaultInjector`` says when
each goes out. Protocol messages keep their place after the events fed before them:

- ``caught_up``, ``views`` and ``end`` wait until the injector holds nothing, so
  they never overtake the events they follow; ``heartbeat`` is held back during a
  stall; other messages go out in order.
- ``BumpEpoch(n)``: this subscriber alone moves to a new epoch: a ``snapshot`` as of
  ``n - 1`` with a fault epoch (``EPOCH_STRIDE`` more than the one it had), then the
  events from ``n``. Every later message to it carries the fault epoch (the message
  re-encoded from its Struct); a resume with it is understood as the session's own.
- ``Disconnect``: the connection is aborted (the client sees 1006); the state is
  kept, so a subscriber that names a ``client_id`` carries on with it.

``FaultStates`` keeps the state of every subscriber that names a ``client_id``,
over all sessions, least recently used first out, so that a fault fires once per
subscriber and not once per connection, and memory stays bounded.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Final, NamedTuple, TypeAlias

import msgspec

from feed import wire
from feed.errors import SequenceError
from feed.events import Event
from feed.faults import (
    BumpEpoch,
    Disconnect,
    FaultInjector,
    PlanAsFed,
    Send,
    format_spec,
    parse_spec,
)
from feed.protocol.limits import Limits

__all__ = [
    "EPOCH_STRIDE",
    "FaultPipe",
    "FaultState",
    "FaultStates",
    "PipeOutput",
    "PipedBump",
    "PipedDrop",
    "PipedFrame",
    "read_back",
]

EPOCH_STRIDE: Final = 1_000_000
"""How far a fault epoch is from the session's: a session never seeks back that often."""

FLUSH_BELOW: Final = 64
"""A catch-up sends its next batch once the injector holds at most this many events."""


@dataclass(eq=False)
class FaultState:
    """One logical subscriber's faults: its injector, kept across its reconnects.

    Attributes:
        key: the spec (canonical text) and seed it was planned with.
        injector: the plan being applied.
        bumps: fault epochs this subscriber has been moved through, as far as it knows.
    """

    key: tuple[str, int]
    injector: FaultInjector
    bumps: int = 0

    def translate(self, message: wire.Subscribe, epoch: int) -> wire.Subscribe:
        """A resume naming a fault epoch this subscriber was moved to is one in ``epoch``."""
        if message.epoch is None:
            self.bumps = 0
            return message
        for bumps in range(self.bumps, -1, -1):
            if message.epoch - EPOCH_STRIDE * bumps == epoch:
                self.bumps = bumps
                return msgspec.structs.replace(message, epoch=epoch)
        self.bumps = 0  # stale: the snapshot that follows carries the session's own epoch
        return message


class FaultStates:
    """The fault states of subscribers that name a ``client_id``, over every session.

    Args:
        most: states kept (least recently used first out).
    """

    def __init__(self, most: int) -> None:
        self.most = most
        self._states: OrderedDict[tuple[str, str], FaultState] = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def of(self, session: str) -> int:
        """How many states are kept for ``session``."""
        return sum(1 for key in self._states if key[0] == session)

    def state(
        self, session: str, client_id: str | None, key: tuple[str, int], last_seq: int
    ) -> FaultState:
        """The state of ``client_id`` in ``session`` under ``key``, made anew if needed."""
        if client_id is not None:
            found = self._states.get((session, client_id))
            if found is not None and found.key == key:
                self._states.move_to_end((session, client_id))
                return found
        text, seed = key
        state = FaultState(
            key=key, injector=FaultInjector(PlanAsFed(parse_spec(text), seed, last_seq))
        )
        if client_id is not None:
            self._states[(session, client_id)] = state
            self._states.move_to_end((session, client_id))
            while len(self._states) > self.most:
                self._states.popitem(last=False)
        return state

    def forget(self, session: str) -> None:
        """Drop the states of a session that went."""
        for key in [key for key in self._states if key[0] == session]:
            del self._states[key]

    def subscribe(
        self,
        session: str,
        message: wire.Subscribe,
        session_faults: tuple[str, int] | None,
        *,
        epoch: int,
        last_seq: int,
        limits: Limits,
    ) -> tuple[wire.Subscribe, FaultPipe | None]:
        """A subscription's pipe, if it gets faults (its own, else the session's).

        Returns:
            the subscribe as the session understands it (a fault epoch it was given
            read as the session's own), and its pipe (``None``: it gets no faults).
        """
        wanted = session_faults
        if message.faults is not None:
            spec = parse_spec(message.faults)  # checked by wire.parse_client already
            wanted = None if spec.is_clean() else (format_spec(spec), message.fault_seed)
        if wanted is None:
            return message, None
        state = self.state(session, message.client_id, wanted, last_seq)
        pipe = FaultPipe(
            state, held_frames=limits.fault_held_frames, held_bytes=limits.backlog_bytes
        )
        return state.translate(message, epoch), pipe


def read_back(frame: bytes) -> wire.ServerMessage:
    """A protocol message frame read back into its message (for a fault pipe)."""
    message = wire.decode_server(frame)
    assert not isinstance(message, list) and isinstance(message, wire.ServerMessage)
    return message


class PipedFrame(NamedTuple):
    """Send ``frame`` now; ``last_seq``: the event it holds (0 for a message)."""

    frame: bytes
    last_seq: int = 0
    close: tuple[int, str] | None = None  # close with this code and reason after it


class PipedBump(NamedTuple):
    """Send a snapshot as of ``seq - 1`` in the subscriber's new fault epoch."""

    seq: int


class PipedDrop(NamedTuple):
    """Abort the connection now, without a word."""

    seq: int


PipeOutput: TypeAlias = PipedFrame | PipedBump | PipedDrop


@dataclass(slots=True)
class _Held:
    """A protocol message waiting for the events fed before it."""

    message: wire.ServerMessage
    frame: bytes
    after_events: bool
    close: tuple[int, str] | None = None


class FaultPipe:
    """One subscription's events, let out as its fault injector says.

    Args:
        state: the subscriber's fault state (its injector).
        held_frames: the most frames it may hold back before the subscriber is too slow.
        held_bytes: the most bytes it may hold back (events and the messages after them).
    """

    __slots__ = (
        "_held",
        "_held_bytes",
        "_held_frames",
        "_message_bytes",
        "_sent_upto",
        "_state",
        "dropped",
    )

    def __init__(self, state: FaultState, *, held_frames: int, held_bytes: int) -> None:
        self._state = state
        self._held: deque[_Held] = deque()
        self._held_frames = held_frames
        self._held_bytes = held_bytes
        self._message_bytes = 0  # of the messages held
        self._sent_upto = 0  # every seq up to this one was sent (for too_slow's resume seq)
        self.dropped = False  # a disconnect fired: nothing more goes out

    @property
    def bumps(self) -> int:
        """Fault epochs this subscriber has been moved through."""
        return self._state.bumps

    @property
    def resume_from_seq(self) -> int:
        """The first seq not sent yet."""
        return self._sent_upto + 1

    @property
    def settled(self) -> bool:
        """Whether the injector holds few enough events for the next catch-up batch."""
        return self._state.injector.pending <= FLUSH_BELOW

    @property
    def held_bytes(self) -> int:
        """Bytes it holds back now: events the injector holds, and messages waiting for them."""
        return self._state.injector.held_bytes + self._message_bytes

    @property
    def overflowing(self) -> bool:
        """Whether it holds more than it may: the subscriber is too slow."""
        frames = self._state.injector.pending + len(self._held)
        return frames > self._held_frames or self.held_bytes > self._held_bytes

    def start(self, next_seq: int) -> None:
        """A (re)start of the stream for this subscriber at ``next_seq``."""
        if next_seq >= 1:
            self._state.injector.resume(next_seq)
        self._sent_upto = next_seq - 1

    def feed(self, events: list[Event], envelopes: list[bytes], now: float) -> None:
        """Take events the subscriber is due, in seq order."""
        injector = self._state.injector
        for event, envelope in zip(events, envelopes, strict=True):
            try:
                injector.feed(event.seq, envelope, now, event.type)
            except SequenceError:
                # A stream that restarted under the pipe: go on from where it is now.
                injector.resume(event.seq)
                injector.feed(event.seq, envelope, now, event.type)

    def message(
        self,
        message: wire.ServerMessage,
        frame: bytes,
        *,
        close: tuple[int, str] | None = None,
    ) -> None:
        """Take a protocol message, to go out after the events fed before it."""
        match message:
            case wire.Subscribed():
                self.start(message.next_seq)
            case wire.SnapshotMessage():
                # A new state: what the injector held belongs to the one it replaces.
                self.start(message.seq + 1)
        after = isinstance(message, wire.CaughtUp | wire.ViewsMessage | wire.End)
        self._held.append(_Held(message, frame, after, close))
        self._message_bytes += len(frame)

    def heartbeat(self, message: wire.Heartbeat, frame: bytes, now: float) -> PipedFrame | None:
        """The heartbeat to send now, unless a stall silences the connection."""
        if self.dropped or self._state.injector.stalled(now):
            return None
        return PipedFrame(self._rewrite(message, frame))

    def next_deadline(self) -> float | None:
        """When ``pump`` has something next."""
        return None if self.dropped else self._state.injector.next_deadline()

    def pump(self, now: float) -> list[PipeOutput]:
        """Everything due at ``now``: events, bumps, a drop, and the messages after them."""
        out: list[PipeOutput] = []
        if self.dropped:
            return out
        for output in self._state.injector.due(now):
            match output:
                case Send(frame=frame, seq=seq):
                    last = 0
                    if seq == self._sent_upto + 1:
                        self._sent_upto = last = seq
                    out.append(PipedFrame(frame, last))
                case BumpEpoch(seq=seq):
                    self._state.bumps += 1
                    self._sent_upto = seq - 1
                    out.append(PipedBump(seq))
                case Disconnect(seq=seq):
                    self.dropped = True
                    self._held.clear()
                    self._message_bytes = 0
                    out.append(PipedDrop(seq))
                    return out
        idle = self._state.injector.idle
        while self._held:
            held = self._held[0]
            if held.after_events and not idle:
                break
            self._held.popleft()
            self._message_bytes -= len(held.frame)
            out.append(PipedFrame(self._rewrite(held.message, held.frame), 0, held.close))
            if held.close is not None:
                self._held.clear()
                self._message_bytes = 0
                break
        return out

    def rewrite(self, message: wire.ServerMessage, frame: bytes) -> bytes:
        """``frame`` as this subscriber must get it (in its fault epoch, if bumped)."""
        return self._rewrite(message, frame)

    def _rewrite(self, message: wire.ServerMessage, frame: bytes) -> bytes:
        bumps = self._state.bumps
        epoch = getattr(message, "epoch", None)
        if not bumps or not isinstance(epoch, int):
            return frame
        return wire.encode(msgspec.structs.replace(message, epoch=epoch + EPOCH_STRIDE * bumps))
