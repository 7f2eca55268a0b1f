"""Snapshot and views frames of a session, built from the projection and cached server-wide.

A ``snapshot`` or ``views`` message at a given (epoch, seq) is the same for every
subscriber, so it is encoded once and kept in a ``FrameCache`` that all sessions
share, bounded in bytes (least recently used first out): memory stays bounded
whatever the number of sessions. The narrator's lines (``feed.narrative``) are a
pure function of the events before them, so one ``Narration`` per session serves
every views subscriber, whatever seq each of them is at.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from feed import wire
from feed.commentary import commentary_window
from feed.events import Event
from feed.narrative import NarrativeLine, Narrator
from feed.projections import Projection
from feed.protocol.history import History

__all__ = ["FrameCache", "Narration", "SessionFrames", "snapshot_message", "views_message"]


class FrameCache:
    """Encoded frames by key, bounded in bytes over every session that shares it.

    Args:
        max_bytes: the most bytes of frames kept.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._frames: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._bytes = 0

    @property
    def size(self) -> int:
        """Bytes of frames held."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._frames)

    def get(self, key: tuple[object, ...]) -> bytes | None:
        """The frame kept under ``key``, if any (now the most recently used)."""
        frame = self._frames.get(key)
        if frame is not None:
            self._frames.move_to_end(key)
        return frame

    def put(self, key: tuple[object, ...], frame: bytes) -> None:
        """Keep ``frame`` under ``key``, forgetting the least recently used past the bound."""
        old = self._frames.pop(key, None)
        if old is not None:
            self._bytes -= len(old)
        if len(frame) > self.max_bytes:
            return
        self._frames[key] = frame
        self._bytes += len(frame)
        while self._bytes > self.max_bytes:
            _, dropped = self._frames.popitem(last=False)
            self._bytes -= len(dropped)

    def forget(self, owner: object) -> None:
        """Drop every frame whose key starts with ``owner`` (a session that went)."""
        for key in [key for key in self._frames if key[0] == owner]:
            self._bytes -= len(self._frames.pop(key))


class Narration:
    """The narrator's lines along one epoch's events, folded only as far as asked."""

    def __init__(self) -> None:
        self._projection = Projection()
        self._narrator = Narrator()

    def lines_to(self, events: Sequence[Event], seq: int) -> list[NarrativeLine]:
        """The lines up to ``seq`` a client is sent (``feed.commentary``), oldest first."""
        while self._projection.head_seq < seq:
            event = events[self._projection.head_seq]
            self._projection.apply(event)
            self._narrator.apply(event, self._projection)
        return commentary_window(self._narrator.lines, seq)


class SessionFrames:
    """The snapshot and views frames of one session, at any seq of its current epoch.

    Args:
        session: the session id (the frames' owner in ``cache``).
        history: the session's published events.
        cache: the server-wide frame cache.
    """

    def __init__(self, session: str, history: History, cache: FrameCache) -> None:
        self.session = session
        self.history = history
        self.cache = cache
        self.epoch = 1
        self._head: Projection | None = None  # kept at head once a frame asked for it
        self._narration: Narration | None = None

    def new_epoch(self, epoch: int) -> None:
        """The history was cut back for ``epoch``: what was folded no longer holds."""
        self.epoch = epoch
        self._head = None
        self._narration = None

    def published(self, events: Sequence[Event]) -> None:
        """Events were appended to the history."""
        if self._head is not None:
            self._head.apply_all(events)

    def snapshot(self, seq: int) -> bytes:
        """The encoded ``snapshot`` as of ``seq``."""
        key = (self.session, "snapshot", self.epoch, seq)
        frame = self.cache.get(key)
        if frame is None:
            message = snapshot_message(self.session, self.epoch, self.projection_at(seq))
            frame = wire.encode(message)
            self.cache.put(key, frame)
        return frame

    def views(self, projection: Projection) -> bytes:
        """The encoded ``views`` of ``projection`` (a subscriber's own, at its last seq)."""
        key = (self.session, "views", self.epoch, projection.head_seq)
        frame = self.cache.get(key)
        if frame is None:
            if self._narration is None:
                self._narration = Narration()
            lines = self._narration.lines_to(self.history.events, projection.head_seq)
            frame = wire.encode(views_message(self.session, self.epoch, projection, lines))
            self.cache.put(key, frame)
        return frame

    def projection_at(self, seq: int) -> Projection:
        """The projection as of ``seq`` (the one at head is kept up to date; copy to keep)."""
        if seq == self.history.head_seq:
            if self._head is None:
                self._head = Projection()
                self._head.apply_all(self.history.events)
            return self._head
        projection = Projection()
        projection.apply_all(self.history.events[:seq])
        return projection


def snapshot_message(session: str, epoch: int, projection: Projection) -> wire.SnapshotMessage:
    """The ``snapshot`` of ``projection`` as a message of ``session`` in ``epoch``."""
    snap = projection.snapshot()
    return wire.SnapshotMessage(
        session=session,
        epoch=epoch,
        seq=snap.seq,
        state=snap.state,
        race_states=snap.race_states,
        standings=snap.standings,
        medal_table=snap.medal_table,
    )


def views_message(
    session: str, epoch: int, projection: Projection, commentary: list[NarrativeLine]
) -> wire.ViewsMessage:
    """The ``views`` of ``projection`` as a message of ``session`` in ``epoch``."""
    return wire.ViewsMessage(
        session=session,
        epoch=epoch,
        seq=projection.head_seq,
        race_states=[projection.race_state(race) for race in projection.race_ids()],
        standings=projection.all_standings(),
        medal_table=projection.medal_table(),
        commentary=commentary,
    )
