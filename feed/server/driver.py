"""Carries a session protocol's outputs out to the sockets, and keeps its timer armed.

The session protocol (``feed.protocol.session``) decides what goes to whom; this is
its I/O side in the gateway role: after every input it takes the protocol's
outputs and hands them to the connections' outboxes (``Broadcast`` through
``fan_out``, framed once for every socket), then arms one timer for the protocol's
next deadline. Heartbeat-only deadlines are armed as background timers, so that a
virtual clock in a test does not race ahead on them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from feed.protocol import Abort, AwaitDrain, Broadcast, Close, Deliver, SessionProtocol
from feed.server.clock import Clock, TimerHandle
from feed.server.outbox import Outbox, fan_out
from feed.store import SessionOpened

__all__ = ["SessionDriver"]


class SessionDriver:
    """One session of the gateway role: its protocol, what opened it, and its timer.

    Args:
        protocol: the session protocol, its subscribers reached through outboxes.
        opened: the session's ``opened`` record (title, scenario, aliases ...).
        clock: the time source.
    """

    def __init__(
        self, protocol: SessionProtocol[Outbox], opened: SessionOpened, clock: Clock
    ) -> None:
        self.protocol = protocol
        self.opened = opened
        self.ended = asyncio.Event()  # set once the replay ended (and cleared by a seek back)
        self._clock = clock
        self._timer: TimerHandle | None = None
        self._armed: tuple[float, bool] | None = None

    @property
    def id(self) -> str:
        """The session id."""
        return self.protocol.id

    def now(self) -> float:
        """The clock's time, as every protocol input takes it."""
        return self._clock.now()

    def run(self) -> None:
        """Carry out what the protocol asks, then arm the timer for its next deadline."""
        protocol = self.protocol
        while outputs := protocol.data_to_send():
            for output in outputs:
                match output:
                    case Broadcast(sinks=sinks, frame=frame, last_seq=last_seq):
                        fan_out(sinks, frame, last_seq)
                    case Deliver(sink=sink, frame=frame, last_seq=last_seq):
                        sink.push(frame, last_seq)
                    case Close(sink=sink, frame=frame, code=code, reason=reason, at_once=True):
                        sink.abort(frame, code, reason)
                    case Close(sink=sink, frame=frame, code=code, reason=reason):
                        sink.finish(frame, code, reason)
                    case Abort(sink=sink):
                        sink.drop()
                    case AwaitDrain(sink=sink):
                        sink.when_drained(self._drained(sink))
        if protocol.ended:
            self.ended.set()
        else:
            self.ended.clear()
        self._arm()

    def too_slow(self, sink: Outbox, resume_from_seq: int) -> None:
        """``sink`` overflowed: the protocol says ``too_slow`` and lets it go."""
        self.protocol.too_slow(sink, resume_from_seq, self.now())
        self.run()

    def stop(self) -> None:
        """Stop the timer (the server is closing, or the session went)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._armed = None

    def _drained(self, sink: Outbox) -> Callable[[], None]:
        def drained() -> None:
            self.protocol.writable(sink, self.now())
            self.run()

        return drained

    def _arm(self) -> None:
        deadline = self.protocol.next_deadline()
        wanted = None if deadline is None else (deadline, not self.protocol.busy)
        if wanted == self._armed:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._armed = wanted
        if wanted is not None:
            when, background = wanted
            self._timer = self._clock.call_at(when, self._tick, background=background)

    def _tick(self) -> None:
        self._timer = None
        self._armed = None
        self.protocol.tick(self.now())
        self.run()
