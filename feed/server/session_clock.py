"""A session's replay clock: the director role drives it, and it writes what it does to the log.

``SessionClock`` arms the clock for its ``feed.replay.Replay``'s next deadline (no
task of its own); when it comes, the events due are encoded once and appended to
the log as ``event`` records, in seq order, with the decoded event handed along
for readers in the same process. Every change of the clock is a ``clock`` record
(the ``replay_state`` subscribers are sent), a seek backwards an ``epoch`` record,
and reaching the end a ``clock`` record whose state is ``ended``. Gateways read
those records and serve them (``feed.server.gateway``).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import structlog

from feed import codec, wire
from feed.events import Event
from feed.replay import Replay, ReplayState, Speed
from feed.server.clock import Clock, TimerHandle
from feed.server.session_records import new_record_id
from feed.store import (
    ClockChanged,
    EpochStarted,
    EventLog,
    EventPublished,
    LogRecord,
    SessionOpened,
)

__all__ = ["SessionClock"]

_logger = structlog.get_logger("racefeed.director")


class SessionClock:
    """One session's replay, publishing to ``log`` as its clock says.

    Args:
        opened: the session's ``opened`` record (its id, scenario and settings).
        events: the scenario's events, seq 1, 2, 3 ...
        clock: the time source.
        log: where what it publishes goes.
        speed: the speed it starts at.
    """

    def __init__(
        self,
        opened: SessionOpened,
        events: Sequence[Event],
        *,
        clock: Clock,
        log: EventLog,
        speed: Speed,
    ) -> None:
        self.opened = opened
        self.id = opened.session
        self.replay = Replay(
            events, speed=speed, max_gap_ms=opened.max_gap_ms, rebase=opened.rebase
        )
        self.last_used = clock.now()  # creation, control, or a gateway's report of a follower
        self._clock = clock
        self._log = log
        self._timer: TimerHandle | None = None
        self._ended = False  # the end was written

    @property
    def private(self) -> bool:
        """Created by a client (it expires when unused), not named at start."""
        return self.opened.private

    @property
    def epoch(self) -> int:
        """The current epoch."""
        return self.replay.epoch

    @property
    def position_seq(self) -> int:
        """The last seq published in this epoch."""
        return self.replay.position_seq

    @property
    def ended(self) -> bool:
        """Whether every event was published (until a seek backwards)."""
        return self._ended

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
            until_race_ms=self.replay.race_clock_limit(),
        )

    # -- driving ------------------------------------------------------------------------

    def start(self, *, paused: bool = False) -> None:
        """Start the clock (or leave it paused) and arm the first deadline."""
        if not paused:
            self.replay.play(self._clock.now())
        self._clock_changed()
        self._tick()

    def resume(self, *, epoch: int, head: int, state: ReplayState) -> None:
        """Take up where the log says this session was: ``head`` events of ``epoch`` out.

        Raises:
            ValueError: the log holds more events than the scenario has.
        """
        if head > len(self.replay.events):
            raise ValueError(
                f"session {self.id!r}: the log holds {head} events; the scenario "
                f"{self.opened.scenario!r} has {len(self.replay.events)}"
            )
        now = self._clock.now()
        self.replay.epoch = epoch
        self.replay.seek_seq(head, now)
        self.replay.due(now, wall=self._clock.wall() if self.opened.rebase else None)
        if self.replay.state == "ended":
            self._ended = True
            return
        if state == "playing":
            self.replay.play(now)
        self._clock_changed()
        self._tick()

    def control(self, message: wire.Control) -> wire.ErrorMessage | None:
        """Apply one authorised control message; an ``error`` if its arguments are wrong."""
        replay = self.replay
        now = self._clock.now()
        epoch = replay.epoch
        self.last_used = now
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
                case "faults":
                    raise AssertionError("faults are the director's, not the clock's")
        except ValueError as exc:
            text = str(exc)
            path = "$.race" if text.startswith("race:") else "$.seq"
            return wire.error("bad_message", f"{path}: {text}", field=path, session=self.id)
        if replay.epoch != epoch:
            self._ended = False
            self._log.append(
                EpochStarted(
                    id=new_record_id(self.id, "epoch"),
                    session=self.id,
                    epoch=replay.epoch,
                    head_seq=replay.position_seq,
                    status=self.status(),
                )
            )
            self._tick()
            return None
        ended = self._ended
        self._tick()  # deliver first, so that the status says where the clock is after
        if self._ended == ended:  # on reaching the end, the end's status is written already
            self._clock_changed()
        return None

    def rewrite(self, preamble: Sequence[LogRecord]) -> None:
        """The log lost this session's records: write it again, in a new epoch from seq 1.

        ``preamble`` (its ``opened``, ``token`` and ``faults`` records) goes first; then
        an ``epoch`` record that starts from nothing, every event published so far
        again in that epoch, and the clock. A reader that starts on the new log gets the
        whole session; one that had the old log is told by the new epoch.
        """
        for record in preamble:
            self._log.append(record)
        self.replay.epoch += 1
        head = self.replay.position_seq
        self._log.append(
            EpochStarted(
                id=new_record_id(self.id, "epoch"),
                session=self.id,
                epoch=self.replay.epoch,
                head_seq=0,
                status=self.status(),
            )
        )
        self._publish(self.replay.events[: max(0, head - self.replay.first_seq + 1)])
        self._clock_changed()
        _logger.warning("session_rewritten", session=self.id, epoch=self.replay.epoch, seq=head)

    def close(self) -> None:
        """Stop the clock."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # -- inside -------------------------------------------------------------------------

    def _tick(self) -> None:
        """Publish whatever is due, then arm the clock for the next deadline."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = self._clock.now()
        events = self.replay.due(now, wall=self._clock.wall() if self.opened.rebase else None)
        self._publish(events)
        if self.replay.state == "ended" and not self._ended:
            self._ended = True
            self._clock_changed()
            _logger.info(
                "replay_finished",
                session=self.id,
                stream=self.opened.stream,
                epoch=self.replay.epoch,
                seq=self.replay.position_seq,
            )
        deadline = self.replay.next_deadline()
        if deadline is not None:
            self._timer = self._clock.call_at(deadline, self._tick)

    def _publish(self, events: Sequence[Event]) -> None:
        """Each event encoded once, as a record of the current epoch (the event handed along)."""
        epoch = self.replay.epoch
        for event in events:
            record = EventPublished(
                session=self.id,
                epoch=epoch,
                seq=event.seq,
                envelope=msgspec.Raw(codec.encode(event)),
            )
            self._log.append(record, event=event)

    def _clock_changed(self) -> None:
        self._log.append(
            ClockChanged(id=new_record_id(self.id, "clock"), session=self.id, status=self.status())
        )
