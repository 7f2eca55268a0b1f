"""The live blog's state: the projection, every commentary line, the running clock, the link.

``LiveBlog`` folds events into a ``Projection`` and a ``Narrator`` and keeps every
line the narrator wrote, across snapshots too: a reset keeps the lines up to the
snapshot's seq, and the narrator picks up from there. It draws nothing itself
(``feed.terminal.screen`` does) and computes no time: the texts come from the
views. The only arithmetic is the running clock, ticked between events from the
server's ``replay_state`` (see ``clock_ms``), and the age of the last update.

Times passed in (``now``) are monotonic seconds; nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence

from feed.events import Event
from feed.narrative import NarrativeLine, Narrator
from feed.projections import Projection
from feed.replay import DEFAULT_MAX_GAP_MS
from feed.timing import format_clock
from feed.wire import ReplayStatus

__all__ = ["LiveBlog", "focus_of"]


def focus_of(projection: Projection) -> str | None:
    """The race on screen: the latest one started, else the latest scheduled."""
    races = projection.race_ids()
    for race in reversed(races):
        if projection.state.races[race].status != "start_list":
            return race
    return races[-1] if races else None


class LiveBlog:
    """The state behind the screen: a projection and a narrator, fed one event at a time.

    Attributes:
        connected: ``True``/``False`` once told by ``set_connected``; ``None`` for a
            recorded log, which has no connection to lose.
        notice: an announcement for the reader (a restarted session), or ``None``.
    """

    def __init__(self) -> None:
        self._projection = Projection()
        self._narrator = Narrator()
        self._lines: list[NarrativeLine] = []
        self._epoch: int | None = None
        self._replay: ReplayStatus | None = None
        self._replay_at = 0.0
        self._event_at: float | None = None
        self._updated_at: float | None = None
        self.connected: bool | None = None
        self.notice: str | None = None

    @property
    def projection(self) -> Projection:
        """The projection the screen is drawn from."""
        return self._projection

    @property
    def lines(self) -> Sequence[NarrativeLine]:
        """Every commentary line so far, oldest first."""
        return self._lines

    @property
    def replay(self) -> ReplayStatus | None:
        """The latest ``replay_state`` the blog was told of."""
        return self._replay

    def apply(self, event: Event, now: float | None = None) -> None:
        """Fold one event in; a seq already applied is a duplicate delivery and is ignored.

        Raises:
            SequenceError: the event skips ahead of the next expected seq.
        """
        if event.seq <= self._projection.head_seq:
            return
        self._projection.apply(event)
        self._lines += self._narrator.apply(event, self._projection)
        if now is not None:
            self._event_at = self._updated_at = now

    def reset(
        self, projection: Projection, *, epoch: int | None = None, now: float | None = None
    ) -> None:
        """Start again from ``projection`` (a snapshot), keeping the commentary up to it.

        A snapshot behind what was shown in the same epoch means the session restarted:
        that is announced in ``notice``, never shown as a silent rewind.
        """
        before = self._projection
        behind = projection.head_seq < before.head_seq
        if behind and epoch is not None and epoch == self._epoch:
            was, back = _clock_of(before), _clock_of(projection)
            self.notice = f"Session restarted: back at {back} (was at {was})"
        elif behind:
            self.notice = f"Replay moved back to {_clock_of(projection)}"
        self._epoch = epoch if epoch is not None else self._epoch
        # A copy: the feed goes on folding into its own projection, and the blog must
        # still see those events to narrate them.
        self._projection = projection.copy()
        self._narrator = Narrator.from_projection(self._projection)
        self._lines = [line for line in self._lines if line.seq <= projection.head_seq]
        if now is not None:
            self._event_at = self._updated_at = now

    def follow_epoch(self, epoch: int | None) -> None:
        """The epoch of the feed the events come from (to tell a restart from a seek)."""
        if epoch is not None and self._epoch is None:
            self._epoch = epoch

    def set_replay(self, status: ReplayStatus | None, now: float) -> None:
        """The server's clock as last announced; ignored if it is the one already held."""
        if status is not None and status != self._replay:
            self._replay, self._replay_at = status, now

    def set_connected(self, connected: bool, now: float) -> None:
        """Whether the feed is connected now; a reconnection clears nothing but the flag."""
        if connected and self._updated_at is None:
            self._updated_at = now
        self.connected = connected

    def offline_text(self, now: float | None) -> str | None:
        """``"offline - last update 12 s ago"`` while the connection is lost, else ``None``."""
        if self.connected is not False:
            return None
        if now is None or self._updated_at is None:
            return "offline"
        return f"offline - last update {max(0, int(now - self._updated_at))} s ago"

    def clock_ms(self, race: str, now: float | None) -> int:
        """The race clock to show: ticked from ``replay_state`` while the replay plays.

        The clock runs from the latest of the last event of ``race`` and the latest
        ``replay_state`` at the replay's speed; it never runs past ``until_race_ms``
        (the next event, or the last one once the replay is over), nor, without it,
        past the longest idle gap the server replays after the last event. Paused,
        ended, instant, offline or on another race, it shows the last event's time.
        """
        clock = self._projection.state.races[race].clock_ms
        replay = self._replay
        if (
            now is None
            or replay is None
            or replay.race != race
            or replay.state != "playing"
            or replay.speed == "instant"
            or self.connected is False
        ):
            return clock
        rate = replay.speed  # race ms per wall ms
        ticked = replay.race_ms + (now - self._replay_at) * 1000 * rate
        fresh = self._event_at is None or self._replay_at >= self._event_at
        if self._event_at is not None:
            ticked = max(ticked, clock + (now - self._event_at) * 1000 * rate)
        limit = clock + DEFAULT_MAX_GAP_MS
        if fresh and replay.until_race_ms is not None:
            limit = replay.until_race_ms
        return max(clock, min(int(ticked), limit))


def _clock_of(projection: Projection) -> str:
    race = focus_of(projection)
    if race is None:
        return format_clock(0)
    return projection.race_state(race).clock_text
