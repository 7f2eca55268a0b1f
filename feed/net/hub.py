"""A hub: one session's published log, its subscribers, their catch-up, views and heartbeats.

The hub does not know where events come from. A driver feeds it: the local replay
clock (``feed.net.session.Session``) or a gateway's mirror of a shared log
(``feed.net.gateway.RemoteSession``). The driver calls ``publish`` with the events
due, ``start_epoch`` after a seek backwards, ``clock_changed`` when the clock changed
and ``end`` when the replay is over; the hub encodes each event once, appends it
to the published log of the current epoch and fans it out to the live
subscribers. A new subscriber first catches up from the published log, in batches
bound by bytes (not by events: history goes in as few frames as it can) and at its
own pace: the first batch at once, the rest, if any, in a task per catching-up
subscriber. Then it joins the live fan-out.

A new epoch cuts the published log back, and every subscriber is sent
``replay_state``, a ``snapshot`` at the new position and ``caught_up``, and
continues live from there. A ``journal``, when set, is told each of these
changes in the order they happened (the director writes them to a shared log).
"""

from __future__ import annotations

import array
import asyncio
import bisect
import hmac
import itertools
import operator
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import structlog

from feed import codec, wire
from feed.events import Event
from feed.narrative import NarrativeLine, Narrator
from feed.net.fanout import Outbox, fan_out
from feed.projections import Projection

__all__ = ["BatchLimits", "Hub", "Journal", "Observer", "Spawn", "Subscription"]

Spawn = Callable[[Coroutine[Any, Any, None]], object]
Observer = Callable[["Hub", Sequence[Event]], None]


class Journal(Protocol):
    """Told of every change of a hub, in order (``feed.net.recorder`` writes them to a log)."""

    def published(self, hub: Hub, events: Sequence[Event], envelopes: Sequence[bytes]) -> None:
        """Events went out, the first at ``hub.head_seq - len(events) + 1``."""

    def epoch_started(self, hub: Hub, head_seq: int) -> None:
        """``hub.epoch`` started with the first ``head_seq`` events of the epoch before."""

    def clock_changed(self, hub: Hub) -> None:
        """The clock changed; ``hub.status()`` says how it stands now."""


@dataclass(frozen=True, kw_only=True)
class BatchLimits:
    """How many events (and bytes of them) go in one batch frame.

    Attributes:
        events: events in one live batch (several events due at once).
        bytes: bytes of envelopes in one live batch.
        history_bytes: the size of one catch-up batch frame, however many events that
            is (an envelope larger than this goes alone): history is sent in as few
            frames as this allows.
    """

    events: int = 500
    bytes: int = 256 * 2**10
    history_bytes: int = 256 * 2**10


class Subscription:
    """One connection following one session."""

    __slots__ = ("client", "cursor", "live", "outbox", "projection", "session", "task", "views")

    def __init__(
        self, session: Hub, outbox: Outbox, *, client: str, views: bool, cursor: int
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


class Hub:
    """One session's published log and everyone following it.

    Args:
        id: the session id clients subscribe to.
        stream: the stream id of its events.
        title: the scenario's title; scenario: its id.
        spawn: starts a background task the server keeps track of.
        token: the control token (never logged, never sent to subscribers); ``None``:
            this hub cannot be controlled here.
        private: created over the socket (expires when unused).
        batch: how many events go in one frame.
    """

    def __init__(
        self,
        *,
        id: str,
        stream: str,
        title: str,
        scenario: str,
        spawn: Spawn,
        token: str | None = None,
        private: bool = False,
        batch: BatchLimits | None = None,
    ) -> None:
        self.id = id
        self._token = token
        self.title = title
        self.scenario = scenario
        self.stream = stream
        self.private = private
        self.published: list[bytes] = []  # envelopes delivered in this epoch; index seq - 1
        self.delivered: list[Event] = []
        self.subscriptions: set[Subscription] = set()
        self.ended = False
        self.finished = asyncio.Event()
        self.observers: list[Observer] = []
        self.journal: Journal | None = None
        self.idle_since: float | None = None  # loop time the last subscriber left (private GC)
        self._spawn = spawn
        self._batch = batch or BatchLimits()
        # Live subscribers by outbox: fan_out iterates the keys. Insertion-ordered, O(1) removal.
        self._live: dict[Outbox, Subscription] = {}
        self._views_live: dict[Outbox, Subscription] = {}
        self._beat_due = True  # nothing was published since the last heartbeat tick
        self._head: Projection | None = None  # kept at head once a snapshot was asked for
        self._narration: _Narration | None = None  # built once a views subscriber needs it
        self._frames: dict[tuple[str, int, int], bytes] = {}  # (kind, epoch, seq) -> frame
        # Bytes of published[:i], each envelope counted with its comma; extended lazily by
        # the first catch-up that needs it, so batches are cut by bisection, not event by event.
        self._offsets = array.array("q", [0])
        self._log = structlog.get_logger("racefeed.session").bind(session=id, stream=stream)

    # -- what the driver tells ----------------------------------------------------------

    @property
    def epoch(self) -> int:
        """The current epoch."""
        raise NotImplementedError

    def status(self) -> wire.ReplayStatus:
        """The clock as a ``replay_state`` message."""
        raise NotImplementedError

    def control(self, message: wire.Control) -> wire.ErrorMessage | None:
        """Apply one authorised control message; an ``error`` if it cannot be applied."""
        return wire.error(
            "unauthorized", f"session {self.id!r} is not controlled here", session=self.id
        )

    def close(self) -> None:
        """Stop every catch-up; the server is closing."""
        for sub in list(self.subscriptions):
            if sub.task is not None:
                sub.task.cancel()

    # -- reading ----------------------------------------------------------------------

    @property
    def head_seq(self) -> int:
        """The last seq published in this epoch."""
        return len(self.published)

    def check_token(self, token: str) -> bool:
        """Whether ``token`` is this session's control token (compared in constant time)."""
        if self._token is None:
            return False
        return hmac.compare_digest(token.encode(), self._token.encode())

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
                    commentary=self._commentary_to(projection.head_seq),
                )
            )
            self._remember(key, frame)
        return frame

    def _commentary_to(self, seq: int) -> list[NarrativeLine]:
        if self._narration is None:
            self._narration = _Narration()
        return self._narration.lines_to(self.delivered, seq)

    # -- publishing -------------------------------------------------------------------

    def publish(self, events: Sequence[Event], envelopes: Sequence[bytes] | None = None) -> None:
        """Append events to this epoch's log and send them to every live subscriber.

        Args:
            events: the next events, from ``head_seq + 1`` on.
            envelopes: their encoded envelopes, when the driver has them already.
        """
        if envelopes is None:
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
        if self.journal is not None:
            self.journal.published(self, events, envelopes)
        for observer in self.observers:
            observer(self, events)

    def clock_changed(self) -> None:
        """Send the clock's new ``replay_state`` to every subscriber, and tell the journal."""
        self._broadcast(wire.encode(self.status()))
        if self.journal is not None:
            self.journal.clock_changed(self)

    def end(self) -> None:
        """The replay is over: ``replay_state``, then ``end`` to each live subscriber, who goes."""
        self.ended = True
        self.clock_changed()
        end = wire.encode(wire.End(session=self.id, epoch=self.epoch, head_seq=self.head_seq))
        for sub in list(self._live.values()):
            self._drop(sub)
            sub.outbox.finish(end, 1000, "replay finished")
        self.finished.set()
        self._log.info("replay_finished", epoch=self.epoch, seq=self.head_seq)

    def start_epoch(self, head: int) -> None:
        """``self.epoch`` has just begun at ``head``: cut the published log, reset subscribers."""
        del self.published[head:]
        del self.delivered[head:]
        del self._offsets[head + 1 :]
        self.ended = False
        self._head = None
        self._narration = None
        self._frames.clear()
        status = wire.encode(self.status())
        snapshot = self.snapshot_frame(head)
        caught_up = self._caught_up()
        self._log.info("epoch_started", epoch=self.epoch, seq=head)
        if self.journal is not None:
            self.journal.epoch_started(self, head)
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

    def _frames_of(self, envelopes: Sequence[bytes]) -> list[tuple[int, bytes]]:
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
        elif self._push_history(sub):
            # The first batch went now: a short history (most are one frame) needs no task.
            if sub.cursor > self.head_seq:
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
        """Send the rest of the published log as the client reads it, then join the live fan-out."""
        outbox = sub.outbox
        while sub.cursor <= self.head_seq:
            await outbox.flush()
            if outbox.closed or not self._push_history(sub):
                return
        # No await between the last check and joining: nothing published is missed.
        sub.task = None
        outbox.push(self._caught_up())
        self._go_live(sub)

    def _push_history(self, sub: Subscription) -> bool:
        """Send the catch-up batch from ``sub.cursor``; ``False`` if the client is cut off.

        A catch-up batch is bound by ``history_bytes`` only, and is joined from the
        stored envelopes in one copy: no event is encoded or looked at one by one.
        """
        begin = sub.cursor - 1
        stop = self._history_stop(begin)
        if not sub.outbox.push(wire.encode_batch(self.published[begin:stop]), stop):
            return False
        sub.cursor = stop + 1
        if sub.views:
            sub.send_views(self.delivered[begin:stop])
        return True

    def _history_stop(self, begin: int) -> int:
        """Where the catch-up batch from ``published[begin]`` ends (one event at least)."""
        offsets = self._offsets
        head = len(self.published)
        known = len(offsets) - 1
        if known < head:
            sizes = map(operator.add, map(len, self.published[known:]), itertools.repeat(1))
            offsets.extend(
                itertools.islice(itertools.accumulate(sizes, initial=offsets[-1]), 1, None)
            )
        # A frame of envelopes [begin, stop) is their bytes, a comma each but the last, and [].
        bound = offsets[begin] + self._batch.history_bytes - 1
        stop = bisect.bisect_right(offsets, bound, begin + 1, head + 1) - 1
        return max(stop, begin + 1)

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


class _Narration:
    """The narrator's lines along one epoch's log, folded only as far as views have asked.

    Lines are a pure function of the events before them, so one narrator serves
    every views subscriber of the session, whatever seq each of them is at.
    """

    LINES = 30

    def __init__(self) -> None:
        self._projection = Projection()
        self._narrator = Narrator()

    def lines_to(self, delivered: Sequence[Event], seq: int) -> list[NarrativeLine]:
        """The latest lines up to ``seq``, oldest first."""
        while self._projection.head_seq < seq:
            event = delivered[self._projection.head_seq]
            self._projection.apply(event)
            self._narrator.apply(event, self._projection)
        lines = self._narrator.lines
        stop = bisect.bisect_right(lines, seq, key=lambda line: line.seq)
        return list(lines[max(0, stop - self.LINES) : stop])
