"""Getting frames to many clients without letting any one of them stall the rest.

Every frame is encoded once (per session, not per client) and handed to each
client's ``Outbox``. While a client keeps up (nothing queued, its socket's write
buffer under the high-water mark) the frame is written straight into its transport,
as ``websockets.broadcast`` does, but framed once for all of them: the websocket
header goes in front of the payload once per frame and every transport is handed
the same bytes, where ``broadcast`` builds and serializes a frame per client. Once
a client falls behind, frames wait in a backlog bounded by count and bytes,
drained by one task per slow client. A client whose backlog overflows is cut off:
``on_overflow`` is told the first seq it did not get, and the owner sends
``too_slow`` and closes.
"""

from __future__ import annotations

import asyncio
import struct
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from feed.protocol.budget import Budget

__all__ = ["Outbox", "Spawn", "fan_out", "text_frame"]

Spawn = Callable[[Coroutine[Any, Any, None]], object]
_OPEN = State.OPEN


class Outbox:
    """One connection's outgoing frames, in order, with a bounded backlog.

    Args:
        connection: the websocket.
        backlog_frames: frames queued for a client that is not keeping up.
        backlog_bytes: bytes queued for it (the socket's own buffer comes on top).
        on_overflow: called once, with the first seq the client did not get, when
            the backlog overflows; the outbox sends nothing more after that.
        spawn: starts a background task that the server keeps track of.
        budget: the server-wide bound on backlogs (past it, the largest is cut off).
    """

    __slots__ = (
        "_backlog",
        "_backlog_bytes",
        "_budget",
        "_drainer",
        "_emptied",
        "_on_overflow",
        "_spawn",
        "backlog_bytes_limit",
        "backlog_frames_limit",
        "closed",
        "connection",
        "raw",
        "written_seq",
    )

    def __init__(
        self,
        connection: ServerConnection,
        *,
        backlog_frames: int,
        backlog_bytes: int,
        on_overflow: Callable[[int], None],
        spawn: Spawn,
        budget: Budget | None = None,
    ) -> None:
        self.connection = connection
        self.backlog_frames_limit = backlog_frames
        self.backlog_bytes_limit = backlog_bytes
        self.written_seq = 0  # the last event seq handed to the transport
        self.closed = False
        self._on_overflow = on_overflow
        self._spawn = spawn
        # The backlog and the event saying it is empty are made when first needed: most
        # clients keep up, and each of these costs hundreds of bytes per connection.
        self._backlog: deque[tuple[bytes, int]] | None = None
        self._backlog_bytes = 0
        self._budget = budget
        self._drainer: asyncio.Task[None] | None = None
        self._emptied: asyncio.Event | None = None
        # fan_out may hand this transport whole pre-framed messages: no extension
        # (permessage-deflate) negotiated that would transform each frame.
        self.raw = not connection.protocol.extensions

    @property
    def backlog(self) -> int:
        """Frames waiting for the socket."""
        return len(self._backlog) if self._backlog else 0

    def ready(self) -> bool:
        """Whether a frame written now goes straight to the socket."""
        connection = self.connection
        return (
            not self._backlog
            and not connection.paused
            and connection.protocol.state is State.OPEN
            and not self.closed
        )

    def push(self, frame: bytes, last_seq: int = 0) -> bool:
        """Send one frame, now or once the socket drains; ``False`` if the client is cut off.

        Args:
            frame: one encoded text frame.
            last_seq: the last event seq in the frame; 0 for other messages.
        """
        if self.closed:
            return False
        if self.ready():
            if _write(self.connection, frame) and last_seq:
                self.written_seq = last_seq
            return True
        if self._backlog is None:
            self._backlog = deque()
        if (
            len(self._backlog) >= self.backlog_frames_limit
            or self._backlog_bytes + len(frame) > self.backlog_bytes_limit
        ):
            self._overflow()
            return False
        self._backlog.append((frame, last_seq))
        self._backlog_bytes += len(frame)
        if self._budget is not None:
            self._budget.hold(self, self._backlog_bytes, self._overflow)
        if self._emptied is not None:
            self._emptied.clear()
        if self._drainer is None:
            self._drainer = asyncio.get_running_loop().create_task(self._drain())
        return True

    async def flush(self) -> None:
        """Wait until every pushed frame is in the transport and its buffer is below the mark."""
        await self._until_empty()
        if self.connection.paused and not self.closed:
            try:
                await self.connection.drain()
            except ConnectionClosed:
                self.closed = True
            except OSError:
                self.closed = True

    def abort(self, frame: bytes, code: int, reason: str) -> None:
        """Drop the backlog, write ``frame`` (an error) past it, and close with ``code``."""
        self.closed = True
        self._clear()
        _write(self.connection, frame)
        self._spawn(self.connection.close(code, reason))

    def finish(self, frame: bytes, code: int = 1000, reason: str = "") -> None:
        """Send ``frame`` after everything pushed so far, then close with ``code``."""
        if self.closed:
            return
        self.push(frame)
        self.closed = True
        self._spawn(self._close_after_flush(code, reason))

    def stop(self) -> None:
        """Forget the backlog; the connection is going away."""
        self.closed = True
        self._clear()

    def drop(self) -> None:
        """Cut the connection without a word (the client sees 1006): an injected fault."""
        self.stop()
        transport = self.connection.transport
        if transport is not None:
            transport.abort()

    def when_drained(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once everything pushed so far has left the backlog and buffer."""

        async def wait() -> None:
            await self.flush()
            if not self.closed:
                callback()

        self._spawn(wait())

    async def _close_after_flush(self, code: int, reason: str) -> None:
        await self._until_empty()
        await self.connection.close(code, reason)

    async def _until_empty(self) -> None:
        """Wait until the backlog is empty (at once if it is)."""
        if not self._backlog:
            return
        if self._emptied is None:
            self._emptied = asyncio.Event()
        await self._emptied.wait()

    def _set_empty(self) -> None:
        self._backlog = None
        self._backlog_bytes = 0
        if self._budget is not None:
            self._budget.release(self)
        if self._emptied is not None:
            self._emptied.set()

    def _overflow(self) -> None:
        self.closed = True
        self._clear()
        self._on_overflow(self.written_seq + 1)

    def _clear(self) -> None:
        if self._drainer is not None and self._drainer is not asyncio.current_task():
            self._drainer.cancel()
            self._drainer = None
        self._set_empty()

    async def _drain(self) -> None:
        connection = self.connection
        backlog = self._backlog
        try:
            while backlog:
                if connection.paused:
                    await connection.drain()
                if backlog is not self._backlog:
                    break  # cleared while waiting
                frame, last_seq = backlog.popleft()
                self._backlog_bytes -= len(frame)
                if self._budget is not None:
                    self._budget.hold(self, self._backlog_bytes, self._overflow)
                if not _write(connection, frame):
                    self.closed = True
                    break
                if last_seq:
                    self.written_seq = last_seq
        except (ConnectionClosed, OSError):
            self.closed = True
        finally:
            if self._drainer is asyncio.current_task():
                self._drainer = None
            if self.closed or not self._backlog:
                self._set_empty()


def fan_out(outboxes: Iterable[Outbox], frame: bytes, last_seq: int = 0) -> None:
    """Send one pre-encoded frame to many outboxes: straight to the socket where it keeps up.

    This is ``websockets.broadcast`` with a bounded backlog for the clients that
    do not keep up, instead of an unbounded write buffer, and with the websocket
    frame built once for every client instead of once per client.
    """
    data = text_frame(frame)
    for outbox in outboxes:
        # ready(), inlined and cheapest test first: this loop runs once per client per frame.
        if outbox.raw and not outbox._backlog and not outbox.closed:
            connection = outbox.connection
            if not connection.paused and connection.protocol.state is _OPEN:
                try:
                    connection.transport.write(data)
                except Exception:  # as in broadcast: one bad socket must not stop the rest
                    outbox.closed = True
                    continue
                if last_seq:
                    outbox.written_seq = last_seq
                continue
        outbox.push(frame, last_seq)


def text_frame(payload: bytes) -> bytes:
    """One unmasked, unfragmented websocket text frame (a server's) holding ``payload``."""
    length = len(payload)
    if length < 126:
        return bytes((0x81, length)) + payload
    if length < 65536:
        return struct.pack("!BBH", 0x81, 126, length) + payload
    return struct.pack("!BBQ", 0x81, 127, length) + payload


def _write(connection: ServerConnection, frame: bytes) -> bool:
    """Write one text frame to the transport now; ``False`` if the connection is not open."""
    if connection.protocol.state is not State.OPEN or connection.transport.is_closing():
        return False
    try:
        connection.protocol.send_text(frame)
        connection.send_data()
    except Exception:  # a socket error ends this client only
        return False
    return True
