"""How the gateway role reaches the director role: requests, answers and usage reports.

A gateway forwards a client's ``control`` and ``create_session`` messages to the
director and hands the director's one answer (``replay_state``, ``session_created``
or ``error``) back to that client. Every little while it also reports which
sessions have followers, so that the director can expire the private sessions
nobody follows. In one process the two roles talk directly (``LocalControl``);
across processes over NATS (``feed.server.nats_control``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Literal, Protocol, TypeAlias

from feed import wire

__all__ = ["ControlChannel", "ControlHandler", "ControlOp", "LocalControl"]

ControlOp: TypeAlias = Literal["control", "create"]

ControlHandler: TypeAlias = Callable[[ControlOp, bytes, bool], Awaitable[wire.ServerMessage]]
"""``(op, message JSON, authorized) -> answer``: how the director answers a request."""


class ControlChannel(Protocol):
    """The gateway's line to the director."""

    async def request(
        self, op: ControlOp, message: wire.Control | wire.CreateSession, *, authorized: bool
    ) -> wire.ServerMessage:
        """The director's answer to ``message`` (``authorized``: the server token was given)."""

    def report_usage(self, sessions: Sequence[str]) -> None:
        """These sessions have followers on this gateway now."""


class _Director(Protocol):
    async def handle(self, op: ControlOp, payload: bytes, authorized: bool) -> wire.ServerMessage:
        """Answer one forwarded request."""

    def used(self, sessions: Sequence[str]) -> None:
        """Sessions that have followers now."""


class LocalControl:
    """Hands the gateway's requests to a director in the same process.

    The message goes as the JSON a client sent, as it would over NATS: the director
    reads it with the same code whichever way it came.
    """

    def __init__(self, director: _Director) -> None:
        self.director = director

    async def request(
        self, op: ControlOp, message: wire.Control | wire.CreateSession, *, authorized: bool
    ) -> wire.ServerMessage:
        """The director's answer to ``message``."""
        return await self.director.handle(op, wire.encode(message), authorized)

    def report_usage(self, sessions: Sequence[str]) -> None:
        """Tell the director at once."""
        self.director.used(sessions)
