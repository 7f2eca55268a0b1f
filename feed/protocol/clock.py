"""A session's clock as a gateway knows it: what the log last said, run on between events.

The director writes the clock's state (``replay_state``) to the log when it changes
(play, pause, speed, seek, the end); between those changes, published events move
the position. ``SessionClock.status(now)`` gives the ``replay_state`` to send now:
the position of the last event published, and while playing, its race clock run on
at the replay's speed (no further than ``until_race_ms`` when the director's last
word still holds it, else ``max_gap_ms``, the longest gap a replay keeps between
two events), so that a client joining between events is told where the race is,
not where it was.
"""

from __future__ import annotations

import msgspec

from feed import wire
from feed.events import Event

__all__ = ["ClockView"]


class ClockView:
    """The clock of one session, as its log tells it.

    Args:
        session: the session id (every status carries it).
        max_gap_ms: how far the race clock may run on past the last event.
        now: the time it starts at.
    """

    __slots__ = ("_at", "_max_gap_ms", "_status")

    def __init__(self, session: str, *, max_gap_ms: int | None, now: float) -> None:
        self._status = wire.ReplayStatus(
            session=session, epoch=1, state="paused", speed=1.0, position_seq=0, race=None,
            race_ms=0,
        )  # fmt: skip
        self._max_gap_ms = max_gap_ms
        self._at = now  # when the position last moved

    @property
    def last(self) -> wire.ReplayStatus:
        """The status as of the last change (not run on)."""
        return self._status

    def changed(self, status: wire.ReplayStatus, now: float) -> None:
        """The director says the clock now stands as ``status``."""
        self._status = msgspec.structs.replace(status, session=self._status.session)
        self._at = now

    def moved(self, last: Event, now: float) -> None:
        """Events were published, ``last`` the latest of them."""
        # Where the next event will be, the director knew when it wrote the clock; a
        # gateway learns it only when that event comes: from here, the clock is unbounded.
        self._status = msgspec.structs.replace(
            self._status,
            position_seq=last.seq,
            race=last.race,
            race_ms=last.race_ms,
            until_race_ms=None,
        )
        self._at = now

    def status(self, now: float) -> wire.ReplayStatus:
        """The clock as a ``replay_state`` message, its race clock run on to ``now``."""
        status = self._status
        speed = status.speed
        if status.state != "playing" or speed == "instant" or now <= self._at:
            return status
        race_ms = status.race_ms + int((now - self._at) * 1000 * speed)
        if status.until_race_ms is not None:
            race_ms = min(race_ms, max(status.until_race_ms, status.race_ms))
        elif self._max_gap_ms is not None:
            race_ms = min(race_ms, status.race_ms + self._max_gap_ms)
        return msgspec.structs.replace(status, race_ms=race_ms)
