"""Seeded faults on the wire: a subscriber's events go out through its ``FaultInjector``.

A subscription that asks for faults (``subscribe`` with ``faults``, or a session
given faults by ``create_session`` or the ``faults`` control action) gets a
``FaultyOutbox`` in front of its connection's outbox. The hub hands it frames as
it would to any subscriber; the faulty outbox splits event frames into envelopes,
feeds them to the injector one by one, and sends what the injector lets out, each
event as a frame of its own, when the server's clock says it is due:

- ``Disconnect``: the TCP connection is aborted (the client sees 1006); the
  injector is kept, so the subscriber's next connection carries on with it.
- ``BumpEpoch(n)``: this subscriber alone moves to a new epoch: a ``snapshot`` as
  of ``n - 1`` with a fault epoch (``EPOCH_STRIDE`` more than the one it had),
  then the events from ``n``. Every later frame to it carries the fault epoch; a
  resume with it is understood as the session's own epoch.
- ``caught_up``, ``views`` and ``end`` wait until the injector holds nothing, so
  they never overtake the events they follow; ``heartbeat`` is held back during a
  stall; other messages keep their order.

``FaultDesk`` keeps each session's own fault spec and the fault state of every
subscriber that names a ``client_id`` (a bounded LRU over the whole server), so
that a fault fires once per subscriber and not once per connection.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import msgspec
import structlog

from feed import wire
from feed.errors import SequenceError
from feed.events import Event
from feed.faults import (
    BumpEpoch,
    Disconnect,
    FaultInjector,
    FaultPlan,
    Send,
    format_spec,
    parse_spec,
    plan,
)
from feed.net.clock import Clock, TimerHandle
from feed.net.fanout import Outbox
from feed.net.hub import Hub, Spawn
from feed.net.session import Session

__all__ = ["EPOCH_STRIDE", "FaultDesk", "FaultState", "FaultyOutbox"]

EPOCH_STRIDE: Final = 1_000_000
"""How far a fault epoch is from the session's: a session never seeks back that often."""

_FLUSH_BELOW: Final = 64  # a catch-up waits until the injector holds at most this many frames
_PLANS_KEPT: Final = 64
_batch_decoder = msgspec.json.Decoder(list[msgspec.Raw])
_log = structlog.get_logger("racefeed.faults")


@dataclass(eq=False)
class FaultState:
    """One logical subscriber's faults: its injector, kept across its reconnects.

    Attributes:
        key: the spec (canonical text) and seed it was planned with.
        injector: the plan being applied.
        hub: the session it follows.
        bumps: fault epochs this subscriber has been moved through, as far as it knows.
    """

    key: tuple[str, int]
    injector: FaultInjector
    hub: weakref.ref[Hub]
    bumps: int = 0


class FaultDesk:
    """Every session's fault spec, and the fault state of the subscribers known by id.

    Fault states of clients that name a ``client_id`` are kept server-wide, least
    recently used first out, so that memory is bounded whatever the number of
    sessions: a state holds its injector, about as large as its plan (a few tens
    of bytes per event of the log).

    Args:
        clock: the time faults are timed by (the server's clock).
        spawn: starts a background task the server keeps track of.
        states: ``client_id`` states kept, over all sessions.
    """

    def __init__(self, clock: Clock, spawn: Spawn, *, states: int = 1024) -> None:
        self._clock = clock
        self._spawn = spawn
        self._most = states
        self._specs: weakref.WeakKeyDictionary[Hub, tuple[str, int]] = weakref.WeakKeyDictionary()
        self._states: OrderedDict[tuple[str, str], FaultState] = OrderedDict()
        self._plans: OrderedDict[tuple[str, str, int, int], FaultPlan] = OrderedDict()

    def set_session_faults(self, hub: Hub, text: str, seed: int) -> None:
        """Give every later subscription of ``hub`` this spec (``none`` clears it)."""
        spec = parse_spec(text)
        if spec.is_clean():
            self._specs.pop(hub, None)
        else:
            self._specs[hub] = (format_spec(spec), seed)
        _log.info("session_faults_set", session=hub.id, spec=format_spec(spec), seed=seed)

    def session_faults(self, hub: Hub) -> tuple[str, int] | None:
        """The spec (canonical text) and seed every subscription of ``hub`` gets, if any."""
        return self._specs.get(hub)

    def states(self, hub: Hub | None = None) -> int:
        """How many ``client_id`` fault states are kept (for ``hub``, or in all)."""
        if hub is None:
            return len(self._states)
        return sum(1 for state in self._states.values() if state.hub() is hub)

    def outbox_for(
        self,
        hub: Hub,
        outbox: Outbox,
        message: wire.Subscribe,
        on_overflow: Callable[[int], None],
    ) -> tuple[Outbox, wire.Subscribe]:
        """The outbox a subscription should use, and the subscribe to hand the hub.

        Without faults, ``outbox`` and ``message`` as they are. With faults, a
        ``FaultyOutbox`` in front of ``outbox``, and ``message`` with a fault epoch
        turned back into the session's own.
        """
        wanted: tuple[str, int] | None
        if message.faults is not None:
            spec = parse_spec(message.faults)  # checked by wire.parse_client already
            wanted = None if spec.is_clean() else (format_spec(spec), message.fault_seed)
        else:
            wanted = self.session_faults(hub)
        if wanted is None:
            return outbox, message
        state = self._state(hub, message.client_id, wanted)
        message = _translate(state, hub, message)
        faulty = FaultyOutbox(
            outbox,
            state,
            hub=hub,
            clock=self._clock,
            on_overflow=on_overflow,
            spawn=self._spawn,
        )
        return faulty, message

    def _state(self, hub: Hub, client_id: str | None, key: tuple[str, int]) -> FaultState:
        if client_id is not None:
            found = self._states.get((hub.id, client_id))
            if found is not None and found.key == key and found.hub() is hub:
                self._states.move_to_end((hub.id, client_id))
                return found
        state = FaultState(
            key=key, injector=FaultInjector(self._plan(hub, key)), hub=weakref.ref(hub)
        )
        if client_id is not None:
            self._states[(hub.id, client_id)] = state
            self._states.move_to_end((hub.id, client_id))
            while len(self._states) > self._most:
                self._states.popitem(last=False)
        return state

    def _plan(self, hub: Hub, key: tuple[str, int]) -> FaultPlan:
        events = _log_of(hub)
        text, seed = key
        plan_key = (hub.id, text, seed, len(events))
        found = self._plans.get(plan_key)
        if found is None:
            found = self._plans[plan_key] = plan(parse_spec(text), seed, events)
            while len(self._plans) > _PLANS_KEPT:
                self._plans.popitem(last=False)
        return found


def _log_of(hub: Hub) -> Sequence[Event]:
    """The whole log a hub replays, or what it has published when it is not a local replay."""
    if isinstance(hub, Session):
        return hub.replay.events
    return hub.delivered


def _translate(state: FaultState, hub: Hub, message: wire.Subscribe) -> wire.Subscribe:
    """A resume with a fault epoch this subscriber was moved to is one with the session's."""
    if message.epoch is None:
        state.bumps = 0
        return message
    for bumps in range(state.bumps, -1, -1):
        if message.epoch - EPOCH_STRIDE * bumps == hub.epoch:
            state.bumps = bumps
            return msgspec.structs.replace(message, epoch=hub.epoch)
    state.bumps = 0  # stale: the snapshot that follows carries the session's own epoch
    return message


@dataclass(slots=True)
class _Held:
    """A protocol message waiting for the events pushed before it."""

    message: wire.ServerMessage
    frame: bytes
    after_events: bool
    close: tuple[int, str] | None = None


class FaultyOutbox(Outbox):
    """An outbox that sends a subscriber's events as its fault injector says.

    It stands for one subscription: the connection's own outbox (``inner``) still
    carries everything else, and outlives it.

    Args:
        inner: the connection's outbox.
        state: this subscriber's fault state.
        hub: the session it follows.
        clock: what times the faults.
        on_overflow: told the first seq not sent, when the subscriber falls too far behind.
        spawn: starts a background task the server keeps track of.
    """

    direct = False  # fan_out must hand every frame to push()

    def __init__(
        self,
        inner: Outbox,
        state: FaultState,
        *,
        hub: Hub,
        clock: Clock,
        on_overflow: Callable[[int], None],
        spawn: Spawn,
    ) -> None:
        self._stopped = False
        self._finishing = False  # `end` is waiting for the events before it; take nothing new
        super().__init__(inner.connection, inner.limits, on_overflow, spawn)
        self._inner = inner
        self._state = state
        self._hub = hub
        self._clock = clock
        self._timer: TimerHandle | None = None
        self._held: deque[_Held] = deque()
        self._sent_upto = 0  # every seq up to this one was sent (for too_slow's resume seq)
        self._drained = asyncio.Event()
        self._drained.set()

    # -- what the hub calls -------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether this subscription takes nothing more (it is ending, or its connection did)."""
        return self._stopped or self._finishing or self._inner.closed

    @closed.setter
    def closed(self, value: bool) -> None:
        if value:
            self.stop()

    @property
    def _sending(self) -> bool:
        """Whether what is held may still go out (also while ``end`` waits its turn)."""
        return not self._stopped and not self._inner.closed

    @property
    def backlog(self) -> int:
        """Frames held back by faults and messages waiting for them."""
        return self._state.injector.pending + len(self._held)

    def ready(self) -> bool:
        """Never: every frame goes through the injector."""
        return False

    def push(self, frame: bytes, last_seq: int = 0) -> bool:
        """Take one frame: events go to the injector, messages keep their place after them."""
        if self.closed:
            return False
        self.active = True
        if last_seq:
            self._feed(frame, last_seq)
        else:
            self._message(frame)
        return not self.closed

    async def flush(self) -> None:
        """Wait until the injector holds little, and the socket has drained."""
        while not self.closed and self._state.injector.pending > _FLUSH_BELOW:
            self._drained.clear()
            await self._drained.wait()
        if not self.closed:
            await self._inner.flush()

    def finish(self, frame: bytes, code: int = 1000, reason: str = "") -> None:
        """Send ``frame`` (``end``) once every event before it went out, then close."""
        if self.closed:
            return
        message = wire.decode_server(frame)
        if isinstance(message, wire.End):
            self._held.append(_Held(message, frame, after_events=True, close=(code, reason)))
            self._finishing = True  # like a plain outbox: nothing pushed after `end` counts
            self._release()
        else:  # nothing but `end` finishes a subscription today; keep the contract anyway
            self._inner.finish(frame, code, reason)
            self.stop()

    def abort(self, frame: bytes, code: int, reason: str) -> None:
        """Stop the faults and close the connection at once with ``code``."""
        self.stop()
        self._inner.abort(frame, code, reason)

    def stop(self) -> None:
        """Stop: the subscription is over (the connection may go on)."""
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._held.clear()
        self._drained.set()

    # -- inside -------------------------------------------------------------------------

    def _feed(self, frame: bytes, last_seq: int) -> None:
        if frame[:1] == b"[":
            envelopes = [bytes(raw) for raw in _batch_decoder.decode(frame)]
        else:
            envelopes = [frame]
        first = last_seq - len(envelopes) + 1
        now = self._clock.now()
        injector = self._state.injector
        try:
            for offset, envelope in enumerate(envelopes):
                injector.feed(first + offset, envelope, now)
        except SequenceError:
            # The hub and the injector disagree on where this subscriber is: start over there.
            _log.warning("fault_resync", session=self._hub.id, seq=first)
            injector.resume(first)
            for offset, envelope in enumerate(envelopes):
                injector.feed(first + offset, envelope, now)
        self._pump()
        if not self.closed and injector.pending + len(self._held) > self.limits.backlog_frames:
            self.stop()
            self._on_overflow(self._sent_upto + 1)

    def _message(self, frame: bytes) -> None:
        message = _protocol_message(frame)
        match message:
            case wire.Subscribed():
                self._restart(message.next_seq)
            case wire.SnapshotMessage():
                # A new state: what the injector held belongs to the one it replaces.
                self._restart(message.seq + 1)
            case wire.Heartbeat():
                if not self._state.injector.stalled(self._clock.now()):
                    self._send_message(message, frame)
                return
            case _:
                pass
        after_events = isinstance(message, wire.CaughtUp | wire.ViewsMessage | wire.End)
        self._held.append(_Held(message, frame, after_events))
        self._release()

    def _restart(self, next_seq: int) -> None:
        if next_seq >= 1:
            self._state.injector.resume(next_seq)
        self._sent_upto = next_seq - 1

    def _pump(self) -> None:
        """Act on everything the injector says is due, then arm the clock for the next."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._sending:
            return
        injector = self._state.injector
        for output in injector.due(self._clock.now()):
            match output:
                case Send(frame=frame, seq=seq):
                    self._send_event(frame, seq)
                case BumpEpoch(seq=seq):
                    self._bump(seq)
                case Disconnect(reason=reason, seq=seq):
                    self._disconnect(reason, seq)
                    return
            if not self._sending:
                return
        self._release()
        if injector.pending <= _FLUSH_BELOW:
            self._drained.set()
        if not self._sending:
            return
        deadline = injector.next_deadline()
        if deadline is not None:
            self._timer = self._clock.call_at(deadline, self._pump)

    def _release(self) -> None:
        """Send the waiting messages whose events have all gone out."""
        idle = self._state.injector.idle
        while self._held and self._sending:
            held = self._held[0]
            if held.after_events and not idle:
                return
            self._held.popleft()
            if held.close is not None:
                code, reason = held.close
                self._inner.finish(self._rewrite(held.message, held.frame), code, reason)
                self.stop()
                return
            self._send_message(held.message, held.frame)

    def _send_event(self, frame: bytes, seq: int) -> None:
        last = 0
        if seq == self._sent_upto + 1:
            self._sent_upto = last = seq
        self._inner.push(frame, last)

    def _send_message(self, message: wire.ServerMessage, frame: bytes) -> None:
        self._inner.push(self._rewrite(message, frame))

    def _rewrite(self, message: wire.ServerMessage, frame: bytes) -> bytes:
        """The frame with this subscriber's fault epoch in place of the session's."""
        bumps = self._state.bumps
        epoch = getattr(message, "epoch", None)
        if not bumps or not isinstance(epoch, int):
            return frame
        return wire.encode(msgspec.structs.replace(message, epoch=epoch + EPOCH_STRIDE * bumps))

    def _bump(self, seq: int) -> None:
        self._state.bumps += 1
        frame = self._hub.snapshot_frame(seq - 1)
        message = _protocol_message(frame)
        self._inner.push(self._rewrite(message, frame))
        self._sent_upto = seq - 1
        _log.info("fault_injected", kind="epoch_bump", session=self._hub.id, seq=seq)

    def _disconnect(self, reason: str, seq: int) -> None:
        _log.info("fault_injected", kind="disconnect", session=self._hub.id, seq=seq)
        self.stop()
        transport = self.connection.transport
        if transport is not None:
            transport.abort()


def _protocol_message(frame: bytes) -> wire.ServerMessage:
    """A frame the hub sent without a seq: always a protocol message."""
    message = wire.decode_server(frame)
    if isinstance(message, list) or not isinstance(message, wire.ServerMessage):
        raise TypeError(f"an event frame came without its seq: {frame[:80]!r}")
    return message
