"""The replay server: sessions, connections, HTTP and heartbeats on one port.

Start one in-process (tests, notebooks, other programs)::

    async with run_server(sessions=[SessionSpec(name="main", scenario="tokyo-2025-m1500-final")],
                          port=0) as server:
        print(server.url)          # ws://127.0.0.1:PORT/
        await server.sessions["main"].finished.wait()

or from the command line with ``racefeed serve`` / ``racefeed replay``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import msgspec
import structlog
from websockets.asyncio.server import Server as WsServer
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from feed import wire
from feed.asyncapi import asyncapi_document
from feed.errors import RacefeedError, UnknownScenario
from feed.events import Event
from feed.net.auth import (
    WEBSOCKETS_LOGGER,
    check_bind,
    new_control_token,
    new_private_session_id,
    token_matches,
)
from feed.net.clock import Clock, RealClock
from feed.net.connection import ClientLink
from feed.net.fanout import OutboxLimits
from feed.net.faulty import FaultDesk
from feed.net.http import HttpRoutes, default_web_root
from feed.net.hub import Hub
from feed.net.limits import Admission, ConnectionLimits
from feed.net.scenarios import CatalogScenarios, ScenarioLog, ScenarioSource
from feed.net.session import BatchLimits, Session
from feed.replay import Speed, check_speed

__all__ = ["Server", "ServerConfig", "SessionSpec", "run_server"]

_UNSET_ROOT = Path("\0unset")


@dataclass(frozen=True, kw_only=True)
class SessionSpec:
    """A named session to start with the server.

    Attributes:
        name: the session id clients subscribe to.
        scenario: a catalog id or a file path (the command line is trusted).
        events: a log to replay instead of a scenario (tests, embedding).
        title: the title to show for ``events``.
        speed: 0.1..1000 or ``"instant"``.
        paused: start paused instead of playing.
        rebase: stamp events with ``emitted_at`` as they go out.
        max_gap_ms: longest idle gap kept between events.
        token: the control token (default: a random one).
        aliases: other ids the session answers to (``racefeed replay`` adds "main").
    """

    name: str
    scenario: str | None = None
    events: Sequence[Event] | None = field(default=None, repr=False)
    title: str = ""
    speed: Speed = 1.0
    paused: bool = False
    rebase: bool = False
    max_gap_ms: int | None = 10_000
    token: str | None = field(default=None, repr=False)
    aliases: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> SessionSpec:
        """Read ``NAME=SCENARIO[@SPEED]`` (``main=tokyo-2025-m1500-final@10``).

        Raises:
            ValueError: saying what was expected.
        """
        name, sep, rest = text.partition("=")
        if not sep or not name or not rest:
            raise ValueError(f"expected NAME=SCENARIO[@SPEED], got {text!r}")
        scenario, at, speed_text = rest.rpartition("@") if "@" in rest else (rest, "", "")
        speed: Speed = 1.0
        if at:
            try:
                speed = check_speed("instant" if speed_text == "instant" else float(speed_text))
            except ValueError as exc:
                raise ValueError(f"{text!r}: {exc}") from None
        return cls(name=name, scenario=scenario, speed=speed)


@dataclass(frozen=True, kw_only=True)
class ServerConfig:
    """Everything tunable about a server; the defaults suit a workstation.

    Attributes:
        host: the interface to listen on.
        port: the port (0: any free one, see ``Server.port``).
        heartbeat_s: seconds between heartbeats to an idle subscriber.
        limits: how far a client may fall behind before it is cut off.
        batch: how many events go in one batch frame.
        max_message_bytes: the largest client frame answered (larger: ``frame_too_large``).
        rate_per_s: client messages allowed a second, on average.
        rate_burst: client messages allowed at once.
        max_private_sessions: private sessions held at once.
        private_idle_s: a private session with no subscriber for this long is removed.
        close_timeout: seconds to wait for a client's closing handshake.
        web_root: directory served at ``/`` (default: ``clients/web`` if present).
        compression: ``None`` (default) or ``"deflate"``.
        token: the server token: needed to create sessions, and good for controlling
            any; a server listening beyond loopback refuses to start without one.
        connection_limits: connections, subscribes, control rate, fault state
            (``feed.net.limits``).
    """

    host: str = "127.0.0.1"
    port: int = 8765
    heartbeat_s: float = 15.0
    limits: OutboxLimits = field(default_factory=OutboxLimits)
    batch: BatchLimits = field(default_factory=BatchLimits)
    max_message_bytes: int = 64 * 2**10
    rate_per_s: float = 100.0
    rate_burst: int = 200
    max_private_sessions: int = 256
    private_idle_s: float = 900.0
    close_timeout: float = 5.0
    web_root: Path | None = _UNSET_ROOT
    compression: str | None = None
    token: str | None = field(default=None, repr=False)
    connection_limits: ConnectionLimits = field(default_factory=ConnectionLimits)


class Server:
    """The racefeed websocket server (see ``run_server`` to run one)."""

    def __init__(
        self,
        config: ServerConfig | None = None,
        *,
        scenarios: ScenarioSource | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config = config or ServerConfig()
        self.scenarios: ScenarioSource = scenarios or CatalogScenarios()
        self.clock: Clock = clock or RealClock()
        self.sessions: dict[str, Hub] = {}  # by id and by alias
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ws: WsServer | None = None
        self._port: int | None = None
        self._asyncapi: bytes | None = None
        self._log = structlog.get_logger("racefeed.server")
        limits = self.config.connection_limits
        self.admission = Admission(limits)
        self.faults = FaultDesk(self.clock, self.spawn, states=limits.fault_states)

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Listen, and start the heartbeats.

        Raises:
            InsecureBind: the host is not loopback and there is no server token.
        """
        config = self.config
        check_bind(config.host, config.token)
        web_root = default_web_root() if config.web_root == _UNSET_ROOT else config.web_root
        routes = HttpRoutes(
            health=self._health,
            scenarios=self._catalog,
            sessions=self._named_sessions,
            asyncapi=self._asyncapi_bytes,
            web_root=web_root,
        )
        self._ws = await serve(
            self._handle,
            config.host,
            config.port,
            process_request=routes,
            compression=config.compression,
            max_size=config.max_message_bytes * 4,
            write_limit=config.limits.write_buffer,
            close_timeout=config.close_timeout,
            ping_interval=20,
            ping_timeout=20,
            server_header="racefeed",
            logger=WEBSOCKETS_LOGGER,  # never DEBUG: frame dumps would log control tokens
            # A reconnect storm (every client of a restarted server at once) must not
            # overflow the accept queue: a dropped SYN is retried only after a second.
            backlog=max(100, config.connection_limits.max_connections),
        )
        self._port = int(self._ws.sockets[0].getsockname()[1])
        self.spawn(self._heartbeats())
        self._log.info("server_started", url=self.url, sessions=self.session_ids())

    async def stop(self) -> None:
        """Close every connection (1001) and stop every session."""
        for session in set(self.sessions.values()):
            session.close()
        if self._ws is not None:
            self._ws.close()
            await self._ws.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._log.info("server_stopped")

    @property
    def port(self) -> int:
        """The port listened on (the real one when configured with 0)."""
        assert self._port is not None, "the server is not started"
        return self._port

    @property
    def url(self) -> str:
        """``ws://host:port/``."""
        host = self.config.host
        if ":" in host:
            host = f"[{host}]"
        return f"ws://{host}:{self.port}/"

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a background task that ends (or is cancelled) with the server."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def connection_count(self) -> int:
        """Open websocket connections."""
        return len(self._ws.connections) if self._ws is not None else 0

    def session_ids(self) -> list[str]:
        """Every session id (aliases left out), named ones first."""
        unique = {id(s): s for s in self.sessions.values()}.values()
        return [s.id for s in sorted(unique, key=lambda s: (s.private, s.id))]

    # -- sessions ---------------------------------------------------------------------

    async def add_session(self, spec: SessionSpec) -> Session:
        """Create and start a named session.

        Raises:
            ValueError: the name (or an alias) is taken.
            UnknownScenario, ScenarioInvalid: the scenario cannot be loaded.
        """
        for name in (spec.name, *spec.aliases):
            if name in self.sessions:
                raise ValueError(f"session {name!r} exists already")
        if spec.events is not None:
            log = ScenarioLog(
                id=spec.name, title=spec.title or spec.name, kind="race", events=spec.events
            )
        elif spec.scenario is not None:
            log = await asyncio.to_thread(self.scenarios.load, spec.scenario, trusted=True)
        else:
            raise ValueError(f"session {spec.name!r}: give a scenario or events")
        session = self._new_session(
            spec.name,
            spec.token or new_control_token(),
            log,
            speed=spec.speed,
            rebase=spec.rebase,
            max_gap_ms=spec.max_gap_ms,
            private=False,
        )
        for name in (spec.name, *spec.aliases):
            self.sessions[name] = session
        session.start(paused=spec.paused)
        self._log.info(
            "session_created",
            session=session.id,
            stream=session.stream,
            scenario=log.id,
            private=False,
        )
        return session

    def token_of(self, session_id: str) -> str:
        """The control token of a session (for whoever started the server)."""
        token = self.sessions[session_id]._token
        assert token is not None, f"session {session_id!r} is not controlled by this server"
        return token

    def may_create_sessions(self, client: ClientLink, message: wire.CreateSession) -> bool:
        """Whether ``message`` carries the server token where there is one; else say so."""
        if self.config.token is None or token_matches(message.token, self.config.token):
            return True
        client.reply(
            wire.error(
                "unauthorized",
                "creating a session on this server needs the server token; this one is not it",
                field="$.token",
            )
        )
        return False

    async def create_session(self, client: ClientLink, message: wire.CreateSession) -> None:
        """Answer ``create_session``: a private session, its id and token to this client only."""
        if not self.may_create_sessions(client, message):
            return
        private = sum(1 for s in set(self.sessions.values()) if s.private)
        if private >= self.config.max_private_sessions:
            client.reply(
                wire.error(
                    "too_many_sessions",
                    f"the server holds {private} private sessions, its limit; try later",
                )
            )
            return
        try:
            log = await asyncio.to_thread(self.scenarios.load, message.scenario)
        except UnknownScenario as exc:
            known = ", ".join(exc.known) or "none"
            client.reply(
                wire.error(
                    "unknown_scenario",
                    f"no scenario {message.scenario!r} in the catalog; known: {known}",
                    field="$.scenario",
                )
            )
            return
        except RacefeedError as exc:
            client.reply(
                wire.error(
                    "unknown_scenario",
                    f"scenario {message.scenario!r} cannot be loaded: {exc}",
                    field="$.scenario",
                )
            )
            return
        session_id = new_private_session_id()
        token = new_control_token()
        session = self._new_session(
            session_id,
            token,
            log,
            speed=message.speed,
            rebase=message.timestamps == "rebased",
            max_gap_ms=message.max_gap_ms,
            private=True,
        )
        session.idle_since = asyncio.get_running_loop().time()
        self.sessions[session_id] = session
        if message.faults is not None:
            self.faults.set_session_faults(session, message.faults, message.fault_seed)
        session.start(paused=message.paused)
        self._log.info(
            "session_created",
            session=session_id,
            stream=session.stream,
            scenario=log.id,
            private=True,
            client=client.id,
        )
        client.reply(
            wire.SessionCreated(
                session=session_id,
                token=token,
                scenario=log.id,
                stream=session.stream,
                title=log.title,
                epoch=session.epoch,
            )
        )

    def control(self, client: ClientLink, message: wire.Control) -> None:
        """Answer ``control``: check the token, drive the clock, tell the controller."""
        session = self.sessions.get(message.session)
        if session is None:
            client.reply(
                wire.error(
                    "unknown_session",
                    f"no session {message.session!r}",
                    field="$.session",
                    session=message.session,
                )
            )
            return
        if not (
            session.check_token(message.token) or token_matches(message.token, self.config.token)
        ):
            client.reply(
                wire.error(
                    "unauthorized",
                    f"controlling session {session.id!r} needs its control token; this one "
                    "is not it",
                    field="$.token",
                    session=session.id,
                )
            )
            return
        if message.action == "faults":
            assert message.faults is not None  # checked by wire.parse_client
            self.faults.set_session_faults(session, message.faults, message.fault_seed)
            client.reply(session.status())
            return
        problem = session.control(message)
        if problem is not None:
            client.reply(problem)
        elif client.subscription is None or client.subscription.session is not session:
            client.reply(session.status())  # subscribers got it already

    def _new_session(
        self,
        session_id: str,
        token: str,
        log: ScenarioLog,
        *,
        speed: Speed,
        rebase: bool,
        max_gap_ms: int | None,
        private: bool,
    ) -> Session:
        return Session(
            id=session_id,
            token=token,
            events=log.events,
            title=log.title,
            scenario=log.id,
            clock=self.clock,
            spawn=self.spawn,
            speed=speed,
            max_gap_ms=max_gap_ms,
            rebase=rebase,
            private=private,
            batch=self.config.batch,
        )

    # -- connections and timers -------------------------------------------------------

    async def _handle(self, connection: ServerConnection) -> None:
        peer = connection.remote_address
        address = str(peer[0]) if peer else "?"
        refusal = self.admission.admit(address)
        if refusal is not None:
            self._log.warning("client_refused", code=refusal.code, peer=address)
            try:
                await connection.send(wire.encode(refusal).decode())
                await connection.close(1013, "too many connections")
            except ConnectionClosed:
                pass
            return
        try:
            await self.link(connection).run()
        finally:
            self.admission.release(address)

    def link(self, connection: ServerConnection) -> ClientLink:
        """The server's side of a new connection (a gateway answers it its own way)."""
        return ClientLink(self, connection)

    async def _heartbeats(self) -> None:
        """Heartbeats to idle subscribers, and expiry of unused private sessions."""
        loop = asyncio.get_running_loop()
        config = self.config
        while True:
            await asyncio.sleep(config.heartbeat_s)
            now = loop.time()
            for session in set(self.sessions.values()):
                session.heartbeat()
                idle = session.idle_since
                if session.private and idle is not None and now - idle >= config.private_idle_s:
                    self._expire(session)

    def _expire(self, session: Hub) -> None:
        session.close()
        for name in [name for name, s in self.sessions.items() if s is session]:
            del self.sessions[name]
        self._log.info("session_expired", session=session.id, stream=session.stream)

    # -- HTTP documents ---------------------------------------------------------------

    def _health(self) -> object:
        connections = self.connection_count()
        return {
            "status": "ok",
            "protocol": wire.PROTOCOL_VERSION,
            "sessions": len(self.session_ids()),
            "connections": connections,
        }

    def _catalog(self) -> object:
        return [
            {"id": e.id, "title": e.title, "kind": e.kind, "description": e.description}
            for e in self.scenarios.catalog()
        ]

    def _named_sessions(self) -> object:
        named = {id(s): s for s in self.sessions.values() if not s.private}.values()
        return [
            {
                "session": s.id,
                "aliases": sorted(n for n, v in self.sessions.items() if v is s and n != s.id),
                "scenario": s.scenario,
                "title": s.title,
                "stream": s.stream,
                "subscribers": len(s.subscriptions),
                **msgspec.structs.asdict(s.status()),
                "head_seq": s.head_seq,
            }
            for s in named
        ]

    def _asyncapi_bytes(self) -> bytes:
        if self._asyncapi is None:
            host = f"{self.config.host}:{self.port}"
            self._asyncapi = msgspec.json.encode(asyncapi_document(host=host))
        return self._asyncapi


@asynccontextmanager
async def run_server(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    sessions: Sequence[SessionSpec] = (),
    scenarios: ScenarioSource | None = None,
    clock: Clock | None = None,
    config: ServerConfig | None = None,
) -> AsyncIterator[Server]:
    """Run a server for the duration of an ``async with`` block.

    Args:
        host: the interface (overrides ``config.host``).
        port: the port, 0 for any free one (overrides ``config.port``).
        sessions: named sessions to start.
        scenarios: where scenarios come from (default: the catalog).
        clock: the replay clock (default: the real one).
        config: everything else.
    """
    config = replace(config or ServerConfig(), host=host, port=port)
    server = Server(config, scenarios=scenarios, clock=clock)
    await server.start()
    try:
        for spec in sessions:
            await server.add_session(spec)
        yield server
    finally:
        await server.stop()
