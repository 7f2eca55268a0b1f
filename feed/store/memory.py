"""The session log in memory: the embedded default, and the base of the JSONL file log.

Positions are 1, 2, 3 ... in the order records were stored, over every session.
Appending stores at once (``flush`` has nothing to wait for); a record whose id was
stored before is dropped. Followers are woken by an event that is replaced on each
append, so a follower never misses a record that came between two of its waits.
An event record appended with its decoded event hands it on to followers in
``Entry.event``: the embedded server's gateway never decodes what its director
encoded. ``forget`` drops a closed session's records, all but ``opened`` and
``closed``, so memory holds what lives, not everything that ever did.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import AsyncIterator, Callable

from feed.events import Event
from feed.store.log import Entry
from feed.store.records import LogRecord, SessionClosed, SessionOpened, record_id

__all__ = ["MemoryLog"]


class MemoryLog:
    """Every record in a list, indexed by session; see ``feed.store.log`` for the contract."""

    def __init__(self) -> None:
        self._entries: list[Entry] = []
        self._by_session: dict[str, list[Entry]] = {}
        self._ids: dict[str, set[str]] = {}  # by session, so that forgetting one is cheap
        self._last = 0
        self._stored = asyncio.Event()
        self.closed = False

    def __len__(self) -> int:
        return len(self._entries)

    def append(self, record: LogRecord, *, event: Event | None = None) -> None:
        """Store ``record`` now, unless its id was stored already."""
        if self.closed:
            raise RuntimeError("append to a closed log")
        self._store(record, event)

    async def flush(self) -> None:
        """Nothing to wait for: an appended record is stored."""

    async def head(self) -> int:
        """The position of the last record stored."""
        return self._last

    async def incarnation(self) -> str:
        """One storage for the log's life: always the same."""
        return "memory"

    async def read(self, session: str | None = None, *, after: int = 0) -> list[Entry]:
        """The stored records of ``session`` (``None``: every session) after position ``after``."""
        return self._after(session, after)

    async def follow(
        self, session: str | None = None, *, after: int = 0
    ) -> AsyncIterator[list[Entry]]:
        """Stored records after ``after``, then each new batch, until the log is closed."""
        while True:
            stored = self._stored  # taken before looking, so no append can slip between
            batch = self._after(session, after)
            if batch:
                after = batch[-1].position
                yield batch
                continue
            if self.closed:
                return
            await stored.wait()

    async def forget(self, session: str) -> None:
        """Drop ``session``'s records but its ``opened`` and ``closed`` ones."""
        kept = [
            entry
            for entry in self._by_session.get(session, [])
            if isinstance(entry.record, SessionOpened | SessionClosed)
        ]
        if not kept and session not in self._by_session:
            return
        self._by_session[session] = kept
        self._ids.pop(session, None)
        self._entries = [
            entry for entry in self._entries if entry.record.session != session or entry in kept
        ]

    def on_lost(self, callback: Callable[[], None]) -> None:
        """Memory never loses what it stored while it lives: ``callback`` is never called."""

    async def close(self) -> None:
        """Stop the followers (they end after what is stored)."""
        self.closed = True
        self._wake()

    def _store(self, record: LogRecord, event: Event | None = None) -> Entry | None:
        """Keep ``record`` with the next position; ``None`` if its id is stored already."""
        key = record_id(record)
        ids = self._ids.setdefault(record.session, set())
        if key in ids:
            return None
        ids.add(key)
        self._last += 1
        entry = Entry(position=self._last, record=record, event=event)
        self._entries.append(entry)
        self._by_session.setdefault(record.session, []).append(entry)
        self._wake()
        return entry

    def _wake(self) -> None:
        stored, self._stored = self._stored, asyncio.Event()
        stored.set()

    def _after(self, session: str | None, after: int) -> list[Entry]:
        entries = self._entries if session is None else self._by_session.get(session, [])
        start = bisect.bisect_right(entries, after, key=_position)
        return entries[start:]


def _position(entry: Entry) -> int:
    return entry.position
