"""The session protocol, sans-I/O: one session's stream and everyone following it.

Like websockets' ``protocol.py``, this object does no I/O and reads no clock:
inputs come in as method calls with ``now`` (monotonic seconds), and what to send
comes out of ``data_to_send()`` (``feed.protocol.outputs``); ``next_deadline()``
says when ``tick(now)`` is due next. Every host drives it the same way: the
gateway role feeds it what the session's log says (``publish``, ``start_epoch``,
``clock_changed``, ``set_faults``) and what its clients ask (``subscribe``,
``unsubscribe``), and carries out its outputs.

- Each event is encoded once, by the director; live frames go to every clean
  live subscriber as one ``Broadcast``.
- A new subscriber gets ``subscribed``, ``replay_state``, a ``snapshot`` if asked
  for (or after a resume error), then the history in byte-bound batches at its own
  pace (the next batch when the host says its queue drained), ``caught_up``, then
  live events. Its states are in ``feed.protocol.subscriber``.
- A new epoch cuts the history back; every subscriber gets ``replay_state``, a
  ``snapshot`` at the new position and ``caught_up``, and goes on live.
- Heartbeats go to live subscribers sent nothing since the last tick (``heartbeat``).
- A subscriber with faults gets its events through its ``FaultPipe``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from feed import wire
from feed.events import Event
from feed.protocol.budget import Budget
from feed.protocol.clock import ClockView
from feed.protocol.faults import (
    FaultPipe,
    FaultStates,
    PipedBump,
    PipedDrop,
    PipedFrame,
    read_back,
)
from feed.protocol.heartbeat import heartbeats
from feed.protocol.history import History
from feed.protocol.limits import Limits
from feed.protocol.outputs import Abort, AwaitDrain, Broadcast, Close, Deliver, Output
from feed.protocol.start import start_of
from feed.protocol.subscriber import Subscriber, SubscriberState
from feed.protocol.views import FrameCache, SessionFrames

__all__ = ["SessionProtocol"]

S = TypeVar("S")


class SessionProtocol(Generic[S]):
    """One session's published stream and its subscribers (see the module docstring).

    Args:
        id: the session id clients subscribe to.
        stream: the stream id of its events.
        last_seq: the seq of the scenario's last event (fault plans stop there).
        limits: batch sizes, heartbeat interval, fault bounds.
        frames: the server-wide cache of snapshot and views frames.
        fault_states: the server-wide fault states of named subscribers.
        now: the time it starts at.
        max_gap_ms: the longest stretch of race time ``replay_state`` runs on between events.
    """

    def __init__(
        self,
        *,
        id: str,
        stream: str,
        last_seq: int,
        limits: Limits,
        frames: FrameCache,
        fault_states: FaultStates,
        now: float,
        max_gap_ms: int | None = 10_000,
        fault_budget: Budget | None = None,
    ) -> None:
        self.id = id
        self.stream = stream
        self.last_seq = last_seq
        self.epoch = 1
        self.ended = False
        # A batch never fills a backlog on its own: a subscriber one batch behind (or
        # holding one back under a delay fault) is not too slow, whatever the limits.
        room = max(1, limits.backlog_bytes // 2)
        self.history = History(
            batch_events=limits.batch_events,
            batch_bytes=min(limits.batch_bytes, room),
            history_bytes=min(limits.history_bytes, room),
        )
        self.session_faults: tuple[str, int] | None = None
        self.idle_since: float | None = now  # when the last subscriber left
        self._limits = limits
        self._fault_states = fault_states
        self._fault_budget = fault_budget or Budget(limits.fault_held_bytes)
        self._clock = ClockView(id, max_gap_ms=max_gap_ms, now=now)
        self._subs: dict[S, Subscriber[S]] = {}
        self._live: dict[S, Subscriber[S]] = {}  # live and clean: the broadcast
        self._live_sinks: tuple[S, ...] | None = ()  # cached keys of _live; None: rebuild
        self._views: dict[S, Subscriber[S]] = {}  # live and clean, with views
        self._faulty: dict[S, Subscriber[S]] = {}
        self._out: list[Output[S]] = []
        self.frames = SessionFrames(id, self.history, frames)
        self._next_beat = now + limits.heartbeat_s
        self._published_since_beat = False

    # -- reading ------------------------------------------------------------------------

    @property
    def head_seq(self) -> int:
        """The last seq published in this epoch."""
        return self.history.head_seq

    @property
    def subscribers(self) -> int:
        """Subscribers following now."""
        return len(self._subs)

    @property
    def sinks(self) -> list[S]:
        """Where each subscriber's frames go (a host's accounting of its queues)."""
        return list(self._subs)

    @property
    def busy(self) -> bool:
        """Whether a fault holds events for a time to come (work, not just heartbeats)."""
        return any(pipe.next_deadline() is not None for pipe in self._pipes())

    def status(self, now: float) -> wire.ReplayStatus:
        """The clock as a ``replay_state`` message, its race clock run on to ``now``."""
        return self._clock.status(now)

    def data_to_send(self) -> list[Output[S]]:
        """What the host must do now, in order (taken: a second call returns the rest)."""
        out, self._out = self._out, []
        return out

    def next_deadline(self) -> float | None:
        """When ``tick`` is due next (``None``: nothing will be until an input comes)."""
        times = [d for d in (pipe.next_deadline() for pipe in self._pipes()) if d is not None]
        if self._subs:
            times.append(self._next_beat)
        return min(times, default=None)

    # -- what the log says --------------------------------------------------------------

    def publish(self, events: Sequence[Event], envelopes: Sequence[bytes], now: float) -> None:
        """Events ``head_seq + 1`` on were published: fan them out."""
        first = self.head_seq + 1
        self.history.extend(events, envelopes)
        self.frames.published(events)
        self._clock.moved(events[-1], now)
        self._published_since_beat = True
        start = 0
        for stop, frame in self.history.live_frames(envelopes):
            if self._live:
                self._out.append(Broadcast(self._sinks(), frame, first + stop - 1))
            for sub in self._views.values():
                self._send_views(sub, events[start:stop])
            start = stop
        if self._faulty:
            batch, frames = list(events), list(envelopes)
            for sub in list(self._faulty.values()):
                if sub.live:
                    self._feed(sub, batch, frames, now)

    def start_epoch(self, epoch: int, head: int, status: wire.ReplayStatus, now: float) -> None:
        """Epoch ``epoch`` began with the first ``head`` events: everyone starts over there."""
        self.history.cut(head)
        self.epoch = epoch
        self.ended = False
        self.frames.new_epoch(epoch)
        self._clock.changed(status, now)
        status = self._clock.last
        status_frame = wire.encode(status)
        snapshot = self.frames.snapshot(head)
        caught_up = self._caught_up()
        for sub in list(self._subs.values()):
            if sub.move("new_epoch") is SubscriberState.ENDED:
                continue
            sub.cursor = head + 1
            if sub.views:
                sub.projection = self.frames.projection_at(head).copy()
            self._send(sub, now, status_frame, status)
            self._send(sub, now, snapshot)
            self._send(sub, now, caught_up)
            self._join_live(sub, now)

    def clock_changed(self, status: wire.ReplayStatus, now: float) -> None:
        """The clock changed: tell everyone; an ``ended`` clock ends the replay."""
        self._clock.changed(status, now)
        frame = wire.encode(self._clock.last)
        following = [sub for sub in self._subs.values() if sub.state is not SubscriberState.ENDED]
        clean = tuple(sub.sink for sub in following if sub.faults is None)
        if clean:
            self._out.append(Broadcast(clean, frame))
        for sub in following:
            if sub.faults is not None:
                self._send(sub, now, frame, self._clock.last)
        if status.state == "ended" and not self.ended:
            self.ended = True
            for sub in list(self._subs.values()):
                if sub.live:
                    self._end(sub, now)

    def set_faults(self, text: str, seed: int) -> None:
        """Every later subscription gets this fault spec (canonical text; ``none`` clears it)."""
        self.session_faults = None if text == "none" else (text, seed)

    def close(self, reason: str) -> None:
        """The session is gone: tell every subscriber, and let go of its frames."""
        error = wire.encode(
            wire.error("unknown_session", f"session {self.id!r} {reason}", session=self.id)
        )
        for sub in list(self._subs.values()):
            self._out.append(Deliver(sub.sink, error))
            self._leave(sub, 0.0)
        self.frames.cache.forget(self.id)
        self._fault_states.forget(self.id)

    # -- what clients ask ---------------------------------------------------------------

    def subscribe(self, sink: S, message: wire.Subscribe, client: str, now: float) -> None:
        """Answer a ``subscribe``: state, snapshot, history, then live (replaces ``sink``'s own)."""
        self.unsubscribe(sink, now)
        message, pipe = self._fault_states.subscribe(
            self.id,
            message,
            self.session_faults,
            epoch=self.epoch,
            last_seq=self.last_seq,
            limits=self._limits,
        )
        head = self.head_seq
        start, problem = start_of(message, self.history, session=self.id, epoch=self.epoch)
        sub = Subscriber(sink, client=client, cursor=start, views=message.views)
        sub.faults = pipe
        self._subs[sink] = sub
        if pipe is not None:
            self._faulty[sink] = sub
        self.idle_since = None
        if problem is not None:
            self._send(sub, now, wire.encode(problem), problem)
        subscribed = wire.Subscribed(
            session=self.id, stream=self.stream, epoch=self.epoch, head_seq=head, next_seq=start
        )
        self._send(sub, now, wire.encode(subscribed), subscribed)
        status = self.status(now)
        self._send(sub, now, wire.encode(status), status)
        if message.snapshot or problem is not None:
            self._send(sub, now, self.frames.snapshot(start - 1))
        if message.views:
            sub.projection = self.frames.projection_at(start - 1).copy()
        self._catch_up(sub, now)

    def writable(self, sink: S, now: float) -> None:
        """Everything sent to ``sink`` left its queue: the next history batch, if it waits."""
        sub = self._subs.get(sink)
        if sub is not None and sub.state is SubscriberState.CATCHING_UP:
            self._catch_up(sub, now)

    def unsubscribe(self, sink: S, now: float) -> bool:
        """Forget ``sink``'s subscription (it left, or subscribes again); whether it had one."""
        sub = self._subs.get(sink)
        if sub is None:
            return False
        self._leave(sub, now)
        return True

    def too_slow(self, sink: S, resume_from_seq: int, now: float) -> None:
        """``sink``'s queue overflowed: ``too_slow`` from the first seq it did not get, and go."""
        sub = self._subs.get(sink)
        if sub is None:
            return
        if sub.faults is not None:
            resume_from_seq = min(resume_from_seq, sub.faults.resume_from_seq)
        error = wire.error(
            "too_slow",
            # Its own backlog, a fault pipe's bound or the server-wide budget: one message.
            f"this client fell further behind than the server's limits allow; "
            f"resume from seq {resume_from_seq}",
            session=self.id,
            epoch=self.epoch,
            head_seq=self.head_seq,
            resume_from_seq=resume_from_seq,
        )
        self._out.append(Close(sink, wire.encode(error), 1013, "too slow", at_once=True))
        self._leave(sub, now)

    # -- time ---------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Let out what faults held back until ``now``, and send the heartbeats due."""
        for sub in list(self._faulty.values()):
            deadline = sub.faults.next_deadline() if sub.faults is not None else None
            if deadline is not None and deadline <= now:
                self._pump(sub, now)
        if now >= self._next_beat:
            self._next_beat = now + self._limits.heartbeat_s
            beat = wire.Heartbeat(session=self.id, epoch=self.epoch, head_seq=self.head_seq)
            published, self._published_since_beat = self._published_since_beat, False
            self._out += heartbeats(self._subs.values(), beat, published=published, now=now)

    # -- inside -------------------------------------------------------------------------

    def _catch_up(self, sub: Subscriber[S], now: float) -> None:
        """Send the next history batch; after the last, ``caught_up`` and live."""
        if sub.cursor <= self.head_seq:
            if sub.faults is not None and not sub.faults.settled:
                return  # the pipe asks again once it holds little (see _pump)
            stop, frame = self.history.history_frame(sub.cursor)
            begin = sub.cursor - 1
            sub.cursor = stop + 1
            if sub.faults is None:
                self._deliver(sub, frame, stop)
                if sub.views:
                    self._send_views(sub, self.history.events[begin:stop])
            else:
                events = self.history.events[begin:stop]
                self._feed(sub, events, self.history.envelopes[begin:stop], now)
                if sub.gone:
                    return  # a fault dropped its connection, or it fell too far behind
            if sub.cursor <= self.head_seq:
                self._out.append(AwaitDrain(sub.sink))
                return
        sub.move("caught_up")
        self._send(sub, now, self._caught_up())
        self._join_live(sub, now)

    def _join_live(self, sub: Subscriber[S], now: float) -> None:
        if sub.faults is None:
            self._live[sub.sink] = sub
            self._live_sinks = None
            if sub.views:
                self._views[sub.sink] = sub
        if self.ended:
            self._end(sub, now)

    def _end(self, sub: Subscriber[S], now: float) -> None:
        sub.move("end")
        end = wire.End(session=self.id, epoch=self.epoch, head_seq=self.head_seq)
        self._drop_live(sub)
        if sub.faults is None:
            self._out.append(Close(sub.sink, wire.encode(end), 1000, "replay finished"))
        else:
            sub.faults.message(end, wire.encode(end), close=(1000, "replay finished"))
            self._pump(sub, now)

    def _leave(self, sub: Subscriber[S], now: float) -> None:
        sub.move("leave")
        if sub.faults is not None:
            self._fault_budget.release(sub.faults)
        self._drop_live(sub)
        self._subs.pop(sub.sink, None)
        self._faulty.pop(sub.sink, None)
        if not self._subs:
            self.idle_since = now

    def _drop_live(self, sub: Subscriber[S]) -> None:
        if self._live.pop(sub.sink, None) is not None:
            self._live_sinks = None
        self._views.pop(sub.sink, None)

    def _sinks(self) -> tuple[S, ...]:
        if self._live_sinks is None:
            self._live_sinks = tuple(self._live)
        return self._live_sinks

    def _send(
        self,
        sub: Subscriber[S],
        now: float,
        frame: bytes,
        message: wire.ServerMessage | None = None,
    ) -> None:
        """A protocol message to one subscriber, in its place after what it was sent.

        A fault pipe needs the message itself (to keep it after the events it follows,
        or to move it to a fault epoch): one the caller has not at hand is read back
        from its frame, for such a subscriber only.
        """
        if sub.faults is None:
            self._deliver(sub, frame)
            return
        if message is None:
            message = read_back(frame)
        sub.faults.message(message, frame)
        self._pump(sub, now)  # out now, unless events fed before it still hold it back

    def _deliver(self, sub: Subscriber[S], frame: bytes, last_seq: int = 0) -> None:
        sub.spoke = True
        self._out.append(Deliver(sub.sink, frame, last_seq))

    def _send_views(self, sub: Subscriber[S], events: Sequence[Event]) -> None:
        projection = sub.projection
        if projection is None or not events:
            return
        projection.apply_all(events)
        self._deliver(sub, self.frames.views(projection))

    def _feed(
        self, sub: Subscriber[S], events: list[Event], envelopes: list[bytes], now: float
    ) -> None:
        """Events into a faulty subscriber's pipe (and its views after them), then let out."""
        pipe = sub.faults
        assert pipe is not None
        pipe.feed(events, envelopes, now)
        if sub.views and sub.projection is not None:
            sub.projection.apply_all(events)
            frame = self.frames.views(sub.projection)
            pipe.message(read_back(frame), frame)
        self._pump(sub, now)

    def _pump(self, sub: Subscriber[S], now: float) -> None:
        """Carry out what a faulty subscriber's pipe lets out at ``now``."""
        pipe = sub.faults
        assert pipe is not None
        for output in pipe.pump(now):
            match output:
                case PipedBump(seq=seq):
                    frame = self.frames.snapshot(seq - 1)
                    self._deliver(sub, pipe.rewrite(read_back(frame), frame))
                case PipedDrop():
                    self._out.append(Abort(sub.sink))
                    self._leave(sub, now)
                    return
                case PipedFrame(frame=frame, close=(code, reason)):
                    self._out.append(Close(sub.sink, frame, code, reason))
                case PipedFrame(frame=frame, last_seq=last_seq):
                    self._deliver(sub, frame, last_seq)
        if sub.state is SubscriberState.CATCHING_UP and pipe.settled:
            self._out.append(AwaitDrain(sub.sink))
        self._account(sub, now)

    def _account(self, sub: Subscriber[S], now: float) -> None:
        """Hold a faulty subscriber's pipe to its own bounds, and to the server's budget."""
        pipe = sub.faults
        if pipe is None or sub.gone:
            return
        if pipe.overflowing:
            self.too_slow(sub.sink, pipe.resume_from_seq, now)
            return
        self._fault_budget.hold(
            pipe, pipe.held_bytes, lambda: self.too_slow(sub.sink, pipe.resume_from_seq, now)
        )

    def _pipes(self) -> list[FaultPipe]:
        return [sub.faults for sub in self._faulty.values() if sub.faults is not None]

    def _caught_up(self) -> bytes:
        return wire.encode(wire.CaughtUp(session=self.id, epoch=self.epoch, head_seq=self.head_seq))
