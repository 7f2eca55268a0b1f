"""Shared pieces of the log tests: record builders and a backend that opens logs."""

from __future__ import annotations

from pathlib import Path

import msgspec

from feed import wire
from feed.store import ClockChanged, EpochStarted, EventLog, EventPublished, SessionOpened
from feed.store.jetstream import JetStreamLog
from feed.store.jsonl import JsonlLog
from feed.store.memory import MemoryLog


def opened(session: str = "main", *, events: int = 10) -> SessionOpened:
    """An ``opened`` record."""
    return SessionOpened(
        id=f"{session}:opened",
        session=session,
        scenario="test-race",
        title="Test race",
        stream="test-race",
        events=events,
    )


def envelope(seq: int, *, tag: str = "") -> bytes:
    """A small event envelope (the log stores it byte for byte; no one decodes it here)."""
    return msgspec.json.encode({"type": "commentary", "seq": seq, "stream": "s", "tag": tag})


def event(session: str = "main", seq: int = 1, *, epoch: int = 1, tag: str = "") -> EventPublished:
    """An ``event`` record."""
    return EventPublished(
        session=session, epoch=epoch, seq=seq, envelope=msgspec.Raw(envelope(seq, tag=tag))
    )


def status(
    session: str = "main", *, epoch: int = 1, state: str = "playing", position: int = 0
) -> wire.ReplayStatus:
    """A ``replay_state`` message."""
    return wire.ReplayStatus(
        session=session,
        epoch=epoch,
        state=state,  # type: ignore[arg-type]
        speed=1.0,
        position_seq=position,
        race=None,
        race_ms=0,
    )


def clock(
    session: str = "main", *, epoch: int = 1, state: str = "playing", n: int = 1
) -> ClockChanged:
    """A ``clock`` record."""
    return ClockChanged(
        id=f"{session}:clock:{epoch}:{n}",
        session=session,
        status=status(session, epoch=epoch, state=state),
    )


def new_epoch(session: str = "main", *, epoch: int, head: int) -> EpochStarted:
    """An ``epoch`` record."""
    return EpochStarted(
        id=f"{session}:epoch:{epoch}",
        session=session,
        epoch=epoch,
        head_seq=head,
        status=status(session, epoch=epoch, state="paused", position=head),
    )


class Backend:
    """Opens logs of one implementation over the same storage, and closes them all."""

    def __init__(
        self,
        kind: str,
        *,
        path: Path | None = None,
        url: str = "",
        stream: str = "",
        prefix: str = "",
    ) -> None:
        self.kind = kind
        self.path = path
        self.url = url
        self.stream = stream
        self.prefix = prefix
        self.durable = kind != "memory"
        self._memory: MemoryLog | None = None
        self._opened: list[EventLog] = []

    async def open(self) -> EventLog:
        """A log over this backend's storage (the same one each time, for memory)."""
        log: EventLog
        if self.kind == "memory":
            if self._memory is None:
                self._memory = MemoryLog()
            log = self._memory
        elif self.kind == "jsonl":
            assert self.path is not None
            log = JsonlLog(self.path)
        else:
            log = await JetStreamLog.open(
                self.url, wait_s=5, stream=self.stream, prefix=self.prefix, storage="file"
            )
        self._opened.append(log)
        return log

    async def close(self) -> None:
        """Close every log opened."""
        for log in self._opened:
            await log.close()
