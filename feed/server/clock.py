"""The one place that reads the real clock, and a virtual clock for tests.

A clock gives ``now()`` (monotonic seconds), ``wall()`` (UTC, for rebased
timestamps) and ``call_at(when, callback)``. Sessions ask their replay for the next
deadline and arm the clock for it; they never sleep on their own.

``RealClock`` arms a loop timer slightly before the deadline and then yields to the
loop until the deadline has passed: epoll sleeps in whole milliseconds, and an event
must never leave before its time, nor much after it.

``VirtualClock`` moves only when a test says so (``advance``, ``jump``), or, with
``autojump``, jumps to the next deadline whenever the loop has had ``autojump_every``
real seconds without another timer firing (trio's ``MockClock`` idea, on asyncio).
A timer armed as ``background`` (heartbeats, expiry: what recurs for ever) never
makes an autojumping clock jump by itself, or time would race ahead while a test
waits on a socket; it fires when time gets there for other reasons.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "RealClock", "TimerHandle", "VirtualClock"]


class TimerHandle(Protocol):
    """What ``call_at`` returns: something that can be cancelled."""

    def cancel(self) -> None:
        """Stop the callback from running, if it has not run yet."""


class Clock(Protocol):
    """The time source of a session's replay."""

    def now(self) -> float:
        """Monotonic seconds."""

    def wall(self) -> datetime:
        """The wall-clock time matching ``now()``, in UTC."""

    def call_at(
        self, when: float, callback: Callable[[], None], *, background: bool = False
    ) -> TimerHandle:
        """Run ``callback`` once ``now() >= when`` (never before).

        ``background``: a timer that recurs for ever (a heartbeat), not work to be done.
        """


class RealClock:
    """The system's monotonic clock, with deadlines met to well under a millisecond.

    ``time.monotonic()`` is read directly rather than ``loop.time()``: uvloop's loop
    time is cached per iteration and counts whole milliseconds.

    Args:
        spin: seconds before a deadline at which to stop sleeping and poll the loop
            instead; the loop's own timers are only as fine as the selector's
            millisecond timeout.
    """

    def __init__(self, *, spin: float = 0.0015) -> None:
        self._spin = spin

    def now(self) -> float:
        """Monotonic seconds (``CLOCK_MONOTONIC``, the same in every process)."""
        return time.monotonic()

    def wall(self) -> datetime:
        """The system's UTC time."""
        return datetime.now(UTC)

    def call_at(
        self, when: float, callback: Callable[[], None], *, background: bool = False
    ) -> TimerHandle:
        """Sleep until shortly before ``when``, then poll the loop until it has come."""
        loop = asyncio.get_running_loop()
        handle = _RealHandle()

        def poll() -> None:
            if handle.cancelled:
                return
            if time.monotonic() >= when:
                handle.cancelled = True
                callback()
            else:
                handle.inner = loop.call_soon(poll)

        sleep = when - self._spin - time.monotonic()
        handle.inner = loop.call_later(sleep, poll) if sleep > 0 else loop.call_soon(poll)
        return handle


class _RealHandle:
    def __init__(self) -> None:
        self.cancelled = False
        self.inner: asyncio.Handle | None = None

    def cancel(self) -> None:
        self.cancelled = True
        if self.inner is not None:
            self.inner.cancel()


class _VirtualHandle:
    def __init__(self, when: float, callback: Callable[[], None], background: bool) -> None:
        self.when = when
        self.callback = callback
        self.background = background
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """A clock that moves only when told to, for fast deterministic tests.

    Args:
        start: the monotonic time it starts at.
        wall_start: the wall time matching ``start``.
        autojump: jump to the next deadline whenever ``autojump_every`` real
            seconds pass without one firing.
        autojump_every: the real-time pause before an automatic jump.
    """

    def __init__(
        self,
        start: float = 1000.0,
        *,
        wall_start: datetime = datetime(2030, 1, 1, tzinfo=UTC),
        autojump: bool = False,
        autojump_every: float = 0.0005,
    ) -> None:
        self._now = start
        self._start = start
        self._wall_start = wall_start
        self._timers: list[tuple[float, int, _VirtualHandle]] = []
        self._counter = itertools.count()
        self._autojump = autojump
        self._autojump_every = autojump_every
        self._jumper: asyncio.TimerHandle | None = None

    def now(self) -> float:
        """The virtual time."""
        return self._now

    def wall(self) -> datetime:
        """``wall_start`` plus the virtual time that has passed."""
        return self._wall_start + timedelta(seconds=self._now - self._start)

    def call_at(
        self, when: float, callback: Callable[[], None], *, background: bool = False
    ) -> TimerHandle:
        """Run ``callback`` when virtual time reaches ``when`` (soon, if it has)."""
        handle = _VirtualHandle(when, callback, background)
        heapq.heappush(self._timers, (when, next(self._counter), handle))
        if when <= self._now:
            asyncio.get_running_loop().call_soon(self._fire)
        self._arm_jumper()
        return handle

    def advance(self, seconds: float) -> None:
        """Move time forward and run every callback that has come due, in time order."""
        if seconds < 0:
            raise ValueError(f"seconds: expected 0 or more, got {seconds}")
        self._fire(self._now + seconds)

    def next_deadline(self) -> float | None:
        """The earliest pending timer, if any."""
        self._drop_cancelled()
        return self._timers[0][0] if self._timers else None

    def jump(self) -> bool:
        """Jump to the next pending timer of work and run it (and the background timers due by
        then); ``False`` if only background timers, or none, are pending."""
        work = self._next_work()
        if work is None:
            return False
        self._fire(work)
        return True

    def _next_work(self) -> float | None:
        """The earliest pending timer that is not a background one."""
        work = (
            when for when, _, handle in self._timers if not (handle.cancelled or handle.background)
        )
        return min(work, default=None)

    def _fire(self, until: float | None = None) -> None:
        """Run every timer due by ``until`` (default: now), time stepping to each in turn."""
        target = self._now if until is None else max(self._now, until)
        while self._timers and self._timers[0][0] <= target:
            when, _, handle = heapq.heappop(self._timers)
            if not handle.cancelled:
                handle.cancelled = True
                self._now = max(self._now, when)
                handle.callback()
        self._now = target

    def _drop_cancelled(self) -> None:
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)

    def _arm_jumper(self) -> None:
        if not self._autojump or self._jumper is not None:
            return
        loop = asyncio.get_running_loop()
        self._jumper = loop.call_at(loop.time() + self._autojump_every, self._autojump_tick)

    def _autojump_tick(self) -> None:
        self._jumper = None
        if self.jump() and self._next_work() is not None:
            self._arm_jumper()
