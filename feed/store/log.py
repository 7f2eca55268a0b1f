"""The log interface: what a session's clock writes and what every reader follows.

Three implementations keep to it, and the same contract tests run against each
(``tests/store/test_log_contract.py``):

- ``feed.net.memlog.MemoryLog``: in memory, the embedded default;
- ``feed.net.jsonlog.JsonlLog``: a JSONL file, one record a line, reopened where it left off;
- ``feed.net.natslog.JetStreamLog``: a NATS JetStream stream shared by a director
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
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from feed.store.records import LogRecord

__all__ = ["Entry", "EventLog"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored record and its position in the log."""

    position: int
    record: LogRecord


class EventLog(Protocol):
    """A log of session records (see the module docstring for the contract)."""

    def append(self, record: LogRecord) -> None:
        """Queue ``record`` to be stored after everything appended before it."""

    async def flush(self) -> None:
        """Wait until every record appended so far is stored."""

    async def read(self, session: str | None = None, *, after: int = 0) -> list[Entry]:
        """The stored records of ``session`` (``None``: of every session) after ``after``."""

    def follow(self, session: str | None = None, *, after: int = 0) -> AsyncIterator[list[Entry]]:
        """The stored records after ``after``, then each new batch as it is stored."""

    async def close(self) -> None:
        """Store what was appended (as far as possible) and let go of the storage."""
