"""The replay scheduler, sans-I/O: which events of a stream are due at a given moment.

Time is always an argument (monotonic seconds, ``now``); nothing here reads a clock
or sleeps. A driver asks ``next_deadline()``, waits until then by whatever means it
has, and calls ``due(now)``.

Replay time runs from the first event's ``at``; an idle gap longer than
``max_gap_ms`` between two consecutive events (the days between the races of a
championship, the lead-in before a gun) is compressed to ``max_gap_ms``. While
playing, replay time maps to wall time through an anchor: at monotonic ``anchor_wall``
the replay was at ``anchor_pos``; every deadline is computed from that anchor, so
nothing drifts however many events pass, and an event is never due before its
deadline. Events are held back only by the clock; a ``seek`` forward or a ``step``
releases the events it passes over at once, and a seek backwards starts a new epoch.

State transitions, all in this class:

=========  ================================  ==================================
state      operation                         result
=========  ================================  ==================================
paused     play                              playing, anchored at now
playing    pause                             paused; what was due stays due
any        set_speed                         same state, re-anchored at now
any        seek forward                      skipped events due at once
any        seek backwards                    epoch + 1, position moved back
any        step                              paused, exactly one more event due
ended      seek backwards                    paused or playing, as before
=========  ================================  ==================================
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeAlias

import msgspec

from feed.codec import check_sequence
from feed.events import Event

__all__ = [
    "DEFAULT_MAX_GAP_MS",
    "MAX_SPEED",
    "MIN_SPEED",
    "Replay",
    "ReplayState",
    "Speed",
    "at_ms",
    "check_speed",
    "format_utc",
]

Speed: TypeAlias = float | Literal["instant"]
ReplayState: TypeAlias = Literal["playing", "paused", "ended"]

MIN_SPEED = 0.1
MAX_SPEED = 1000.0
DEFAULT_MAX_GAP_MS = 10_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def at_ms(at: str) -> int:
    """An ISO 8601 timestamp (``2025-09-17T13:20:40.000Z``) as integer ms since 1970."""
    moment = datetime.fromisoformat(at)
    if moment.tzinfo is None:
        raise ValueError(f"expected an ISO 8601 time with a UTC offset, got {at!r}")
    return (moment - _EPOCH) // _MS


def format_utc(moment: datetime) -> str:
    """Write a time as the envelopes do: ISO 8601 UTC to the millisecond, ``Z`` suffix."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def check_speed(speed: Speed) -> Speed:
    """Return ``speed`` if it is ``"instant"`` or within 0.1..1000, else raise ``ValueError``."""
    if speed == "instant":
        return speed
    if isinstance(speed, bool) or not isinstance(speed, int | float):
        raise ValueError(f"speed: expected a number or 'instant', got {speed!r}")
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed: expected {MIN_SPEED}..{MAX_SPEED:g} or 'instant', got {speed!r}")
    return float(speed)


class Replay:
    """A clock over one event file: says which events are due now and when the next one is.

    Args:
        events: the stream, gapless seq from its first event, ordered by ``at``.
        speed: replay seconds per wall second (0.1..1000), or ``"instant"``.
        max_gap_ms: longest idle gap kept between two consecutive events; ``None``
            keeps every gap as it was.
        rebase: stamp each event ``due`` returns with ``emitted_at`` (the wall time
            passed to ``due``); ``at`` is kept as it was.
        epoch: the epoch to start at.

    Raises:
        SequenceError: the stream's seq has a gap, a rewind or a duplicate.
        ValueError: an ``at`` that goes back in time, or a bad speed.
    """

    def __init__(
        self,
        events: Sequence[Event],
        *,
        speed: Speed = 1.0,
        max_gap_ms: int | None = DEFAULT_MAX_GAP_MS,
        rebase: bool = False,
        epoch: int = 1,
    ) -> None:
        if max_gap_ms is not None and max_gap_ms < 0:
            raise ValueError(f"max_gap_ms: expected 0 or more, got {max_gap_ms}")
        self._events = list(events)
        if self._events:
            check_sequence(self._events, first=self._events[0].seq)
        self._at = [at_ms(event.at) for event in self._events]
        self._offsets = _compress(self._at, self._events, max_gap_ms)
        self._speed: Speed = check_speed(speed)
        self._rebase = rebase
        self.epoch = epoch
        self._next = 0  # index of the first event not yet returned by due()
        self._release = 0  # events before this index are due whatever the clock says
        self._release_at = 0.0
        self._playing = False
        self._anchor_wall = 0.0
        self._anchor_pos = 0.0  # replay ms, on the compressed scale

    # -- what the driver reads --------------------------------------------------------

    @property
    def events(self) -> Sequence[Event]:
        """The whole stream, as given."""
        return self._events

    @property
    def speed(self) -> Speed:
        """The current speed."""
        return self._speed

    @property
    def state(self) -> ReplayState:
        """``ended`` once every event has been returned by ``due``, else playing or paused."""
        if self._next >= len(self._events):
            return "ended"
        return "playing" if self._playing else "paused"

    @property
    def playing(self) -> bool:
        """Whether the clock runs (an ended replay may still be playing, waiting for a seek)."""
        return self._playing

    @property
    def position_seq(self) -> int:
        """The seq of the last event ``due`` returned (the first seq minus one before any)."""
        if self._next == 0:
            return self._events[0].seq - 1 if self._events else 0
        return self._events[self._next - 1].seq

    @property
    def first_seq(self) -> int:
        """The seq of the stream's first event."""
        return self._events[0].seq if self._events else 1

    def race_clock(self, now: float) -> tuple[str | None, int]:
        """The race and its clock (ms since its gun) at the replay's position at ``now``."""
        if not self._events:
            return None, 0
        if self._next == 0:
            first = self._events[0]
            return first.race, first.race_ms
        last = self._next - 1
        event = self._events[last]
        ahead = self._pos(now) - self._offsets[last]
        if last + 1 < len(self._offsets):
            ahead = min(ahead, self._offsets[last + 1] - self._offsets[last])
        else:
            ahead = 0.0
        return event.race, event.race_ms + int(max(0.0, ahead))

    def race_clock_limit(self) -> int:
        """The furthest race time ``race_clock`` reaches before the next event is released.

        The last released event's race time plus the (compressed) gap to the next
        event; that event's own time once nothing follows (the clock stops there, it
        does not run on). A client ticking the clock between events stops at this.
        """
        if not self._events:
            return 0
        if self._next == 0:
            return self._events[0].race_ms
        last = self._next - 1
        event = self._events[last]
        if last + 1 < len(self._offsets):
            return event.race_ms + (self._offsets[last + 1] - self._offsets[last])
        return event.race_ms

    def next_deadline(self) -> float | None:
        """When the next event is due (monotonic seconds), or ``None`` if nothing will be.

        A time in the past means "now": something is due already.
        """
        if self._next >= len(self._events):
            return None
        if self._release > self._next:
            return self._release_at
        if not self._playing:
            return None
        if self._speed == "instant":
            return self._anchor_wall
        return self._deadline(self._next)

    def deadline_of(self, seq: int) -> float | None:
        """When event ``seq`` is due under the current clock (``None`` if paused or instant).

        Only meaningful for events not yet delivered; for tests and measurements.
        """
        index = seq - self.first_seq
        if not 0 <= index < len(self._events):
            raise ValueError(f"seq: no event {seq} in this stream")
        if not self._playing or self._speed == "instant":
            return None
        return self._deadline(index)

    def due(self, now: float, *, wall: datetime | None = None) -> list[Event]:
        """The events due at ``now``, in stream order; each is returned once per epoch.

        Args:
            now: monotonic seconds.
            wall: the wall-clock time matching ``now``; required when rebasing.
        """
        end = self._due_end(now)
        if end <= self._next:
            return []
        batch = self._events[self._next : end]
        self._next = end
        self._release = max(self._release, end)
        if self._speed == "instant" and self._playing:
            self._anchor_pos = max(self._anchor_pos, float(self._offsets[end - 1]))
            self._anchor_wall = now
        if self._rebase:
            if wall is None:
                raise ValueError("a rebasing replay needs the wall time in due(now, wall=...)")
            stamp = format_utc(wall)
            batch = [msgspec.structs.replace(event, emitted_at=stamp) for event in batch]
        return batch

    # -- what the driver does ---------------------------------------------------------

    def play(self, now: float) -> None:
        """Start (or keep) the clock running from where it is."""
        if self._playing:
            return
        self._anchor_wall = now
        self._playing = True

    def pause(self, now: float) -> None:
        """Stop the clock; events that were due by ``now`` stay due."""
        if not self._playing:
            return
        self._hold(now)
        self._playing = False

    def set_speed(self, speed: Speed, now: float) -> None:
        """Change the speed from ``now`` on, without moving the position."""
        speed = check_speed(speed)
        if self._playing and self._speed != "instant":
            self._anchor_pos = self._pos(now)
        elif self._speed == "instant" and self._next > 0:
            self._anchor_pos = max(self._anchor_pos, float(self._offsets[self._next - 1]))
        self._anchor_wall = now
        self._speed = speed

    def seek_seq(self, seq: int, now: float) -> None:
        """Put the position just after event ``seq`` (``first_seq - 1``: before the first).

        Forwards, the events passed over become due at once; backwards, a new epoch
        starts and ``seq`` is the last event of it so far.

        Raises:
            ValueError: ``seq`` outside the stream.
        """
        count = seq - self.first_seq + 1
        if not 0 <= count <= len(self._events):
            last = self.first_seq + len(self._events) - 1
            raise ValueError(f"seq: expected {self.first_seq - 1}..{last}, got {seq}")
        pos = float(self._offsets[count - 1]) if count else 0.0
        self._move(count, pos, now)

    def seek_race_ms(self, race_ms: int, now: float, *, race: str | None = None) -> None:
        """Put the position at race clock ``race_ms`` of ``race`` (default: the current race).

        Every event up to that moment counts as passed: forwards they become due at
        once, backwards a new epoch starts.

        Raises:
            ValueError: ``race`` has no event in this stream.
        """
        if not self._events:
            return
        if race is None:
            race = self._events[max(self._next - 1, 0)].race
        gun = next(
            (self._at[i] - e.race_ms for i, e in enumerate(self._events) if e.race == race), None
        )
        if gun is None:
            raise ValueError(f"race: no event of race {race!r} in this stream")
        target = gun + race_ms
        count = bisect.bisect_right(self._at, target)
        if count == 0:
            pos = 0.0
        else:
            pos = float(self._offsets[count - 1] + (target - self._at[count - 1]))
            if count < len(self._offsets):
                pos = min(pos, float(self._offsets[count]))
        self._move(count, pos, now)

    def step(self, now: float) -> None:
        """Pause, and make exactly one more event due now."""
        self.pause(now)
        self._release = max(self._release, self._next)
        if self._release >= len(self._events):
            return
        self._release += 1
        self._release_at = now
        self._anchor_pos = max(self._anchor_pos, float(self._offsets[self._release - 1]))
        self._anchor_wall = now

    # -- inside -----------------------------------------------------------------------

    def _pos(self, now: float) -> float:
        if not self._playing or self._speed == "instant":
            return self._anchor_pos
        return self._anchor_pos + (now - self._anchor_wall) * 1000.0 * self._speed

    def _deadline(self, index: int) -> float:
        assert self._speed != "instant"
        return self._anchor_wall + (self._offsets[index] - self._anchor_pos) / (
            1000.0 * self._speed
        )

    def _due_end(self, now: float) -> int:
        end = max(self._release, self._next)
        if not self._playing:
            return end
        if self._speed == "instant":
            return len(self._events)
        while end < len(self._events) and self._deadline(end) <= now:
            end += 1
        return end

    def _hold(self, now: float) -> None:
        """Freeze the position at ``now``, keeping what was due by then due."""
        end = self._due_end(now)
        if end > self._release:
            self._release = end
            self._release_at = now
        if self._speed == "instant":
            if end > 0:
                self._anchor_pos = max(self._anchor_pos, float(self._offsets[end - 1]))
        else:
            self._anchor_pos = self._pos(now)
        self._anchor_wall = now

    def _move(self, count: int, pos: float, now: float) -> None:
        if count < self._next:
            # What was delivered is no longer a prefix of what will be: a new epoch.
            self.epoch += 1
            self._next = count
        elif count > self._release:
            self._release_at = now
        # Released but not yet delivered events before the new position stay due;
        # those after it are held back again (nobody has seen them).
        self._release = count
        self._anchor_pos = pos
        self._anchor_wall = now


def _compress(at: list[int], events: Sequence[Event], max_gap_ms: int | None) -> list[int]:
    """Replay-time offsets (ms) of each event, with idle gaps cut down to ``max_gap_ms``."""
    offsets: list[int] = []
    for index, moment in enumerate(at):
        if index == 0:
            offsets.append(0)
            continue
        gap = moment - at[index - 1]
        if gap < 0:
            raise ValueError(
                f"event seq {events[index].seq}: at {events[index].at} is before the "
                f"previous event's {events[index - 1].at}; events must be ordered by at"
            )
        if max_gap_ms is not None:
            gap = min(gap, max_gap_ms)
        offsets.append(offsets[-1] + gap)
    return offsets
