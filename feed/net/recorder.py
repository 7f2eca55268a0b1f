"""Between a session and a log: write what its clock does, read back where it was.

``Recorder`` is a hub's journal (``feed.net.hub.Journal``): each published event,
each new epoch and each clock change becomes a record appended to the log, in the
order they happened. ``read_timeline`` folds a whole log into each session's
current state, from which a restarted director takes its sessions up again.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import msgspec

from feed.events import Event
from feed.net.hub import Hub
from feed.store import ClockChanged, EpochStarted, EventLog, EventPublished, Timeline

__all__ = ["Recorder", "new_record_id", "read_timeline"]


class Recorder:
    """Appends a hub's changes to ``log`` as records."""

    def __init__(self, log: EventLog) -> None:
        self.log = log

    def published(self, hub: Hub, events: Sequence[Event], envelopes: Sequence[bytes]) -> None:
        """One ``event`` record per event, with the envelope exactly as subscribers got it."""
        epoch = hub.epoch
        for event, envelope in zip(events, envelopes, strict=True):
            self.log.append(
                EventPublished(
                    session=hub.id, epoch=epoch, seq=event.seq, envelope=msgspec.Raw(envelope)
                )
            )

    def epoch_started(self, hub: Hub, head_seq: int) -> None:
        """An ``epoch`` record, with the clock as it stands."""
        self.log.append(
            EpochStarted(
                id=new_record_id(hub.id, "epoch"),
                session=hub.id,
                epoch=hub.epoch,
                head_seq=head_seq,
                status=hub.status(),
            )
        )

    def clock_changed(self, hub: Hub) -> None:
        """A ``clock`` record."""
        self.log.append(
            ClockChanged(id=new_record_id(hub.id, "clock"), session=hub.id, status=hub.status())
        )


async def read_timeline(log: EventLog) -> tuple[Timeline, int]:
    """Every session of ``log`` folded, and the position of the last record read."""
    timeline = Timeline()
    position = 0
    for entry in await log.read():
        timeline.apply(entry.record)
        position = entry.position
    return timeline, position


def new_record_id(session: str, kind: str) -> str:
    """A unique id for a new record (a retried append reuses the record, so the id with it)."""
    return f"{session}:{kind}:{secrets.token_hex(8)}"
