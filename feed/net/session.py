"""A session: one replay clock over one log, the events it has published, its subscribers.

The session drives its ``feed.replay.Replay`` from clock timers (no task of its
own): when the next deadline comes, the events due are encoded once, appended to
the published log of the current epoch and fanned out to the live subscribers. A
new subscriber first catches up from the published log, in batches and at its own
pace (one task per catching-up subscriber), then joins the live fan-out.

A seek backwards starts a new epoch: the published log is cut back, and every
subscriber is sent ``replay_state``, a ``snapshot`` at the new position and
``caught_up``, and continues live from there.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import structlog

from feed import codec, wire
from feed.events import Event
from feed.net.clock import Clock, TimerHandle
from feed.net.fanout import Outbox, fan_out
from feed.projections import Projection
from feed.replay import Replay, Speed

__all__ = ["BatchLimits", "Session", "Subscription"]

Spawn = Callable[[Coroutine[Any, Any, None]], object]
Observer = Callable[["Session", Sequence[Event]], None]


@dataclass(frozen=True, kw_only=True)
class BatchLimits:
    """How many events (and bytes of them) go in one batch frame."""

    events: int = 500
    bytes: int = 256 * 2**10


class Subscription:
    """One connection following one session."""

    def __init__(
        self, session: Session, outbox: Outbox, *, client: str, views: bool, cursor: int
    ) -> None:
        self.session = session
        self.outbox = outbox
        self.client = client
        self.views = views
        self.cursor = cursor  # the next seq to send
        self.live = False
        self.projection: Projection | None = None
        self.task: asyncio.Task[None] | None = None

    def send_views(self, events: Sequence[Event]) -> None:
        """Fold ``events`` into this subscriber's projection and send the views after them."""
        projection = self.projection
        if projection is None or not events:
            return
        projection.apply_all(events)
        self.outbox.push(self.session.views_frame(projection))


class Session:
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
        self.id = id
        self._token = token
        self.title = title
        self.scenario = scenario
        self.stream = events[0].stream
        self.private = private
        self.replay = Replay(events, speed=speed, max_gap_ms=max_gap_ms, rebase=rebase)
        self.published: list[bytes] = []  # envelopes delivered in this epoch; index seq - 1
        self.delivered: list[Event] = []
        self.subscriptions: set[Subscription] = set()
        self.ended = False
        self.finished = asyncio.Event()
        self.observers: list[Observer] = []
        self.idle_since: float | None = None  # loop time the last subscriber left (private GC)
        self._clock = clock
        self._spawn = spawn
        self._batch = batch or BatchLimits()
        self._rebase = rebase
        # Live subscribers by outbox: fan_out iterates the keys. Insertion-ordered, O(1) removal.
        self._live: dict[Outbox, Subscription] = {}
        self._views_live: dict[Outbox, Subscription] = {}
        self._timer: TimerHandle | None = None
        self._beat_due = True  # nothing was published since the last heartbeat tick
        self._head: Projection | None = None  # kept at head once a snapshot was asked for
        self._frames: dict[tuple[str, int, int], bytes] = {}  # (kind, epoch, seq) -> frame
        self._log = structlog.get_logger("racefeed.session").bind(session=id, stream=self.stream)

    # -- reading ----------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """The current epoch."""
        return self.replay.epoch

    @property
    def head_seq(self) -> int:
        """The last seq published in this epoch."""
        return len(self.published)

    def check_token(self, token: str) -> bool:
        """Whether ``token`` is this session's control token (compared in constant time)."""
        return hmac.compare_digest(token.encode(), self._token.encode())

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

    def snapshot_frame(self, seq: int) -> bytes:
        """The encoded ``snapshot`` at ``seq`` of this epoch (cached)."""
        key = ("snapshot", self.epoch, seq)
        frame = self._frames.get(key)
        if frame is None:
            snap = self._projection_at(seq).snapshot()
            frame = wire.encode(
                wire.SnapshotMessage(
                    session=self.id,
                    epoch=self.epoch,
                    seq=snap.seq,
                    state=snap.state,
                    race_states=snap.race_states,
                    standings=snap.standings,
                    medal_table=snap.medal_table,
                )
            )
            self._remember(key, frame)
        return frame

    def views_frame(self, projection: Projection) -> bytes:
        """The encoded ``views`` message for ``projection`` (cached by epoch and seq)."""
        key = ("views", self.epoch, projection.head_seq)
        frame = self._frames.get(key)
        if frame is None:
            race_states = [projection.race_state(race) for race in projection.race_ids()]
            frame = wire.encode(
                wire.ViewsMessage(
                    session=self.id,
                    epoch=self.epoch,
                    seq=projection.head_seq,
                    race_states=race_states,
                    standings=projection.all_standings(),
                    medal_table=projection.medal_table(),
                )
            )
            self._remember(key, frame)
        return frame

    # -- the clock --------------------------------------------------------------------

    def start(self, *, paused: bool = False) -> None:
        """Start the clock (or leave it paused) and arm the first deadline."""
        if not paused:
            self.replay.play(self._clock.now())
        self._tick()

    def close(self) -> None:
        """Stop the clock and every catch-up; the server is closing."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for sub in list(self.subscriptions):
            if sub.task is not None:
                sub.task.cancel()

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
            self._new_epoch()
            self._tick()
            return None
        # Deliver first, so that replay_state tells where the clock is after the change.
        ended = self.ended
        self._tick()
        if self.ended == ended:  # on reaching the end, _end has sent it already
            self._broadcast(wire.encode(self.status()))
        return None

    def _tick(self) -> None:
        """Publish whatever is due, then arm the clock for the next deadline."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        now = self._clock.now()
        events = self.replay.due(now, wall=self._clock.wall() if self._rebase else None)
        if events:
            self._publish(events)
        if self.replay.state == "ended" and not self.ended:
            self._end()
        deadline = self.replay.next_deadline()
        if deadline is not None:
            self._timer = self._clock.call_at(deadline, self._tick)

    # -- publishing -------------------------------------------------------------------

    def _publish(self, events: list[Event]) -> None:
        envelopes = [codec.encode(event) for event in events]
        first = len(self.published) + 1
        self.published.extend(envelopes)
        self.delivered.extend(events)
        if self._head is not None:
            self._head.apply_all(events)
        start = 0
        self._beat_due = False  # every live subscriber is being sent something
        for stop, frame in self._frames_of(envelopes):
            fan_out(self._live, frame, first + stop - 1)
            for sub in list(self._views_live.values()):
                sub.send_views(events[start:stop])
            start = stop
        for observer in self.observers:
            observer(self, events)

    def _frames_of(self, envelopes: list[bytes]) -> list[tuple[int, bytes]]:
        """Split envelopes into frames: one object alone, several as batches within the limits."""
        if len(envelopes) == 1:
            return [(1, envelopes[0])]
        frames: list[tuple[int, bytes]] = []
        start = 0
        while start < len(envelopes):
            stop = self._batch_stop(envelopes, start, len(envelopes))
            frames.append((stop, wire.encode_batch(envelopes[start:stop])))
            start = stop
        return frames

    def _batch_stop(self, envelopes: Sequence[bytes], start: int, end: int) -> int:
        size = 0
        stop = start
        while stop < end and stop - start < self._batch.events:
            size += len(envelopes[stop]) + 1
            if size > self._batch.bytes and stop > start:
                break
            stop += 1
        return stop

    def _broadcast(self, frame: bytes) -> None:
        """Send a non-event frame to every subscriber, live or catching up."""
        for sub in list(self.subscriptions):
            sub.outbox.push(frame)

    def _end(self) -> None:
        self.ended = True
        self._broadcast(wire.encode(self.status()))
        end = wire.encode(wire.End(session=self.id, epoch=self.epoch, head_seq=self.head_seq))
        for sub in list(self._live.values()):
            self._drop(sub)
            sub.outbox.finish(end, 1000, "replay finished")
        self.finished.set()
        self._log.info("replay_finished", epoch=self.epoch, seq=self.head_seq)

    def _new_epoch(self) -> None:
        """After a seek backwards: cut the published log and reset every subscriber."""
        head = self.replay.position_seq
        del self.published[head:]
        del self.delivered[head:]
        self.ended = False
        self._head = None
        self._frames.clear()
        status = wire.encode(self.status())
        snapshot = self.snapshot_frame(head)
        caught_up = self._caught_up()
        self._log.info("epoch_started", epoch=self.epoch, seq=head)
        for sub in list(self.subscriptions):
            if sub.task is not None:
                sub.task.cancel()
                sub.task = None
            sub.outbox.push(status)
            sub.outbox.push(snapshot)
            sub.outbox.push(caught_up)
            sub.cursor = head + 1
            if sub.views:
                sub.projection = self._projection_at(head).copy()
            if not sub.live:
                self._go_live(sub)

    # -- subscribers ------------------------------------------------------------------

    def subscribe(self, outbox: Outbox, message: wire.Subscribe, client: str) -> Subscription:
        """Answer a ``subscribe``: ``subscribed``, state, snapshot, history, then live."""
        head = self.head_seq
        start, problem = self._start_of(message, head)
        snapshot = message.snapshot or problem is not None
        if problem is not None:
            outbox.push(wire.encode(problem))
        outbox.push(
            wire.encode(
                wire.Subscribed(
                    session=self.id,
                    stream=self.stream,
                    epoch=self.epoch,
                    head_seq=head,
                    next_seq=start,
                )
            )
        )
        outbox.push(wire.encode(self.status()))
        if snapshot:
            outbox.push(self.snapshot_frame(start - 1))
        sub = Subscription(self, outbox, client=client, views=message.views, cursor=start)
        if message.views:
            sub.projection = self._projection_at(start - 1).copy()
        self.subscriptions.add(sub)
        self.idle_since = None
        if start > head:
            outbox.push(self._caught_up())
            self._go_live(sub)
        else:
            sub.task = asyncio.get_running_loop().create_task(self._catch_up(sub))
        self._log.info("subscribed", client=client, from_seq=start, epoch=self.epoch, head=head)
        return sub

    def unsubscribe(self, sub: Subscription, now: float) -> None:
        """Forget a subscriber (it left, was cut off or subscribed elsewhere)."""
        if sub not in self.subscriptions:
            return
        self.subscriptions.discard(sub)
        self._drop(sub)
        if sub.task is not None and sub.task is not asyncio.current_task():
            sub.task.cancel()
        sub.task = None
        if not self.subscriptions:
            self.idle_since = now

    def _start_of(self, message: wire.Subscribe, head: int) -> tuple[int, wire.ErrorMessage | None]:
        """The first seq to send, and the error to send first when the resume cannot be met."""
        if message.epoch is not None and message.epoch != self.epoch:
            return head + 1, wire.error(
                "stale_epoch",
                f"epoch {message.epoch} is over; the session is in epoch {self.epoch}: "
                f"a snapshot at seq {head} follows",
                session=self.id,
                epoch=self.epoch,
                head_seq=head,
            )
        if message.from_seq is not None:
            if not 1 <= message.from_seq <= head + 1:
                return head + 1, wire.error(
                    "unreachable_seq",
                    f"from_seq {message.from_seq} is outside 1..{head + 1} (head + 1); "
                    f"a snapshot at seq {head} follows",
                    field="$.from_seq",
                    session=self.id,
                    epoch=self.epoch,
                    head_seq=head,
                )
            return message.from_seq, None
        if message.from_race_ms is not None:
            for event in self.delivered:
                if event.race_ms >= message.from_race_ms:
                    return event.seq, None
            return head + 1, None
        if message.live:
            return head + 1, None
        return 1, None

    async def _catch_up(self, sub: Subscription) -> None:
        """Send the published log from ``sub.cursor`` in batches, then join the live fan-out."""
        outbox = sub.outbox
        while sub.cursor <= self.head_seq:
            begin = sub.cursor - 1
            stop = self._batch_stop(self.published, begin, self.head_seq)
            frame = wire.encode_batch(self.published[begin:stop])
            if not outbox.push(frame, stop):
                return
            sub.cursor = stop + 1
            if sub.views:
                sub.send_views(self.delivered[begin:stop])
            await outbox.flush()
            if outbox.closed:
                return
        # No await between the last check and joining: nothing published is missed.
        sub.task = None
        outbox.push(self._caught_up())
        self._go_live(sub)

    def _go_live(self, sub: Subscription) -> None:
        sub.live = True
        self._live[sub.outbox] = sub
        if sub.views:
            self._views_live[sub.outbox] = sub
        if self.ended:
            end = wire.End(session=self.id, epoch=self.epoch, head_seq=self.head_seq)
            self._drop(sub)
            sub.outbox.finish(wire.encode(end), 1000, "replay finished")

    def _drop(self, sub: Subscription) -> None:
        if sub.live:
            sub.live = False
            self._live.pop(sub.outbox, None)
            self._views_live.pop(sub.outbox, None)

    def _caught_up(self) -> bytes:
        return wire.encode(wire.CaughtUp(session=self.id, epoch=self.epoch, head_seq=self.head_seq))

    def heartbeat(self) -> None:
        """Send ``heartbeat`` to each live subscriber that was sent nothing since the last one."""
        if not self._beat_due:
            self._beat_due = True  # published since the last tick: nobody live was idle
            return
        frame: bytes | None = None
        for outbox in self._live:
            if outbox.active:
                outbox.active = False
                continue
            if frame is None:
                frame = wire.encode(
                    wire.Heartbeat(session=self.id, epoch=self.epoch, head_seq=self.head_seq)
                )
            outbox.push(frame)
            outbox.active = False

    # -- projections ------------------------------------------------------------------

    def _projection_at(self, seq: int) -> Projection:
        """The projection as of ``seq`` of this epoch (the head one is kept up to date)."""
        if seq == self.head_seq:
            if self._head is None:
                self._head = Projection()
                self._head.apply_all(self.delivered)
            return self._head
        projection = Projection()
        projection.apply_all(self.delivered[:seq])
        return projection

    def _remember(self, key: tuple[str, int, int], frame: bytes) -> None:
        if len(self._frames) >= 256:
            self._frames.pop(next(iter(self._frames)))
        self._frames[key] = frame
