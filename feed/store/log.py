"""The log interface: what a session's clock writes and what every reader follows.

Three implementations keep to it, and the same contract tests run against each
(``tests/store/test_log_contract.py``):

- ``feed.store.memory.MemoryLog``: in memory, the embedded default;
- ``feed.store.jsonl.JsonlLog``: a JSONL file, one record a line, reopened where it left off;
- ``feed.store.jetstream.JetStreamLog``: a NATS JetStream stream shared by a director
  and any number of gateways.

The contract:

- ``append`` never blocks: it queues a record, which is stored after every record
  appended before it (per session; a log may interleave sessions). A record whose
  ``id`` was stored already is not stored again.
- ``flush`` returns once everything appended so far is stored (and as durable as the
  implementation's policy says).
- Every stored record has a ``position``: positions increase in the order records
  are stored. They are the log's own: 1, 2, 3 ... in memory and in a file (the line
  number), the JetStream stream sequence in JetStream, so within one session they
  may skip numbers.
- ``read`` and ``follow`` return stored records after a position, of one session
  or of all, in position order; ``follow`` then waits for more and yields each new
  batch as it is stored, until the log is closed.
- ``head`` is the position of the last record stored: a reader that has read that
  far has seen everything appended before it asked.
- ``forget`` lets a closed session's records go (its ``opened`` and ``closed``
  records may stay, so that a reader knows it is over).
- ``on_lost`` is how a writer learns that stored records are gone (the storage was
  made anew under it), so that it can write its sessions again; a reader sees it as
  a new ``incarnation`` (or ``head`` falling below the position it had read to).
- An event record appended in the same process may carry its decoded ``event``
  along: a log that hands entries to readers in the same process (in memory) passes
  it on in ``Entry.event``, so the reader need not decode the envelope again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol

from feed.events import Event
from feed.store.records import LogRecord

__all__ = ["Entry", "EventLog"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored record and its position in the log (and its event, decoded, when known)."""

    position: int
    record: LogRecord
    event: Event | None = None


class EventLog(Protocol):
    """A log of session records (see the module docstring for the contract)."""

    def append(self, record: LogRecord, *, event: Event | None = None) -> None:
        """Queue ``record`` (an event record's decoded ``event`` may come along) to be stored."""

    async def flush(self) -> None:
        """Wait until every record appended so far is stored."""

    async def read(self, session: str | None = None, *, after: int = 0) -> list[Entry]:
        """The stored records of ``session`` (``None``: of every session) after ``after``."""

    def follow(self, session: str | None = None, *, after: int = 0) -> AsyncIterator[list[Entry]]:
        """The stored records after ``after``, then each new batch as it is stored."""

    async def head(self) -> int:
        """The position of the last record stored (0: none)."""

    async def incarnation(self) -> str:
        """Names the storage the log is in now: it changes when the storage was made anew."""

    async def forget(self, session: str) -> None:
        """Let a closed session's records go (they may stay in part)."""

    def on_lost(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` if the storage is found to have lost what was stored (a NATS
        server restarted on an empty store); a log that cannot lose records never does."""

    async def close(self) -> None:
        """Store what was appended (as far as possible) and let go of the storage."""
