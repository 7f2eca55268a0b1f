"""Both roles in one process, over any log: a server whose sessions outlive it.

``run_standalone`` runs a director and a gateway sharing one ``EventLog``, control
messages handed from one to the other in-process. Over a ``JsonlLog`` it is
``racefeed serve`` with its sessions kept in a file: stopped and started again
over the same file, every session goes on where it was (same epoch, next seq,
same control token), and clients resume as if nothing happened.

::

    log = JsonlLog("sessions.jsonl")
    async with run_standalone(log, [SessionSpec(name="main", scenario="tokyo-2025-m1500-final")],
                              port=8765) as (director, gateway, opened):
        ...
    await log.close()
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from feed import wire
from feed.net.director import Director, OpenedSession, run_director
from feed.net.gateway import Gateway, run_gateway
from feed.net.scenarios import ScenarioSource
from feed.net.server import ServerConfig, SessionSpec
from feed.store import EventLog

__all__ = ["LocalControl", "run_standalone"]


class LocalControl:
    """Hands a gateway's control messages to a director in the same process."""

    def __init__(self, director: Director) -> None:
        self.director = director

    async def request(
        self, op: str, message: wire.Control | wire.CreateSession, *, authorized: bool = False
    ) -> wire.ServerMessage:
        """The director's answer to ``message``."""
        return await self.director.handle(op, wire.encode(message), authorized)


@asynccontextmanager
async def run_standalone(
    log: EventLog,
    sessions: Sequence[SessionSpec] = (),
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: ServerConfig | None = None,
    scenarios: ScenarioSource | None = None,
) -> AsyncIterator[tuple[Director, Gateway, list[OpenedSession]]]:
    """Run a director and a gateway over ``log`` for an ``async with`` block."""
    async with (
        run_director(log, sessions, scenarios=scenarios) as (director, opened),
        run_gateway(log, LocalControl(director), host, port, config=config) as gateway,
    ):
        yield director, gateway, opened
