"""The session log in a JSONL file: one record a line, appended, reopened where it left off.

Durability. Every record is handed to the operating system (one ``write``) before
``append`` returns, so a process that is killed, even with SIGKILL, loses nothing.
What a machine crash or a power cut may lose depends on ``sync``, the fsync policy:

=============  ===========================================================
``sync``       what a machine crash may lose
=============  ===========================================================
``interval``   (default) the records of the last ``interval_s`` seconds:
               the file is fsynced at most that long after a write, and by
               ``flush()`` and ``close()``, in a worker thread
``always``     nothing: fsync after every record, before ``append``
               returns (each append waits for the disk, on the event loop)
``never``      whatever the operating system had not written back yet
=============  ===========================================================

Recovery. Opening an existing file reads every record back; positions are record
numbers (position N is the N-th record, the N-th line of a file this log wrote),
so appending goes on at the next one. A last line cut short by a crash, with no
newline at its end, is cut off the file; any other line that is not a record
raises ``ScenarioError`` with its line number, and a hole in a session's events (a
line lost from the middle) raises ``ScenarioInvalid`` naming each one: the file is
refused rather than served short. A file that holds closed sessions
is compacted on opening: their records, but ``opened`` and ``closed``, are left out
of a new file that replaces the old one at once (written aside, then renamed).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Literal, TypeAlias

import msgspec
import structlog

from feed.errors import ScenarioError, ScenarioInvalid
from feed.events import Event
from feed.store.continuity import gaps
from feed.store.memory import MemoryLog
from feed.store.records import (
    LogRecord,
    SessionClosed,
    SessionOpened,
    decode_record,
    encode_record,
)

__all__ = ["JsonlLog", "SyncPolicy"]

SyncPolicy: TypeAlias = Literal["interval", "always", "never"]


class JsonlLog(MemoryLog):
    """A ``MemoryLog`` kept in a JSONL file as well (see the module docstring).

    Args:
        path: the file; created if missing, recovered if present.
        sync: the fsync policy.
        interval_s: how long a written record may wait for an fsync under ``interval``.

    Raises:
        ScenarioError: a line other than a cut-off last one is not a log record.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sync: SyncPolicy = "interval",
        interval_s: float = 1.0,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.sync: SyncPolicy = sync
        self.interval_s = interval_s
        self.recovered = self._recover()
        self._file = self.path.open("ab")
        self._dirty = False
        self._timer: asyncio.TimerHandle | None = None
        self._syncing: asyncio.Task[None] | None = None
        self._logger = structlog.get_logger("racefeed.log").bind(path=str(self.path))

    def append(self, record: LogRecord, *, event: Event | None = None) -> None:
        """Store ``record`` and write it to the file, unless its id was stored already."""
        if self.closed:
            raise RuntimeError(f"append to a closed log ({self.path})")
        if self._store(record, event) is None:
            return
        self._file.write(encode_record(record) + b"\n")
        self._file.flush()
        if self.sync == "always":
            os.fsync(self._file.fileno())
        elif self.sync == "interval":
            self._dirty = True
            self._arm()

    async def flush(self) -> None:
        """Return once everything appended is on disk (fsynced, unless ``sync`` is ``never``)."""
        if self.sync == "never" or self.closed:
            return
        if self._syncing is not None:
            await asyncio.shield(self._syncing)
        if self._dirty:
            self._dirty = False
            await asyncio.to_thread(os.fsync, self._file.fileno())

    async def close(self) -> None:
        """Fsync what was written, close the file, and stop the followers."""
        if self.closed:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.flush()
        self._file.close()
        await super().close()

    def _arm(self) -> None:
        """Fsync within ``interval_s`` of this write (one timer for many writes)."""
        if self._timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # used without a loop: nobody will come back for it
            os.fsync(self._file.fileno())
            self._dirty = False
            return
        self._timer = loop.call_later(self.interval_s, self._sync_now)

    def _sync_now(self) -> None:
        self._timer = None
        if self._dirty and self._syncing is None and not self.closed:
            self._dirty = False
            self._syncing = asyncio.get_running_loop().create_task(self._sync())

    async def _sync(self) -> None:
        try:
            await asyncio.to_thread(os.fsync, self._file.fileno())
        except (OSError, ValueError) as exc:  # closed under us, or the disk failed
            self._logger.warning("log_fsync_failed", error=str(exc))
        finally:
            self._syncing = None

    def _recover(self) -> int:
        """Read the file back into memory; how many records it held."""
        if self.path.exists() and not self.path.is_file():
            raise ScenarioError(str(self.path), "expected a regular file for the log")
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return 0
        complete = data.rfind(b"\n") + 1
        if complete < len(data):
            # A write cut short by a crash: the record never was, so it goes.
            with self.path.open("r+b") as file:
                file.truncate(complete)
        records: list[LogRecord] = []
        lines: list[int] = []
        for number, line in enumerate(data[:complete].split(b"\n")[:-1], start=1):
            if not line.strip():
                continue
            try:
                records.append(decode_record(line))
            except msgspec.DecodeError as exc:
                raise ScenarioError(
                    str(self.path), f"expected a log record (one JSON object), {exc}", line=number
                ) from None
            lines.append(number)
        holes = gaps(records)
        if holes:
            # Serving past a hole would be a silent loss: refuse the file, saying where.
            raise ScenarioInvalid(
                [ScenarioError(str(self.path), what, line=lines[index]) for index, what in holes]
            )
        closed = {record.session for record in records if isinstance(record, SessionClosed)}
        if closed:
            records = [
                record
                for record in records
                if record.session not in closed or isinstance(record, SessionOpened | SessionClosed)
            ]
            self._rewrite(records)
        for record in records:
            self._store(record)
        return len(records)

    def _rewrite(self, records: list[LogRecord]) -> None:
        """Replace the file with ``records`` at once: written aside, synced, renamed."""
        aside = self.path.with_name(self.path.name + ".compacting")
        with aside.open("wb") as file:
            file.writelines(encode_record(record) + b"\n" for record in records)
            file.flush()
            os.fsync(file.fileno())
        aside.replace(self.path)
