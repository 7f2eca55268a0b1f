"""A session: one replay clock driving one hub (published log, subscribers, fan-out).

The session drives its ``feed.replay.Replay`` from clock timers (no task of its
own): when the next deadline comes, the events due are handed to the hub
(``feed.net.hub.Hub``), which encodes them once, appends them to the published log
of the current epoch and fans them out to the live subscribers.

A seek backwards starts a new epoch: the hub cuts the published log back, and
every subscriber is sent ``replay_state``, a ``snapshot`` at the new position and
``caught_up``, and continues live from there.
"""

from __future__ import annotations

from collections.abc import Sequence

from feed import codec, wire
from feed.events import Event
from feed.net.clock import Clock, TimerHandle
from feed.net.hub import BatchLimits, Hub, Observer, Spawn, Subscription
from feed.replay import Replay, ReplayState, Speed

__all__ = ["BatchLimits", "Observer", "Session", "Subscription"]


class Session(Hub):
    """One replay and everyone following it.

    Args:
        id: the session id clients subscribe to.
        token: the control token (never logged, never sent to subscribers).
        events: the log, seq 1, 2, 3 ...
        title: the scenario's title; scenario: its id.
        clock: the time source.
        spawn: starts a background task the server keeps track of.
        private: created over the socket (expires when unused).
    """

    def __init__(
        self,
        *,
        id: str,
        token: str,
        events: Sequence[Event],
        title: str,
        scenario: str,
        clock: Clock,
        spawn: Spawn,
        speed: Speed = 1.0,
        max_gap_ms: int | None = 10_000,
        rebase: bool = False,
        private: bool = False,
        batch: BatchLimits | None = None,
    ) -> None:
        if not events:
            raise ValueError(f"session {id!r}: the scenario {scenario!r} has no events")
        codec.check_sequence(events)
        super().__init__(
            id=id,
            stream=events[0].stream,
            title=title,
            scenario=scenario,
            spawn=spawn,
            token=token,
            private=private,
            batch=batch,
        )
        self.replay = Replay(events, speed=speed, max_gap_ms=max_gap_ms, rebase=rebase)
        self._clock = clock
        self._rebase = rebase
        self._timer: TimerHandle | None = None

    # -- reading ----------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """The current epoch."""
        return self.replay.epoch

    def status(self) -> wire.ReplayStatus:
        """The clock as a ``replay_state`` message."""
        race, race_ms = self.replay.race_clock(self._clock.now())
        return wire.ReplayStatus(
            session=self.id,
            epoch=self.epoch,
            state=self.replay.state,
            speed=self.replay.speed,
            position_seq=self.replay.position_seq,
            race=race,
            race_ms=race_ms,
        )

    # -- the clock --------------------------------------------------------------------

    def start(self, *, paused: bool = False) -> None:
        """Start the clock (or leave it paused) and arm the first deadline."""
        if not paused:
            self.replay.play(self._clock.now())
        if self.journal is not None:
            self.journal.clock_changed(self)
        self._tick()

    def resume(
        self,
        *,
        epoch: int,
        events: Sequence[Event],
        envelopes: Sequence[bytes],
        state: ReplayState,
    ) -> None:
        """Take up where a log says this session was, instead of ``start``.

        The replay moves to just after the last of ``events`` (published already, in
        ``epoch``, and not published again) and plays on, or stays paused or ended.

        Raises:
            ValueError: ``events`` are not the start of this session's scenario.
        """
        head = len(events)
        scenario = self.replay.events
        if head > len(scenario) or [e.seq for e in events] != list(range(1, head + 1)):
            raise ValueError(
                f"session {self.id!r}: the log holds {head} events that are not the first "
                f"{head} of scenario {self.scenario!r} ({len(scenario)} events)"
            )
        now = self._clock.now()
        self.replay.epoch = epoch
        self.replay.seek_seq(head, now)
        self.replay.due(now, wall=self._clock.wall() if self._rebase else None)
        self.published.extend(envelopes)
        self.delivered.extend(events)
        if self.replay.state == "ended":
            self.ended = True
            self.finished.set()
            return
        self.start(paused=state != "playing")

    def close(self) -> None:
        """Stop the clock and every catch-up; the server is closing."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().close()

    def control(self, message: wire.Control) -> wire.ErrorMessage | None:
        """Apply one authorised control message; an ``error`` if its arguments are wrong."""
        replay = self.replay
        now = self._clock.now()
        epoch = replay.epoch
        try:
            match message.action:
                case "play":
                    replay.play(now)
                case "pause":
                    replay.pause(now)
                case "speed":
                    assert message.speed is not None  # checked by wire.parse_client
                    replay.set_speed(message.speed, now)
                case "step":
                    replay.step(now)
                case "seek" if message.seq is not None:
                    replay.seek_seq(message.seq, now)
                case "seek":
                    assert message.race_ms is not None
                    replay.seek_race_ms(message.race_ms, now, race=message.race)
        except ValueError as exc:
            text = str(exc)
            path = "$.race" if text.startswith("race:") else "$.seq"
            return wire.error("bad_message", f"{path}: {text}", field=path, session=self.id)
        self._log.info(
            "control_applied", action=message.action, epoch=replay.epoch, seq=replay.position_seq
        )
        if replay.epoch != epoch:
            self.start_epoch(replay.position_seq)
            self._tick()
            return None
        # Deliver first, so that replay_state tells where the clock is after the change.
        ended = self.ended
        self._tick()
        if self.ended == ended:  # on reaching the end, end() has sent it already
            self.clock_changed()
        return None

    def _tick(self) -> None:
        """Publish whatever is due, then arm the clock for the next deadline."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = self._clock.now()
        events = self.replay.due(now, wall=self._clock.wall() if self._rebase else None)
        if events:
            self.publish(events)
        if self.replay.state == "ended" and not self.ended:
            self.end()
        deadline = self.replay.next_deadline()
        if deadline is not None:
            self._timer = self._clock.call_at(deadline, self._tick)
