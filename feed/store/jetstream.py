"""The session log in NATS JetStream: one stream for racefeed, subjects per session.

Layout (``stream`` and ``prefix`` are settings; these are the defaults)::

    stream   RACEFEED, subjects racefeed.log.>   (file storage, duplicate window 2 min)
    subject  racefeed.log.<session>.<kind>      kind: opened, event, epoch, clock, faults,
                                                      token, closed
    control  racefeed.ctl.<op>                  core NATS request/reply, never stored

An event record's payload is the event envelope exactly as websocket clients get
it, with headers ``Nats-Msg-Id: SESSION:EPOCH:SEQ``, ``Racefeed-Epoch`` and
``Racefeed-Seq``; the other records' payload is the record's JSON and their
``Nats-Msg-Id`` is the record id. JetStream drops a publish whose id it stored
within the duplicate window, so a retried write is stored once.

racefeed ``seq`` and the JetStream stream sequence. A record's position is its
stream sequence, one counter for every session of the stream, so a session's
records have increasing positions with gaps between them (other sessions' records).
Each session has one writer, which publishes one record at a time and waits for
JetStream's ack before the next, retrying (same id) until it is stored: within a
session, stream order is append order. So the events of epoch E follow E's
``epoch`` record, and event ``seq`` N of E is stored after N - 1 and before N + 1.
A reader still orders by (epoch, seq) and drops repeats (``feed.store.Timeline``),
so even a repeat stored after the duplicate window changes nothing. A position in
one stream means nothing in another (a restored backup, a mirror): clients resume
by (epoch, seq), never by stream sequence.

Readers use ordered consumers (ephemeral, flow-controlled, idle heartbeats every
second) started at the position asked for; the nats-py client recreates one from
the last stream sequence it delivered when it stalls, and reconnects by itself
when the server goes away. Writers keep retrying until the server is back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import msgspec
import nats
import nats.errors
import nats.js.errors
import structlog
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.js import api

from feed.events import Event
from feed.store.log import Entry
from feed.store.nats_client import connect_nats
from feed.store.records import (
    EventPublished,
    LogRecord,
    decode_record,
    encode_record,
    record_id,
)

__all__ = ["DEFAULT_PREFIX", "DEFAULT_STREAM", "JetStreamLog"]

DEFAULT_STREAM = "RACEFEED"
DEFAULT_PREFIX = "racefeed"
_HEARTBEAT_S = 1.0
_KINDS = {"opened", "event", "epoch", "clock", "faults", "token", "closed"}
_FORGOTTEN = ("event", "epoch", "clock", "faults", "token")  # a closed session's, purged


class _Writer:
    """One session's queue of records and the task publishing them one by one."""

    def __init__(self) -> None:
        self.queue: deque[LogRecord] = deque()
        self.idle = asyncio.Event()
        self.idle.set()
        self.task: asyncio.Task[None] | None = None


class JetStreamLog:
    """A session log in a JetStream stream (see the module docstring).

    Args:
        nc: a connected NATS client (see ``connect_nats``).
        stream: the stream's name.
        prefix: the first subject token; the stream holds ``PREFIX.log.>``.
        replicas: the stream's replicas, when this log creates it (1 .. 5).
        storage: ``"file"`` or ``"memory"``, when this log creates it.
        duplicate_window_s: how long JetStream remembers ids to drop repeats.
        publish_timeout_s: how long one publish waits for its ack before it is retried.
        owns_connection: ``close`` closes ``nc`` too.
    """

    def __init__(
        self,
        nc: NatsClient,
        *,
        stream: str = DEFAULT_STREAM,
        prefix: str = DEFAULT_PREFIX,
        replicas: int = 1,
        storage: str = "file",
        duplicate_window_s: float = 120.0,
        publish_timeout_s: float = 2.0,
        owns_connection: bool = False,
    ) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.stream = stream
        self.prefix = prefix
        self.replicas = replicas
        self.storage = storage
        self.duplicate_window_s = duplicate_window_s
        self.publish_timeout_s = publish_timeout_s
        self.closed = False
        self._owns = owns_connection
        self._writers: dict[str, _Writer] = {}
        self._lost: list[Callable[[], None]] = []
        self._followers: set[asyncio.Queue[Msg | None]] = set()
        self._logger = structlog.get_logger("racefeed.log").bind(stream=stream)

    @classmethod
    async def open(
        cls, url: str, *, name: str = "racefeed", wait_s: float | None = None, **options: Any
    ) -> JetStreamLog:
        """Connect to ``url`` (waiting as ``connect_nats`` does) and make sure of the stream."""
        nc = await connect_nats(url, name=name, wait_s=wait_s)
        log = cls(nc, owns_connection=True, **options)
        try:
            await log.ensure_stream()
        except BaseException:
            await nc.close()
            raise
        return log

    # -- the stream ---------------------------------------------------------------------

    @property
    def subjects(self) -> str:
        """The stream's subjects: ``PREFIX.log.>``."""
        return f"{self.prefix}.log.>"

    def subject(self, session: str | None, kind: str = "*") -> str:
        """The subject of ``session``'s records of ``kind`` (``None``: every session)."""
        if session is None:
            return self.subjects if kind == "*" else f"{self.prefix}.log.*.{kind}"
        return f"{self.prefix}.log.{session}.{kind}"

    def control_subject(self, op: str) -> str:
        """Where control requests of ``op`` go (``control``, ``create``): ``PREFIX.ctl.OP``."""
        return f"{self.prefix}.ctl.{op}"

    async def ensure_stream(self) -> bool:
        """Create the stream if it is missing (an existing one is used as it is); whether it was."""
        try:
            info = await self.js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            config = api.StreamConfig(
                name=self.stream,
                description="racefeed session logs",
                subjects=[self.subjects],
                retention=api.RetentionPolicy.LIMITS,
                storage=api.StorageType(self.storage),
                num_replicas=self.replicas,
                duplicate_window=self.duplicate_window_s,
                discard=api.DiscardPolicy.OLD,
            )
            await self.js.add_stream(config)
            self._logger.info("stream_created", subjects=self.subjects, replicas=self.replicas)
            return True
        subjects = info.config.subjects or []
        if self.subjects not in subjects:
            raise ValueError(
                f"stream {self.stream!r} holds subjects {subjects}, not {self.subjects!r}: "
                "give another --stream or --subject-prefix"
            )
        return False

    async def delete_stream(self) -> None:
        """Delete the whole stream, every session of it (tests, resets)."""
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await self.js.delete_stream(self.stream)

    # -- writing ------------------------------------------------------------------------

    def append(self, record: LogRecord, *, event: Event | None = None) -> None:
        """Queue ``record``; the session's writer publishes it after the ones before it."""
        if self.closed:
            raise RuntimeError(f"append to a closed log (stream {self.stream})")
        writer = self._writers.get(record.session)
        if writer is None:
            writer = self._writers[record.session] = _Writer()
        writer.queue.append(record)
        writer.idle.clear()
        if writer.task is None:
            writer.task = asyncio.get_running_loop().create_task(self._write(writer))

    async def flush(self) -> None:
        """Wait until JetStream has acknowledged every record appended so far."""
        for writer in list(self._writers.values()):
            await writer.idle.wait()

    async def _write(self, writer: _Writer) -> None:
        try:
            while writer.queue:
                await self._publish(writer.queue[0])
                writer.queue.popleft()
        finally:
            writer.task = None
            if not writer.queue:
                writer.idle.set()

    async def _publish(self, record: LogRecord) -> None:
        """Publish one record until JetStream acknowledges it (a repeat counts as stored)."""
        kind = type(record).__struct_config__.tag
        assert isinstance(kind, str)
        subject = self.subject(record.session, kind)
        headers = {"Nats-Msg-Id": record_id(record)}
        if isinstance(record, EventPublished):
            payload = bytes(record.envelope)
            headers["Racefeed-Epoch"] = str(record.epoch)
            headers["Racefeed-Seq"] = str(record.seq)
        else:
            payload = encode_record(record)
        delay = 0.05
        while True:
            try:
                await self.js.publish(
                    subject, payload, timeout=self.publish_timeout_s, headers=headers
                )
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # timeouts, no responders, reconnecting: try again
                self._logger.info(
                    "log_publish_retry", session=record.session, kind=kind, error=repr(exc)
                )
                if isinstance(
                    exc, nats.js.errors.NoStreamResponseError | nats.js.errors.NotFoundError
                ):
                    # Connected, but no stream answers: it was deleted, or lost with its server.
                    await self._recreate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def _recreate(self) -> None:
        """Make the stream again; if it was lost (this log made it anew), say so once."""
        try:
            created = await self.ensure_stream()
        except Exception:  # NATS still away: the next retry tries again
            return
        if created:
            self._logger.warning("stream_lost", stream=self.stream)
            for callback in list(self._lost):
                callback()

    def on_lost(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when the stream is found gone and made anew (its records lost)."""
        self._lost.append(callback)

    async def forget(self, session: str) -> None:
        """Purge a closed session's records but ``opened`` and ``closed`` from the stream."""
        await self.flush()
        for kind in _FORGOTTEN:
            with contextlib.suppress(Exception):
                await self.js.purge_stream(self.stream, subject=self.subject(session, kind))
        self._writers.pop(session, None)

    # -- reading ------------------------------------------------------------------------

    async def head(self) -> int:
        """The stream sequence of the last message stored (0: none)."""
        info = await self.js.stream_info(self.stream)
        return int(info.state.last_seq or 0)

    async def incarnation(self) -> str:
        """When the stream was created: a stream made anew (its records lost) has another."""
        info = await self.js.stream_info(self.stream)
        return str(info.created)

    async def read(self, session: str | None = None, *, after: int = 0) -> list[Entry]:
        """The stored records of ``session`` (``None``: every session) after ``after``."""
        try:
            last = await self.js.get_last_msg(self.stream, self.subject(session))
        except nats.js.errors.NotFoundError:
            return []
        if last.seq is None or last.seq <= after:
            return []
        entries: list[Entry] = []
        async for batch in self.follow(session, after=after):
            entries.extend(batch)
            if entries and entries[-1].position >= last.seq:
                break
        return entries

    async def follow(
        self, session: str | None = None, *, after: int = 0
    ) -> AsyncIterator[list[Entry]]:
        """Stored records after ``after``, then each new batch, until the log is closed."""
        queue: asyncio.Queue[Msg | None] = asyncio.Queue()
        self._followers.add(queue)

        async def received(msg: Msg) -> None:
            queue.put_nowait(msg)

        sub = await self._subscribe(self.subject(session), after, received)
        last = after
        try:
            while True:
                first = await queue.get()
                messages = [first]
                while not queue.empty():
                    messages.append(queue.get_nowait())
                batch: list[Entry] = []
                for msg in messages:
                    if msg is None:
                        if batch:
                            yield batch
                        return
                    entry = self._entry(msg)
                    if entry is None or entry.position <= last:
                        continue
                    last = entry.position
                    batch.append(entry)
                if batch:
                    yield batch
        finally:
            self._followers.discard(queue)
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _subscribe(
        self, subject: str, after: int, received: Callable[[Msg], Coroutine[Any, Any, None]]
    ) -> Any:
        """An ordered consumer on ``subject`` from position ``after + 1``, once NATS answers."""
        delay = 0.05
        while True:
            config = api.ConsumerConfig(
                deliver_policy=api.DeliverPolicy.BY_START_SEQUENCE,
                opt_start_seq=after + 1,
            )
            try:
                return await self.js.subscribe(
                    subject,
                    stream=self.stream,
                    cb=received,
                    ordered_consumer=True,
                    idle_heartbeat=_HEARTBEAT_S,
                    config=config,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self.closed:
                    raise
                self._logger.info("log_subscribe_retry", subject=subject, error=repr(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _entry(self, msg: Msg) -> Entry | None:
        """The record a message holds (``None``, and a warning, for one that is not a record)."""
        tokens = msg.subject.split(".")
        position = msg.metadata.sequence.stream
        kind, session = tokens[-1], tokens[-2]
        try:
            if kind not in _KINDS:
                raise ValueError(f"unknown kind {kind!r}")
            if kind == "event":
                headers = msg.headers or {}
                record: LogRecord = EventPublished(
                    session=session,
                    epoch=int(headers["Racefeed-Epoch"]),
                    seq=int(headers["Racefeed-Seq"]),
                    envelope=msgspec.Raw(msg.data),
                )
            else:
                record = decode_record(msg.data)
        except (KeyError, ValueError, msgspec.DecodeError) as exc:
            self._logger.warning(
                "log_record_skipped", subject=msg.subject, position=position, error=str(exc)
            )
            return None
        return Entry(position=position, record=record)

    # -- closing ------------------------------------------------------------------------

    async def close(self, timeout_s: float = 5.0) -> None:
        """Publish what is queued (for up to ``timeout_s``), stop the followers, disconnect."""
        if self.closed:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self.flush()
        self.closed = True
        for writer in self._writers.values():
            if writer.task is not None:
                writer.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer.task
        for queue in self._followers:
            queue.put_nowait(None)
        if self._owns:
            with contextlib.suppress(Exception):
                await self.nc.close()
