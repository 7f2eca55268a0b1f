"""The gateway role: serves clients from the log, the same way in every deployment.

One follower reads the whole log (history from the start, then live) and folds it
with ``feed.store.Timeline``; each session's records that take effect drive its
``SessionProtocol`` (through a ``SessionDriver``): the same history, catch-up,
fan-out, snapshots, views, heartbeats and faults whether the director runs in this
process (the embedded server, ``racefeed serve --log``) or elsewhere (``racefeed
gateway``). So any number of gateways serve the same sessions, and a client can
resume on any of them with its (epoch, seq).

A gateway reads the log at its own pace. A client that names a session, an epoch or
a seq this gateway has not read yet is answered once it has read as far as the log
held when the client asked (a few milliseconds), not after a fixed wait.
``control`` and ``create_session`` go to the director (``ControlChannel``); its
answer comes back to the client once this gateway has read what it did.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import msgspec
import structlog

from feed import codec, wire
from feed.faults import format_spec, parse_spec
from feed.protocol import Limits, SessionProtocol
from feed.protocol.budget import Budget
from feed.protocol.faults import FaultStates
from feed.protocol.views import FrameCache
from feed.server.auth import token_matches
from feed.server.clock import Clock, TimerHandle
from feed.server.control import ControlChannel, ControlOp
from feed.server.driver import SessionDriver
from feed.server.outbox import Outbox
from feed.store import (
    ClockChanged,
    Entry,
    EpochStarted,
    EventLog,
    EventPublished,
    FaultsChanged,
    SessionClosed,
    SessionOpened,
    Timeline,
    TokenIssued,
)

__all__ = ["Gateway"]

_logger = structlog.get_logger("racefeed.gateway")
_LOSS_CHECK_S = 1.0


class Gateway:
    """The sessions of a log, served to this process's clients.

    Args:
        log: the log to follow.
        control: the line to the director (``None``: control is refused).
        clock: the time source.
        limits: every limit and interval.
        token: the server token (good for creating and controlling any session).
        wait_s: the longest a request waits for this gateway to read the log's head.
    """

    def __init__(
        self,
        log: EventLog,
        control: ControlChannel | None,
        *,
        clock: Clock,
        limits: Limits,
        token: str | None = None,
        wait_s: float = 5.0,
    ) -> None:
        self.log = log
        self.control_channel = control
        self.clock = clock
        self.limits = limits
        self.token = token
        self.wait_s = wait_s
        self.sessions: dict[str, SessionDriver] = {}
        self.timeline = Timeline()
        self.position = 0  # the log position read up to
        # What the whole server may hold, whatever the number of clients and sessions.
        self.frames = FrameCache(limits.cached_frame_bytes)
        self.fault_states = FaultStates(limits.fault_states)
        self.outbound = Budget(limits.outbound_bytes)
        self.fault_budget = Budget(limits.fault_held_bytes)
        self._aliases: dict[str, str] = {}
        self._changed = asyncio.Event()
        self._follower: asyncio.Task[None] | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._report: TimerHandle | None = None

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Start following the log, reporting which sessions have followers, and watching the
        log for a loss."""
        self._follower = asyncio.get_running_loop().create_task(self._follow())
        self._watcher = asyncio.get_running_loop().create_task(self._watch_for_loss())
        self._arm_report()

    async def stop(self) -> None:
        """Stop following; stop every session's timer."""
        if self._report is not None:
            self._report.cancel()
        for task in (self._follower, self._watcher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for driver in self.sessions.values():
            driver.stop()

    def find(self, name: str) -> SessionDriver | None:
        """The session ``name`` (an id or an alias), if this gateway has read it."""
        return self.sessions.get(self._aliases.get(name, name))

    # -- what clients ask ---------------------------------------------------------------

    async def subscribe(
        self, outbox: Outbox, message: wire.Subscribe, client: str
    ) -> SessionDriver | wire.ErrorMessage:
        """Subscribe ``outbox`` to the session ``message`` names, once this gateway is there."""
        driver = self.find(message.session)
        if driver is None or _ahead(driver.protocol, message):
            await self.reach_log_head()
            driver = self.find(message.session)
        if driver is None:
            return wire.error(
                "unknown_session",
                f"no session {message.session!r}; create one with create_session",
                field="$.session",
                session=message.session,
            )
        driver.protocol.subscribe(outbox, message, client, driver.now())
        driver.run()
        return driver

    def unsubscribe(self, driver: SessionDriver, outbox: Outbox) -> None:
        """``outbox`` leaves ``driver``'s session."""
        if driver.protocol.unsubscribe(outbox, driver.now()):
            driver.run()

    async def control(
        self, message: wire.Control, *, subscribed_to: str | None
    ) -> wire.ServerMessage | None:
        """The director's answer to ``control``, or ``None`` where subscribers hear it anyway.

        This gateway's server token, good for any session, is checked here and not sent on.
        """
        authorized = token_matches(message.token, self.token)
        if authorized:
            message = msgspec.structs.replace(message, token="")
        reply = await self._forward("control", message, authorized=authorized)
        if isinstance(reply, wire.ReplayStatus) and message.action != "faults":
            driver = self.find(reply.session)
            if driver is not None and subscribed_to == driver.id:
                return None  # subscribers hear of the change from the log, in order
        return reply

    async def create_session(self, message: wire.CreateSession) -> wire.ServerMessage:
        """The director's answer to ``create_session`` (the server token checked here)."""
        if self.token is not None and not token_matches(message.token, self.token):
            return wire.error(
                "unauthorized",
                "creating a session on this server needs the server token; this one is not it",
                field="$.token",
            )
        message = msgspec.structs.replace(message, token="")
        return await self._forward("create", message, authorized=self.token is not None)

    async def _forward(
        self,
        op: ControlOp,
        message: wire.Control | wire.CreateSession,
        *,
        authorized: bool,
    ) -> wire.ServerMessage:
        if self.control_channel is None:
            return wire.error("unauthorized", "this server takes no control messages")
        reply = await self.control_channel.request(op, message, authorized=authorized)
        if not isinstance(reply, wire.ErrorMessage):
            await self.reach_log_head()  # answer once what the director did is served here
        return reply

    async def reach_log_head(self) -> bool:
        """Wait until this gateway has read as far as the log holds now; whether it did."""
        try:
            async with asyncio.timeout(self.wait_s):
                head = await self.log.head()
        except (TimeoutError, OSError):
            return False
        return await self.wait_until(lambda: self.position >= head, self.wait_s)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait for ``predicate()`` to hold as the log is read; whether it did in time."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            left = deadline - loop.time()
            if left <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(left):
                    await self._changed.wait()
        return True

    # -- following the log ------------------------------------------------------------

    async def _follow(self) -> None:
        """Fold the log into the sessions, for ever; after a failure, from where it was."""
        while True:
            try:
                async for batch in self.log.follow(after=self.position):
                    self._apply(batch)
                    self.position = batch[-1].position
                    self._wake()
                return  # the log was closed
            except asyncio.CancelledError:
                raise
            except Exception:
                _logger.exception("log_follow_failed", position=self.position)
                await asyncio.sleep(0.5)

    def _apply(self, batch: list[Entry]) -> None:
        """Fold a batch; drive each session with the records that took effect, in order."""
        now = self.clock.now()
        touched: dict[str, SessionDriver] = {}
        pending: dict[str, tuple[list[object], list[bytes]]] = {}

        def publish(name: str) -> None:
            found = pending.pop(name, None)
            driver = self.sessions.get(name)
            if found is not None and driver is not None:
                events, envelopes = found
                driver.protocol.publish(events, envelopes, now)  # type: ignore[arg-type]

        for entry in batch:
            for change in self.timeline.apply(entry.record):
                name = change.session
                if isinstance(change, EventPublished):
                    envelope = bytes(change.envelope)
                    event = entry.event if change is entry.record and entry.event else None
                    events, envelopes = pending.setdefault(name, ([], []))
                    events.append(event or codec.decode(envelope))
                    envelopes.append(envelope)
                    continue
                publish(name)
                driver = self._take(change, now)
                if driver is not None:
                    touched[driver.id] = driver
        for name in list(pending):
            publish(name)
            if name in self.sessions:
                touched[name] = self.sessions[name]
        for driver in touched.values():
            driver.run()

    def _take(self, change: object, now: float) -> SessionDriver | None:
        """Act on one record that is not an event; the session it touched."""
        match change:
            case SessionOpened():
                return self._open(change, now)
            case SessionClosed():
                driver = self.sessions.pop(change.session, None)
                if driver is None:
                    return None
                for alias in driver.opened.aliases:
                    self._aliases.pop(alias, None)
                driver.protocol.close(f"was closed ({change.reason})")
                driver.run()
                driver.stop()
                return None
            case EpochStarted():
                driver = self.sessions.get(change.session)
                if driver is not None:
                    driver.protocol.start_epoch(change.epoch, change.head_seq, change.status, now)
                return driver
            case ClockChanged():
                driver = self.sessions.get(change.session)
                if driver is not None:
                    driver.protocol.clock_changed(change.status, now)
                return driver
            case FaultsChanged():
                driver = self.sessions.get(change.session)
                if driver is not None:
                    spec = parse_spec(change.faults)
                    text = "none" if spec.is_clean() else format_spec(spec)
                    driver.protocol.set_faults(text, change.seed)
                return driver
            case TokenIssued():
                return None
        return None

    def _open(self, opened: SessionOpened, now: float) -> SessionDriver:
        known = self.sessions.get(opened.session)
        if known is not None:  # the log was lost and is being read again: it goes on
            return known
        protocol: SessionProtocol[Outbox] = SessionProtocol(
            id=opened.session,
            stream=opened.stream,
            last_seq=opened.events,
            limits=self.limits,
            frames=self.frames,
            fault_states=self.fault_states,
            now=now,
            max_gap_ms=opened.max_gap_ms,
            fault_budget=self.fault_budget,
        )
        driver = SessionDriver(protocol, opened, self.clock)
        self.sessions[opened.session] = driver
        for alias in opened.aliases:
            self._aliases[alias] = opened.session
        _logger.info("session_found", session=opened.session, scenario=opened.scenario)
        return driver

    async def _watch_for_loss(self) -> None:
        """Every second: a log made anew (or whose head is behind what was read) was lost."""
        first: str | None = None
        while True:
            read = self.position  # taken first: the follower may read on while we ask
            try:
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel
                async with asyncio.timeout(self.wait_s):
                    incarnation = await self.log.incarnation()
                    head = await self.log.head()
            except Exception:  # the log's server away for now is not a loss: look again
                await asyncio.sleep(_LOSS_CHECK_S)
                continue
            if first is None:
                first = incarnation
            elif incarnation != first or head < read:
                first = incarnation
                self._read_again(head)
            await asyncio.sleep(_LOSS_CHECK_S)

    def _read_again(self, head: int) -> None:
        """The log was made anew: start every session over, explicitly, and read it again.

        Each subscriber is moved to a new epoch with nothing in it (``replay_state``, an
        empty snapshot, ``caught_up``): what it holds is no longer continued. Then the
        new log is read from its start; the director writes every session into it again.
        """
        _logger.warning("log_lost", position=self.position, head=head)
        if self._follower is not None:
            self._follower.cancel()
        now = self.clock.now()
        for driver in self.sessions.values():
            protocol = driver.protocol
            status = msgspec.structs.replace(
                protocol.status(now), epoch=protocol.epoch + 1, position_seq=0, race=None
            )
            protocol.start_epoch(protocol.epoch + 1, 0, status, now)
            driver.run()
        self.timeline = Timeline()
        self.position = 0
        self._follower = asyncio.get_running_loop().create_task(self._follow())

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    # -- usage ----------------------------------------------------------------------------

    def _arm_report(self) -> None:
        every = min(max(self.limits.private_idle_s / 4, 0.01), 30.0)
        self._report = self.clock.call_at(
            self.clock.now() + every, self._send_report, background=True
        )

    def _send_report(self) -> None:
        if self.control_channel is not None:
            used = [d.id for d in self.sessions.values() if d.protocol.subscribers]
            self.control_channel.report_usage(used)
        self._arm_report()


def _ahead(protocol: SessionProtocol[Outbox], message: wire.Subscribe) -> bool:
    """Whether a subscribe names an epoch or a seq this gateway has not read yet."""
    if message.epoch is not None and message.epoch > protocol.epoch:
        return True
    same_epoch = message.epoch is None or message.epoch == protocol.epoch
    return (
        same_epoch
        and not protocol.ended
        and message.from_seq is not None
        and message.from_seq > protocol.head_seq + 1
    )
