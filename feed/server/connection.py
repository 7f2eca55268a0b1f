"""One client connection: read its frames, answer each in order, keep at most one subscription.

Nothing a client sends can stop the server or reach another session: every bad
frame gets an ``error`` with a stable code (see ``feed.wire.ERRORS``) and the
connection stays open unless that code says it closes. Messages are answered in
the order they came: a ``ping`` is answered after everything sent before it, so it
works as a fence (a ``create_session`` still loading holds the ``pong`` back).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import assert_never

import structlog
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from feed import wire
from feed.protocol import Limits
from feed.protocol.rate import TokenBucket
from feed.server.driver import SessionDriver
from feed.server.gateway import Gateway
from feed.server.outbox import Outbox, Spawn

__all__ = ["ClientLink"]

_ids = itertools.count(1)
# One logger for every connection, each line naming its client: a logger bound per
# connection would cost every idle subscriber a context of its own.
_logger = structlog.get_logger("racefeed.client")


class ClientLink:
    """The server's side of one websocket connection.

    Kept small: an idle subscriber is this, its outbox and the websocket (slots, no
    logger of its own, the control bucket made on first use).
    """

    __slots__ = (
        "_bucket",
        "_control_bucket",
        "_limited_at",
        "_subscribes",
        "connection",
        "gateway",
        "id",
        "limits",
        "outbox",
        "session",
    )

    def __init__(
        self, gateway: Gateway, limits: Limits, connection: ServerConnection, spawn: Spawn
    ) -> None:
        self.id = f"c{next(_ids)}"
        self.gateway = gateway
        self.limits = limits
        self.connection = connection
        self.outbox = Outbox(
            connection,
            backlog_frames=limits.backlog_frames,
            backlog_bytes=limits.backlog_bytes,
            on_overflow=self._too_slow,
            spawn=spawn,
            budget=gateway.outbound,
        )
        self.session: SessionDriver | None = None
        loop = asyncio.get_running_loop()
        self._bucket = TokenBucket(limits.rate_per_s, limits.rate_burst, loop.time())
        self._limited_at = -1.0
        self._control_bucket: TokenBucket | None = None
        self._subscribes = 0
        # websockets keeps the handshake's response (its headers, a KiB or more) for the life
        # of the connection; nothing reads it once the connection is open.
        connection.response = None

    async def run(self) -> None:
        """Read and answer frames until the connection closes."""
        peer = self.connection.remote_address
        _logger.info(
            "client_connected", client=self.id, peer=f"{peer[0]}:{peer[1]}" if peer else None
        )
        reason = "closed"
        try:
            # recv() in a loop rather than ``async for``: no async generator held per client.
            while True:
                frame = await self.connection.recv()
                if self.outbox.closed:
                    # The outbox is closing with its own code (leaving now would close 1000):
                    # read on, unanswered, so that the client's close frame gets through.
                    reason = "cut_off"
                    continue
                await self.on_frame(frame)
        except ConnectionClosedOK:
            pass
        except ConnectionClosed:
            reason = "connection_lost"
        finally:
            self.leave()
            self.outbox.stop()
            _logger.info("client_disconnected", client=self.id, reason=reason)

    async def on_frame(self, frame: str | bytes) -> None:
        """Answer one frame."""
        if isinstance(frame, bytes):
            self.reply(wire.error("binary_frame", "binary frames are not part of the protocol"))
            return
        limit = self.limits.max_message_bytes
        if len(frame) > limit // 4 and len(frame.encode()) > limit:
            error = wire.error("frame_too_large", f"a frame may hold at most {limit} bytes of JSON")
            self.outbox.abort(wire.encode(error), 1009, "frame too large")
            return
        now = asyncio.get_running_loop().time()
        if not self._bucket.take(now):
            if now - self._limited_at >= 1.0:  # one notice a second, not one per frame
                self._limited_at = now
                rate = self.limits.rate_per_s
                self.reply(wire.error("rate_limited", f"at most {rate:g} messages a second"))
            return
        try:
            await self._dispatch(wire.parse_client(frame))
        except Exception:
            # A bug must end this connection only, with a code that says to resume.
            _logger.exception("client_failed", client=self.id)
            error = wire.error("internal_error", "the server failed on this message; resume")
            self.outbox.abort(wire.encode(error), 1011, "internal error")

    async def _dispatch(self, message: wire.ClientMessage | wire.ErrorMessage) -> None:
        match message:
            case wire.ErrorMessage():
                _logger.info("bad_message", client=self.id, code=message.code, field=message.field)
                self.reply(message)
            case wire.Subscribe():
                await self.subscribe(message)
            case wire.Unsubscribe():
                session = self.session.id if self.session else message.session
                self.leave()
                self.reply(wire.Unsubscribed(session=session))
            case wire.CreateSession() | wire.Control() if not self._may_control():
                pass
            case wire.CreateSession():
                self.reply(await self.gateway.create_session(message))
            case wire.Control():
                subscribed = self.session.id if self.session is not None else None
                reply = await self.gateway.control(message, subscribed_to=subscribed)
                if reply is not None:
                    self.reply(reply)
            case wire.Ping():
                self.reply(wire.Pong(id=message.id))
            case _:
                assert_never(message)

    def reply(self, message: wire.ServerMessage) -> None:
        """Send one message to this client, after what it was sent before."""
        self.outbox.push(wire.encode(message))

    async def subscribe(self, message: wire.Subscribe) -> None:
        """Replace this connection's subscription (one per connection)."""
        self._subscribes += 1
        most = self.limits.max_subscribes_per_connection
        if self._subscribes > most:
            error = wire.error(
                "too_many_subscriptions",
                f"a connection may subscribe {most} times; reconnect and resume",
            )
            self.outbox.abort(wire.encode(error), 1008, "too many subscriptions")
            return
        self.leave()
        found = await self.gateway.subscribe(self.outbox, message, self.id)
        if isinstance(found, wire.ErrorMessage):
            self.reply(found)
            return
        self.session = found
        _logger.info("subscribed", client=self.id, session=found.id, epoch=found.protocol.epoch)

    def leave(self) -> None:
        """Drop the subscription, if any."""
        session, self.session = self.session, None
        if session is not None:
            self.gateway.unsubscribe(session, self.outbox)

    def _may_control(self) -> bool:
        """Spend a control token, or answer ``rate_limited`` (each time: control is rare)."""
        now = asyncio.get_running_loop().time()
        limits = self.limits
        if self._control_bucket is None:
            self._control_bucket = TokenBucket(limits.control_per_s, limits.control_burst, now)
        if self._control_bucket.take(now):
            return True
        rate = limits.control_per_s
        self.reply(
            wire.error(
                "rate_limited", f"at most {rate:g} control or create_session messages a second"
            )
        )
        return False

    def _too_slow(self, resume_from_seq: int) -> None:
        _logger.warning("client_too_slow", client=self.id, resume_from_seq=resume_from_seq)
        session = self.session
        if session is None:
            error = wire.error("too_slow", "this client fell too far behind")
            self.outbox.abort(wire.encode(error), 1013, "too slow")
            return
        self.session = None
        # Called from inside a fan-out loop: the session acts on it once that loop is done.
        asyncio.get_running_loop().call_soon(session.too_slow, self.outbox, resume_from_seq)
