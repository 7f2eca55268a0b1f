"""The fold of a log: records in, each session's current epoch and clock out.

A reader of a shared log (a gateway, a restarting director) sees every record a
session ever had, superseded epochs included, and may see one twice. ``Timeline``
turns that into what holds now: per session, the current epoch, its events in seq
order without a gap, and the last clock status. ``apply`` returns the records that
took effect, in the order a reader should act on them; the rest changed nothing:

- an event of the current epoch at ``head + 1`` takes effect (and releases any
  later ones that came early); at or below ``head`` it is a duplicate; further
  on it waits for the ones before it;
- an event, epoch or clock record of an older epoch is stale;
- an ``epoch`` record for a later epoch cuts the log back to its ``head_seq``;
- an ``opened`` record for a session already open (or closed) changes nothing;
- a ``faults`` or ``token`` record always takes effect (it holds from then on);
- a ``closed`` record ends the session: it is forgotten, and its later records
  are ignored;
- records of a session that was never opened are ignored (its ``opened`` record
  comes first in any log that was not trimmed).

Events are counted, not kept: a reader that serves them (a gateway) keeps them
itself, and one that takes a session up again (a restarting director) needs only
where it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from feed import wire
from feed.store.records import (
    ClockChanged,
    EpochStarted,
    EventPublished,
    FaultsChanged,
    LogRecord,
    SessionClosed,
    SessionOpened,
    TokenIssued,
)

__all__ = ["KnownSession", "Timeline"]


@dataclass(kw_only=True)
class KnownSession:
    """One session as its log tells it now.

    Attributes:
        opened: the record that opened it.
        epoch: the current epoch.
        head_seq: the last seq of the current epoch without a gap before it.
        status: the last clock status (``None`` before the first).
        faults: the last fault spec set for the whole session, if any.
        tokens: the SHA-256 of every control token good for it.
        early: events of the current epoch that came before the ones ahead of them.
    """

    opened: SessionOpened
    epoch: int = 1
    head_seq: int = 0
    status: wire.ReplayStatus | None = None
    faults: FaultsChanged | None = None
    tokens: list[str] = field(default_factory=list)
    early: dict[int, bytes] = field(default_factory=dict)

    @property
    def ended(self) -> bool:
        """Whether the last clock status says the replay is over."""
        return self.status is not None and self.status.state == "ended"


class Timeline:
    """Every session of a log, folded one record at a time."""

    def __init__(self) -> None:
        self.sessions: dict[str, KnownSession] = {}
        self.closed: set[str] = set()

    def apply_all(self, records: list[LogRecord]) -> list[LogRecord]:
        """Fold several records; the ones that took effect, in order."""
        effective: list[LogRecord] = []
        for record in records:
            effective.extend(self.apply(record))
        return effective

    def apply(self, record: LogRecord) -> list[LogRecord]:
        """Fold one record; the records that took effect because of it, in order."""
        if isinstance(record, SessionOpened):
            if record.session in self.sessions or record.session in self.closed:
                return []
            known = KnownSession(opened=record)
            if record.token_sha256:
                known.tokens.append(record.token_sha256)
            self.sessions[record.session] = known
            return [record]
        log = self.sessions.get(record.session)
        if log is None:
            return []
        match record:
            case EventPublished():
                return self._event(log, record)
            case EpochStarted():
                if record.epoch <= log.epoch:
                    return []
                log.epoch = record.epoch
                log.head_seq = min(log.head_seq, record.head_seq)
                log.early.clear()
                log.status = record.status
                return [record]
            case ClockChanged():
                if record.status.epoch != log.epoch:
                    return []
                log.status = record.status
                return [record]
            case FaultsChanged():
                log.faults = record
                return [record]
            case TokenIssued():
                log.tokens.append(record.token_sha256)
                return [record]
            case SessionClosed():
                del self.sessions[record.session]
                self.closed.add(record.session)
                return [record]
        return []

    def _event(self, log: KnownSession, record: EventPublished) -> list[LogRecord]:
        if record.epoch != log.epoch or record.seq <= log.head_seq:
            return []
        if record.seq > log.head_seq + 1:
            log.early[record.seq] = bytes(record.envelope)
            return []
        log.head_seq += 1
        effective: list[LogRecord] = [record]
        while log.head_seq + 1 in log.early:
            seq = log.head_seq + 1
            envelope = log.early.pop(seq)
            log.head_seq += 1
            effective.append(
                EventPublished(
                    session=record.session,
                    epoch=record.epoch,
                    seq=seq,
                    envelope=msgspec.Raw(envelope),
                )
            )
        return effective
