"""The gateway's line to the director over NATS request/reply (needs the ``nats`` extra).

A gateway forwards a client's ``control`` (``create_session``) message as it came,
on ``PREFIX.ctl.control`` (``PREFIX.ctl.create``); the director answers with one
server message (``replay_state``, ``session_created`` or ``error``), which the
gateway sends to that client. Usage reports (which sessions have followers) go on
``PREFIX.ctl.usage`` as a JSON list, answered by nobody. Nothing here is stored in
JetStream: a request no director answers is ``unavailable`` for the client.

The director checks session tokens. A gateway started with a server token, which
is good for controlling any session, checks that one itself and says so with the
header ``Racefeed-Authorized: server-token``; the director trusts it. So only
gateways (and the director) may publish on ``PREFIX.ctl.>``: give them, and no one
else, that permission in NATS.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence

import msgspec
import nats.errors
import structlog
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from feed import wire
from feed.codec import decode_json
from feed.server.control import ControlHandler, ControlOp

__all__ = ["AUTHORIZED_HEADER", "NatsControl", "serve_control"]

AUTHORIZED_HEADER = "Racefeed-Authorized"

_OPS: tuple[ControlOp, ...] = ("control", "create")
_reply_decoder: msgspec.json.Decoder[wire.ServerMessage] = msgspec.json.Decoder(wire.ServerMessage)
_usage_decoder = msgspec.json.Decoder(list[str])
_logger = structlog.get_logger("racefeed.director")


async def serve_control(
    nc: NatsClient,
    prefix: str,
    handle: ControlHandler,
    used: Callable[[Sequence[str]], None],
) -> Subscription:
    """Answer requests on ``PREFIX.ctl.control`` and ``.create``; take reports on ``.usage``."""

    async def on_request(msg: Msg) -> None:
        op = msg.subject.rsplit(".", 1)[-1]
        if op == "usage":
            with contextlib.suppress(msgspec.DecodeError):
                reported: list[str] = decode_json(_usage_decoder, msg.data)
                used(reported)
            return
        authorized = (msg.headers or {}).get(AUTHORIZED_HEADER) == "server-token"
        if op not in _OPS:
            reply: wire.ServerMessage = wire.error("unknown_op", f"no director operation {op!r}")
        else:
            try:
                reply = await handle(op, msg.data, authorized)
            except Exception:  # a bug answers this request only
                _logger.exception("control_failed", op=op)
                reply = wire.error("internal_error", "the director failed on this message")
        if msg.reply:
            with contextlib.suppress(nats.errors.Error):
                await msg.respond(wire.encode(reply))

    return await nc.subscribe(f"{prefix}.ctl.*", cb=on_request)


class NatsControl:
    """A gateway's side: one request, the director's one answer; usage reports sent aside.

    Args:
        nc: the gateway's NATS connection.
        prefix: the subject prefix.
        timeout_s: how long a request waits for the director.
    """

    def __init__(self, nc: NatsClient, prefix: str, *, timeout_s: float = 5.0) -> None:
        self.nc = nc
        self.prefix = prefix
        self.timeout_s = timeout_s
        self._sending: set[asyncio.Task[None]] = set()

    async def request(
        self, op: ControlOp, message: wire.Control | wire.CreateSession, *, authorized: bool
    ) -> wire.ServerMessage:
        """The director's answer, or ``unavailable`` when no director answers in time.

        ``unavailable`` leaves the client's connection and subscription as they are:
        a director restarting is no reason to cut off the gateway's readers.
        """
        headers = {AUTHORIZED_HEADER: "server-token"} if authorized else None
        try:
            reply = await self.nc.request(
                f"{self.prefix}.ctl.{op}",
                wire.encode(message),
                timeout=self.timeout_s,
                headers=headers,
            )
            return decode_json(_reply_decoder, reply.data)
        except (TimeoutError, nats.errors.Error, msgspec.DecodeError) as exc:
            return wire.error(
                "unavailable",
                f"the director did not answer within {self.timeout_s:g} s ({type(exc).__name__}); "
                "nothing was done: try again",
            )

    def report_usage(self, sessions: Sequence[str]) -> None:
        """Publish the report; a director that is away misses one, and hears the next."""
        if self.nc.is_connected:
            payload = msgspec.json.encode(list(sessions))
            task = asyncio.get_running_loop().create_task(self._publish(payload))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _publish(self, payload: bytes) -> None:
        with contextlib.suppress(nats.errors.Error):
            await self.nc.publish(f"{self.prefix}.ctl.usage", payload)
