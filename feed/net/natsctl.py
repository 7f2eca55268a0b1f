"""Control messages from gateways to the director, over NATS request/reply.

A gateway forwards a client's ``control`` (and ``create_session``) message as it
came, on ``PREFIX.ctl.control`` (``PREFIX.ctl.create``); the director answers with
one server message (``replay_state``, ``session_created`` or ``error``), which the
gateway sends to that client. Nothing here is stored in JetStream: a control
message that no director answers is answered with an ``error`` by the gateway.

The director checks session tokens. A gateway started with a server token, which
is good for controlling any session, checks that one itself and says so with the
header ``Racefeed-Authorized: server-token``; the director trusts it. So only
gateways (and the director) may publish on ``PREFIX.ctl.>``: give them, and no one
else, that permission in NATS.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

import msgspec
import nats.errors
import structlog
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from feed import wire

__all__ = ["AUTHORIZED_HEADER", "ControlClient", "ControlHandler", "serve_control"]

ControlHandler = Callable[[str, bytes, bool], Awaitable[wire.ServerMessage]]
"""``(op, message JSON, authorized) -> reply``: how the director answers a request."""

AUTHORIZED_HEADER = "Racefeed-Authorized"

_OPS = ("control", "create")
_reply_decoder: msgspec.json.Decoder[wire.ServerMessage] = msgspec.json.Decoder(wire.ServerMessage)


async def serve_control(nc: NatsClient, prefix: str, handle: ControlHandler) -> Subscription:
    """Answer control requests on ``PREFIX.ctl.control`` and ``PREFIX.ctl.create``."""
    log = structlog.get_logger("racefeed.director")

    async def on_request(msg: Msg) -> None:
        op = msg.subject.rsplit(".", 1)[-1]
        authorized = (msg.headers or {}).get(AUTHORIZED_HEADER) == "server-token"
        try:
            reply = await handle(op, msg.data, authorized)
        except Exception:  # a bug answers this request only
            log.exception("control_failed", op=op)
            reply = wire.error("internal_error", "the director failed on this message")
        if msg.reply:
            with contextlib.suppress(nats.errors.Error):
                await msg.respond(wire.encode(reply))

    return await nc.subscribe(f"{prefix}.ctl.*", cb=on_request)


class ControlClient:
    """A gateway's side: send one message to the director, get its one answer back."""

    def __init__(self, nc: NatsClient, prefix: str, *, timeout_s: float = 5.0) -> None:
        self.nc = nc
        self.prefix = prefix
        self.timeout_s = timeout_s

    async def request(
        self, op: str, message: wire.Control | wire.CreateSession, *, authorized: bool = False
    ) -> wire.ServerMessage:
        """The director's answer, or ``unavailable`` when no director answers in time.

        ``unavailable`` leaves the client's connection and subscription as they are:
        a director restarting is no reason to cut off the gateway's readers.

        Args:
            op: ``control`` or ``create``.
            message: the client's message, as it came.
            authorized: the client gave this gateway's server token.
        """
        assert op in _OPS
        headers = {AUTHORIZED_HEADER: "server-token"} if authorized else None
        try:
            reply = await self.nc.request(
                f"{self.prefix}.ctl.{op}",
                wire.encode(message),
                timeout=self.timeout_s,
                headers=headers,
            )
            return _reply_decoder.decode(reply.data)
        except (TimeoutError, nats.errors.Error, msgspec.DecodeError) as exc:
            return wire.error(
                "unavailable",
                f"the director did not answer within {self.timeout_s:g} s ({type(exc).__name__}); "
                "nothing was done: try again",
            )
