"""The gateway: serves websocket clients from the shared log, as ``racefeed serve`` does.

A gateway is a ``Server`` whose sessions are not clocks but mirrors. One follower
reads the whole log (history from the start, then live) and folds it with
``feed.store.Timeline``; each session's records that take effect drive a
``RemoteSession``, a ``Hub`` like the one a local session has: the same published
log, catch-up, fan-out, snapshots (projected from the events of the log), views and
heartbeats. So any number of gateways serve the same sessions, and a client can
resume on any of them with its (epoch, seq).

A gateway can be a little behind another (each reads the log at its own pace). A
client that resumes here with an epoch or a seq this gateway has not reached yet,
or names a session it has not seen yet, waits (up to ``wait_s``) instead of being
told that its position is unreachable. ``control`` and ``create_session`` go to the
director (``feed.net.natsctl``); its answer comes back to the client. Session-wide
fault specs (the ``faults`` action, ``create_session`` with ``faults``) are written
to the log by the director, so every gateway applies them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Protocol

import msgspec
import structlog
from websockets.asyncio.server import ServerConnection

from feed import codec, wire
from feed.events import Event
from feed.net.auth import token_matches
from feed.net.connection import ClientLink
from feed.net.hub import BatchLimits, Hub, Spawn
from feed.net.scenarios import ScenarioSource
from feed.net.server import Server, ServerConfig, SessionSpec
from feed.net.session import Session
from feed.store import (
    ClockChanged,
    EpochStarted,
    EventLog,
    EventPublished,
    FaultsChanged,
    LogRecord,
    SessionOpened,
    Timeline,
)

__all__ = ["ControlRequester", "Gateway", "RemoteSession", "run_gateway"]


class ControlRequester(Protocol):
    """Sends a client's control message to the director and returns the director's answer."""

    async def request(
        self, op: str, message: wire.Control | wire.CreateSession, *, authorized: bool = False
    ) -> wire.ServerMessage:
        """``op`` is ``control`` or ``create``; ``authorized``: the server token was given."""


class RemoteSession(Hub):
    """A session whose clock runs in the director: driven by the records of the log."""

    def __init__(
        self, opened: SessionOpened, *, spawn: Spawn, batch: BatchLimits | None = None
    ) -> None:
        super().__init__(
            id=opened.session,
            stream=opened.stream,
            title=opened.title,
            scenario=opened.scenario,
            spawn=spawn,
            private=opened.private,
            batch=batch,
        )
        self._epoch = 1
        self._status = wire.ReplayStatus(
            session=opened.session,
            epoch=1,
            state="paused",
            speed=1.0,
            position_seq=0,
            race=None,
            race_ms=0,
        )

    @property
    def epoch(self) -> int:
        """The current epoch, as the log says."""
        return self._epoch

    def status(self) -> wire.ReplayStatus:
        """The clock as the director last wrote it."""
        return self._status

    def apply(self, records: Sequence[LogRecord]) -> None:
        """Act on records that took effect (from ``Timeline.apply``), in order."""
        events: list[Event] = []
        envelopes: list[bytes] = []

        def flush() -> None:
            if events:
                self.publish(list(events), list(envelopes))
                events.clear()
                envelopes.clear()

        for record in records:
            match record:
                case EventPublished():
                    envelope = bytes(record.envelope)
                    envelopes.append(envelope)
                    events.append(codec.decode(envelope))
                case EpochStarted():
                    flush()
                    self._epoch = record.epoch
                    self._status = record.status
                    self.start_epoch(record.head_seq)
                case ClockChanged():
                    flush()
                    self._status = record.status
                    if record.status.state != "ended":
                        self.clock_changed()
                    elif not self.ended:
                        self.end()
                case SessionOpened() | FaultsChanged():
                    pass
        flush()


class Gateway(Server):
    """A websocket server over the shared log (see the module docstring).

    Args:
        log: the shared log (a ``JetStreamLog`` in production).
        control: where control messages go (``None``: they are refused).
        config: the server's settings.
        scenarios: the catalog served on ``/v1/scenarios``.
        wait_s: how long a client waits for this gateway to reach its position.
    """

    def __init__(
        self,
        log: EventLog,
        control: ControlRequester | None = None,
        config: ServerConfig | None = None,
        *,
        scenarios: ScenarioSource | None = None,
        wait_s: float = 5.0,
    ) -> None:
        super().__init__(config, scenarios=scenarios)
        self.log = log
        self.control_requester = control
        self.wait_s = wait_s
        self.timeline = Timeline()
        self.position = 0  # the log position read up to
        self._changed = asyncio.Event()
        self._log = structlog.get_logger("racefeed.gateway")

    async def start(self) -> None:
        """Listen, and start following the log."""
        await super().start()
        self.spawn(self._follow())

    # -- following the log ------------------------------------------------------------

    async def _follow(self) -> None:
        """Fold the log into the sessions, for ever; after a failure, from where it was."""
        while True:
            try:
                async for batch in self.log.follow(after=self.position):
                    self._apply([entry.record for entry in batch])
                    self.position = batch[-1].position
                    self._wake()
                return  # the log was closed
            except asyncio.CancelledError:
                raise
            except Exception:
                self._log.exception("log_follow_failed", position=self.position)
                await asyncio.sleep(0.5)

    def _apply(self, records: Sequence[LogRecord]) -> None:
        """Fold a batch, then drive each session with the records that took effect."""
        effective: dict[str, list[LogRecord]] = {}
        for record in records:
            for change in self.timeline.apply(record):
                if isinstance(change, SessionOpened):
                    self._open(change)
                elif isinstance(change, FaultsChanged):
                    hub = self.sessions.get(change.session)
                    if hub is not None:
                        self.faults.set_session_faults(hub, change.faults, change.seed)
                else:
                    effective.setdefault(change.session, []).append(change)
        for name, changes in effective.items():
            session = self.sessions.get(name)
            if isinstance(session, RemoteSession):
                session.apply(changes)

    def _open(self, opened: SessionOpened) -> None:
        if opened.session in self.sessions:
            return
        self.sessions[opened.session] = RemoteSession(
            opened, spawn=self.spawn, batch=self.config.batch
        )
        self._log.info("session_found", session=opened.session, scenario=opened.scenario)

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait for ``predicate()`` to hold after the log moves on; whether it did in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)
        return True

    # -- what the director owns -------------------------------------------------------

    async def add_session(self, spec: SessionSpec) -> Session:
        """Sessions are opened by the director, never by a gateway."""
        raise ValueError(
            f"session {spec.name!r}: a gateway serves the director's sessions; "
            "name sessions on `racefeed director`"
        )

    def token_of(self, session_id: str) -> str:
        """A gateway never holds control tokens."""
        raise KeyError(f"session {session_id!r}: tokens are the director's")

    def control(self, client: ClientLink, message: wire.Control) -> None:
        """Forward ``control`` to the director; its answer goes to this client.

        The director checks the session's token; this gateway's server token, good
        for any session, is checked here and not sent on.
        """
        authorized = token_matches(message.token, self.config.token)
        if authorized:
            message = msgspec.structs.replace(message, token="")
        self.spawn(self._forward(client, "control", message, authorized=authorized))

    async def create_session(self, client: ClientLink, message: wire.CreateSession) -> None:
        """Forward ``create_session``; answer once this gateway has the new session too."""
        if not self.may_create_sessions(client, message):
            return
        message = msgspec.structs.replace(message, token="")
        await self._forward(client, "create", message, authorized=self.config.token is not None)

    async def _forward(
        self,
        client: ClientLink,
        op: str,
        message: wire.Control | wire.CreateSession,
        *,
        authorized: bool,
    ) -> None:
        if self.control_requester is None:
            client.reply(wire.error("unauthorized", "this gateway takes no control messages"))
            return
        reply = await self.control_requester.request(op, message, authorized=authorized)
        if isinstance(reply, wire.SessionCreated):
            name = reply.session
            await self.wait_until(lambda: name in self.sessions, self.wait_s)
        if isinstance(reply, wire.ReplayStatus) and not (
            isinstance(message, wire.Control) and message.action == "faults"
        ):
            sub = client.subscription
            if sub is not None and sub.session.id == reply.session:
                return  # subscribers hear of the change from the log, in order
        client.reply(reply)

    def _expire(self, session: Hub) -> None:
        """Private sessions live as long as the director keeps them."""

    def _health(self) -> object:
        health = super()._health()
        assert isinstance(health, dict)
        return {**health, "role": "gateway", "log_position": self.position}

    # -- connections ------------------------------------------------------------------

    def link(self, connection: ServerConnection) -> ClientLink:
        """A link that waits for the log where a client's resume is ahead of this gateway."""
        return GatewayLink(self, connection)


class GatewayLink(ClientLink):
    """A client connection to a gateway: waits for the log where a resume is ahead of it."""

    def __init__(self, gateway: Gateway, connection: ServerConnection) -> None:
        super().__init__(gateway, connection)
        self.gateway = gateway
        self._waiting: asyncio.Task[None] | None = None

    def subscribe(self, message: wire.Subscribe) -> None:
        """Subscribe now, or once this gateway has read as far as the client has."""
        self._stop_waiting()
        if self._ahead(message):
            self._waiting = asyncio.get_running_loop().create_task(self._subscribe_later(message))
            return
        super().subscribe(message)

    def leave(self) -> None:
        """Drop the subscription, and a subscribe still waiting."""
        self._stop_waiting()
        super().leave()

    async def _subscribe_later(self, message: wire.Subscribe) -> None:
        await self.gateway.wait_until(lambda: not self._ahead(message), self.gateway.wait_s)
        self._waiting = None
        if not self.outbox.closed:
            super().subscribe(message)  # what is still ahead now gets its error

    def _ahead(self, message: wire.Subscribe) -> bool:
        """Whether the client asks for a session, epoch or seq this gateway has not read yet."""
        session = self.gateway.sessions.get(message.session)
        if session is None:
            return True
        if message.epoch is not None and message.epoch > session.epoch:
            return True
        same_epoch = message.epoch is None or message.epoch == session.epoch
        return (
            same_epoch
            and not session.ended
            and message.from_seq is not None
            and message.from_seq > session.head_seq + 1
        )

    def _stop_waiting(self) -> None:
        task = self._waiting
        if task is not None and task is not asyncio.current_task():
            task.cancel()
        self._waiting = None


@asynccontextmanager
async def run_gateway(
    log: EventLog,
    control: ControlRequester | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    config: ServerConfig | None = None,
    wait_s: float = 5.0,
) -> AsyncIterator[Gateway]:
    """Run a gateway for the duration of an ``async with`` block."""
    config = replace(config or ServerConfig(), host=host, port=port)
    gateway = Gateway(log, control, config, wait_s=wait_s)
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.stop()
