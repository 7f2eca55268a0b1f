"""racefeed in each of its deployments, behind one interface, for the contract suite.

=========  ================================================================
kind       what runs
=========  ================================================================
memory     ``racefeed serve``: one host, both roles, the log in memory
jsonl      ``racefeed serve --log FILE``: the same over a JSONL file
nats       ``racefeed director`` + two ``racefeed gateway``s over a real NATS
           JetStream server, the director's line to the gateways over NATS
=========  ================================================================

Each runs in the test's process (the NATS one talks to a real ``nats-server``);
``Deployment`` hands out what a test needs: the URLs clients connect to, the
director (its clocks), and each gateway's view of a session.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from feed.server import Clock, Server, ServerConfig, SessionSpec
from feed.server.catalog import ScenarioSource
from feed.server.director import Director, OpenedSession
from feed.server.driver import SessionDriver
from feed.server.session_clock import SessionClock
from feed.store import EventLog

KINDS = ("memory", "jsonl", pytest.param("nats", marks=pytest.mark.nats))
"""The deployments, as pytest parameters (the NATS one needs a NATS server)."""


@dataclass
class Deployment:
    """One running deployment.

    Attributes:
        kind: ``memory``, ``jsonl`` or ``nats``.
        servers: the websocket servers clients connect to (gateways).
        director: the director (in this process in every kind).
        opened: the named sessions opened at start.
    """

    kind: str
    servers: list[Server]
    director: Director
    opened: list[OpenedSession] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The first gateway's URL."""
        return self.servers[0].url

    @property
    def urls(self) -> list[str]:
        """Every gateway's URL."""
        return [server.url for server in self.servers]

    def token_of(self, name: str) -> str:
        """A control token of a named session."""
        for opened in self.opened:
            if opened.clock.id == name:
                return opened.token
        raise KeyError(name)

    def clock(self, name: str) -> SessionClock:
        """The director's clock of a session."""
        return self.director.sessions[name]

    def session(self, name: str, gateway: int = 0) -> SessionDriver:
        """A gateway's view of a session."""
        return self.servers[gateway].session(name)

    async def add(self, spec: SessionSpec) -> OpenedSession:
        """Open a named session, served by every gateway once this returns."""
        opened = await self.director.add_session(spec)
        self.opened.append(opened)
        for server in self.servers:
            await server.gateway.reach_log_head()
        return opened

    async def ended(self, name: str, gateway: int = 0) -> None:
        """Wait until a gateway has ended the session's replay."""
        await self.servers[gateway].ended(name)


@contextlib.asynccontextmanager
async def deploy(
    kind: str,
    *,
    sessions: Sequence[SessionSpec] = (),
    config: ServerConfig | None = None,
    clock: Clock | None = None,
    scenarios: ScenarioSource | None = None,
    tmp_path: Path | None = None,
    nats: tuple[str, str, str] | None = None,
    gateways: int = 2,
) -> AsyncIterator[Deployment]:
    """Run racefeed as ``kind`` for an ``async with`` block.

    Args:
        kind: which deployment.
        sessions: named sessions to open.
        config: the gateways' settings (port 0 whatever it says).
        clock: the time source of every role.
        scenarios: where the director gets scenarios.
        tmp_path: a directory for the JSONL log.
        nats: ``(url, stream, prefix)`` of the JetStream log, for ``nats``.
        gateways: how many gateways the ``nats`` kind runs.
    """
    config = replace(config or ServerConfig(), host="127.0.0.1", port=0)
    async with contextlib.AsyncExitStack() as stack:
        if kind == "nats":
            deployment = await _nats(
                stack, config=config, clock=clock, scenarios=scenarios, nats=nats, gateways=gateways
            )
        else:
            log = await _local_log(stack, kind, tmp_path)
            server = Server(config, log=log, clock=clock, scenarios=scenarios)
            await server.start()
            stack.push_async_callback(server.stop)
            assert server.director is not None
            deployment = Deployment(kind, [server], server.director)
        for spec in sessions:
            await deployment.add(spec)
        yield deployment


async def _local_log(
    stack: contextlib.AsyncExitStack, kind: str, tmp_path: Path | None
) -> EventLog:
    from feed.store.jsonl import JsonlLog
    from feed.store.memory import MemoryLog

    if kind == "memory":
        return MemoryLog()
    assert kind == "jsonl" and tmp_path is not None
    log = JsonlLog(tmp_path / "sessions.jsonl")
    stack.push_async_callback(log.close)
    return log


async def _nats(
    stack: contextlib.AsyncExitStack,
    *,
    config: ServerConfig,
    clock: Clock | None,
    scenarios: ScenarioSource | None,
    nats: tuple[str, str, str] | None,
    gateways: int,
) -> Deployment:
    from feed.server.nats_control import NatsControl, serve_control
    from feed.store.jetstream import JetStreamLog

    assert nats is not None, "the nats deployment needs (url, stream, prefix)"
    url, stream, prefix = nats
    director_log = await JetStreamLog.open(
        url, name="test-director", wait_s=10, stream=stream, prefix=prefix
    )
    stack.push_async_callback(director_log.close)
    director = Director(director_log, scenarios=scenarios, clock=clock, limits=config.limits)
    await director.start()
    stack.push_async_callback(director.stop)
    control = await serve_control(director_log.nc, prefix, director.handle, director.used)
    stack.push_async_callback(control.unsubscribe)
    servers = []
    for number in range(gateways):
        log = await JetStreamLog.open(
            url, name=f"test-gateway-{number}", wait_s=10, stream=stream, prefix=prefix
        )
        stack.push_async_callback(log.close)
        server = Server(
            config, log=log, control=NatsControl(log.nc, prefix), clock=clock, scenarios=scenarios
        )
        await server.start()
        stack.push_async_callback(server.stop)
        servers.append(server)
    return Deployment("nats", servers, director)
