"""The racefeed server: one host, a gateway role and (unless scaled out) a director role.

Every deployment is this host over a different log:

- ``racefeed serve`` (and ``run_server``): both roles in one process over the
  in-memory log, the director's events handed to the gateway without being decoded
  again;
- ``racefeed serve --log FILE``: the same over a JSONL file, so that sessions go on
  where they were after a restart;
- ``racefeed gateway``: the gateway role only, over NATS JetStream, with the director
  in another process (``racefeed director``).

Start one in-process (tests, notebooks, other programs)::

    async with run_server(sessions=[SessionSpec(name="main", scenario="tokyo-2025-m1500-final")],
                          port=0) as server:
        print(server.url)          # ws://127.0.0.1:PORT/
        await server.ended("main")
"""

from __future__ import annotations

import asyncio
import socket
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
from feed.protocol import Limits
from feed.server.admission import Admission
from feed.server.auth import WEBSOCKETS_LOGGER, check_bind
from feed.server.catalog import CatalogScenarios, ScenarioSource
from feed.server.clock import Clock, RealClock
from feed.server.connection import ClientLink
from feed.server.control import ControlChannel, LocalControl
from feed.server.director import Director, OpenedSession
from feed.server.driver import SessionDriver
from feed.server.gateway import Gateway
from feed.server.http import HttpRoutes, default_web_root
from feed.server.spec import SessionSpec
from feed.store import EventLog
from feed.store.memory import MemoryLog

__all__ = ["Server", "ServerConfig", "run_server"]

_UNSET_ROOT = Path("\0unset")
_logger = structlog.get_logger("racefeed.server")


@dataclass(frozen=True, kw_only=True)
class ServerConfig:
    """Where a server listens and how; every limit is in ``limits``.

    Attributes:
        host: the interface to listen on.
        port: the port (0: any free one, see ``Server.port``).
        limits: every limit and interval (``feed.protocol.Limits``).
        token: the server token: needed to create sessions, and good for controlling
            any; a server listening beyond loopback refuses to start without one.
        close_timeout: seconds to wait for a client's closing handshake.
        web_root: directory served at ``/`` (default: ``clients/web`` if present).
        compression: ``None`` (default) or ``"deflate"``.
        catch_up_wait_s: the longest a request waits for the gateway to read the log.
        send_buffer: the kernel's send buffer per connection, in bytes (default: the
            system's, which grows to megabytes); small, a stopped reader shows up
            as ``too_slow`` after kilobytes instead of megabytes.
    """

    host: str = "127.0.0.1"
    port: int = 8765
    limits: Limits = field(default_factory=Limits)
    token: str | None = field(default=None, repr=False)
    close_timeout: float = 5.0
    web_root: Path | None = _UNSET_ROOT
    compression: str | None = None
    catch_up_wait_s: float = 5.0
    send_buffer: int | None = None


class Server:
    """A racefeed server (see the module docstring; ``run_server`` runs one).

    Args:
        config: where and how to listen.
        log: the log (default: a new in-memory one).
        control: the line to a director in another process; without it, this
            server runs its own director over ``log``.
        scenarios: where the director gets scenarios, and the catalog served.
        clock: the time source (default: the real one).
    """

    def __init__(
        self,
        config: ServerConfig | None = None,
        *,
        log: EventLog | None = None,
        control: ControlChannel | None = None,
        scenarios: ScenarioSource | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.config = config or ServerConfig()
        self.limits = self.config.limits
        self.log: EventLog = log if log is not None else MemoryLog()
        self.scenarios: ScenarioSource = scenarios or CatalogScenarios()
        self.clock: Clock = clock or RealClock()
        self.director: Director | None = None
        if control is None:
            self.director = Director(
                self.log, scenarios=self.scenarios, clock=self.clock, limits=self.limits
            )
            control = LocalControl(self.director)
        self.gateway = Gateway(
            self.log,
            control,
            clock=self.clock,
            limits=self.limits,
            token=self.config.token,
            wait_s=self.config.catch_up_wait_s,
        )
        self.admission = Admission(self.limits)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ws: WsServer | None = None
        self._port: int | None = None
        self._asyncapi: bytes | None = None
        self.opened: list[OpenedSession] = []  # named sessions opened (or taken up) here
        self._routes: HttpRoutes | None = None
        self._catalog_cache: tuple[object, bytes] | None = None

    # -- lifecycle --------------------------------------------------------------------

    async def start(self, sessions: Sequence[SessionSpec] = ()) -> None:
        """Take up the log, listen, and open the named ``sessions``.

        ``server_started`` is logged once they exist, with their names.

        Raises:
            InsecureBind: the host is not loopback and there is no server token.
            OSError: the port is taken, or the interface does not exist.
        """
        config = self.config
        check_bind(config.host, config.token)
        if self.director is not None:
            await self.director.start()
        await self.gateway.start()
        web_root = default_web_root() if config.web_root == _UNSET_ROOT else config.web_root
        self._routes = routes = HttpRoutes(
            health=self._health,
            scenarios=self._catalog,
            sessions=self._named_sessions,
            asyncapi=self._asyncapi_bytes,
            web_root=web_root,
            # Rates are the network's: real time, whatever clock the replays keep.
            admit=lambda address: self.admission.admit_request(
                address, asyncio.get_running_loop().time()
            ),
        )
        self._ws = await serve(
            self._handle,
            config.host,
            config.port,
            process_request=routes,
            compression=config.compression,
            max_size=self.limits.max_message_bytes * 4,
            write_limit=self.limits.write_buffer,
            close_timeout=config.close_timeout,
            ping_interval=20,
            ping_timeout=20,
            server_header="racefeed",
            logger=WEBSOCKETS_LOGGER,  # never DEBUG: frame dumps would log control tokens
            # A reconnect storm (every client of a restarted server at once) must not
            # overflow the accept queue: a dropped SYN is retried only after a second.
            backlog=max(100, self.limits.max_connections),
        )
        if config.send_buffer is not None:
            for listening in self._ws.sockets:  # accepted connections inherit it
                listening.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, config.send_buffer)
        self._port = int(self._ws.sockets[0].getsockname()[1])
        for spec in sessions:
            await self.add_session(spec)
        _logger.info(
            "server_started",
            url=self.url,
            director=self.director is not None,
            sessions=[spec.name for spec in sessions],
        )

    async def stop(self) -> None:
        """Close every connection (1001), stop every session, and store what was appended."""
        if self._ws is not None:
            self._ws.close()
            await self._ws.wait_closed()
        await self.gateway.stop()
        if self.director is not None:
            await self.director.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        _logger.info("server_stopped")

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

    # -- sessions ---------------------------------------------------------------------

    async def add_session(self, spec: SessionSpec) -> OpenedSession:
        """Open (or take up from the log) a named session, and wait until it is served.

        Raises:
            ValueError: no director here, a bad or taken name, or a log that knows the
                name for another scenario.
            UnknownScenario, ScenarioInvalid: the scenario cannot be loaded.
        """
        if self.director is None:
            raise ValueError(
                f"session {spec.name!r}: this server serves another process's director; "
                "name sessions on `racefeed director`"
            )
        opened = await self.director.add_session(spec)
        self.opened.append(opened)
        await self.gateway.reach_log_head()
        return opened

    def token_of(self, name: str) -> str:
        """A control token of a named session opened by this server (for whoever started it).

        Raises:
            KeyError: no session of that name was opened here.
        """
        for opened in self.opened:
            if name == opened.clock.id or name in opened.clock.opened.aliases:
                return opened.token
        raise KeyError(name)

    def session(self, name: str) -> SessionDriver:
        """The session ``name`` (id or alias) as this server serves it.

        Raises:
            KeyError: no such session (yet).
        """
        found = self.gateway.find(name)
        if found is None:
            raise KeyError(name)
        return found

    async def ended(self, name: str) -> None:
        """Wait until the session's replay ended (every subscriber was sent ``end``)."""
        await self.gateway.reach_log_head()
        await self.session(name).ended.wait()

    # -- connections --------------------------------------------------------------------

    async def _handle(self, connection: ServerConnection) -> None:
        peer = connection.remote_address
        address = str(peer[0]) if peer else "?"
        refusal = self.admission.admit(address)
        if refusal is not None:
            _logger.warning("client_refused", code=refusal.code, peer=address)
            try:
                await connection.send(wire.encode(refusal).decode())
                await connection.close(1013, "too many connections")
            except ConnectionClosed:
                pass
            return
        try:
            await ClientLink(self.gateway, self.limits, connection, self.spawn).run()
        finally:
            self.admission.release(address)

    # -- HTTP documents ---------------------------------------------------------------

    def _health(self) -> object:
        drivers = self.gateway.sessions.values()
        return {
            "status": "ok",
            "protocol": wire.PROTOCOL_VERSION,
            "role": "embedded" if self.director is not None else "gateway",
            "sessions": sum(1 for d in drivers if not d.opened.private),
            "private_sessions": sum(1 for d in drivers if d.opened.private),
            "connections": self.connection_count(),
            "http_requests": self._routes.answered if self._routes is not None else 0,
            "log_position": self.gateway.position,
        }

    async def _catalog(self) -> bytes:
        # Reading the catalog may mean reading files: never on the loop.
        return await asyncio.to_thread(self._catalog_bytes)

    def _catalog_bytes(self) -> bytes:
        entries = self.scenarios.catalog()  # cached by the source until a file changes
        if self._catalog_cache is None or self._catalog_cache[0] is not entries:
            document = [
                {"id": e.id, "title": e.title, "kind": e.kind, "description": e.description}
                for e in entries
            ]
            self._catalog_cache = (entries, msgspec.json.encode(document))
        return self._catalog_cache[1]

    def _named_sessions(self) -> object:
        now = self.clock.now()
        return [
            {
                "session": d.id,
                "aliases": list(d.opened.aliases),
                "scenario": d.opened.scenario,
                "title": d.opened.title,
                "stream": d.opened.stream,
                "subscribers": d.protocol.subscribers,
                **msgspec.structs.asdict(d.protocol.status(now)),
                "head_seq": d.protocol.head_seq,
            }
            for d in self.gateway.sessions.values()
            if not d.opened.private
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
    log: EventLog | None = None,
    control: ControlChannel | None = None,
) -> AsyncIterator[Server]:
    """Run a server for the duration of an ``async with`` block.

    Args:
        host: the interface (overrides ``config.host``).
        port: the port, 0 for any free one (overrides ``config.port``).
        sessions: named sessions to open (or take up from ``log``).
        scenarios: where scenarios come from (default: the catalog).
        clock: the replay clock (default: the real one).
        config: everything else.
        log: the log (default: in memory); a ``JsonlLog`` keeps sessions across restarts.
        control: a director in another process (then ``sessions`` must be empty).
    """
    config = replace(config or ServerConfig(), host=host, port=port)
    server = Server(config, log=log, control=control, scenarios=scenarios, clock=clock)
    try:
        await server.start(sessions)
    except BaseException:
        await server.stop()  # what started before the failure (the log's reader) stops too
        raise
    try:
        yield server
    finally:
        await server.stop()
