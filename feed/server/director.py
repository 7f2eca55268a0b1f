"""The director role: session clocks, and every rule about sessions, in one place.

The director owns each session's clock (``SessionClock``) and writes what it does
to the log; gateways serve it to clients. Opening sessions (named at start, or
private ones clients create), their control tokens, the private-session limit and
the expiry of private sessions nobody follows are decided here and nowhere else,
whatever the deployment: in the embedded server and ``racefeed serve --log`` the
gateway role in the same process asks it directly (``LocalControl``); scaled out,
gateways ask over NATS.

On start the director reads the whole log. A session named on its command line that
the log knows is taken up where the log says it was (same epoch, the clock just
after the last event stored, playing, paused or ended as it was), so a restarted
director goes on without a gap or a repeat; private sessions are taken up the same
way. Control tokens are checked against the SHA-256s the log holds for the session
(the token itself is never written): each start that names a session issues one
more token good for it, so that the operator always has one, and controllers that
hold an older one keep it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import msgspec
import structlog

from feed import wire
from feed.codec import decode_json
from feed.errors import RacefeedError, ScenarioError, ScenarioInvalid, UnknownScenario
from feed.protocol import Limits
from feed.replay import Speed
from feed.server.auth import (
    SessionTokens,
    new_control_token,
    new_private_session_id,
    token_digest,
)
from feed.server.catalog import CatalogScenarios, LoadedScenario, ScenarioSource
from feed.server.clock import Clock, RealClock, TimerHandle
from feed.server.control import ControlOp
from feed.server.session_clock import SessionClock
from feed.server.session_records import (
    check_same_scenario,
    closed_record,
    faults_record,
    opened_record,
    rewrite_preamble,
    token_record,
)
from feed.server.spec import SessionSpec
from feed.store import (
    EventLog,
    KnownSession,
    SessionOpened,
    Timeline,
    check_session_name,
)

__all__ = ["Director", "OpenedSession", "run_director"]

_control_decoder = msgspec.json.Decoder(wire.Control)
_create_decoder = msgspec.json.Decoder(wire.CreateSession)
_logger = structlog.get_logger("racefeed.director")
_STORED_WAIT_S = 2.0  # how long an answer to a gateway waits for the log to store it


@dataclass(frozen=True, kw_only=True)
class OpenedSession:
    """A named session the director runs, and how it came to.

    Attributes:
        clock: its clock.
        token: a control token good for it, issued now (printed once, never logged).
        resumed: taken up from the log rather than opened anew.
    """

    clock: SessionClock
    token: str
    resumed: bool


class Director:
    """Runs session clocks over ``log`` and decides everything about sessions.

    Args:
        log: where the sessions are written.
        scenarios: where scenarios come from (default: the catalog).
        clock: the time source (default: the real one).
        limits: ``max_private_sessions`` and ``private_idle_s`` are read here.
    """

    def __init__(
        self,
        log: EventLog,
        *,
        scenarios: ScenarioSource | None = None,
        clock: Clock | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.log = log
        self.scenarios: ScenarioSource = scenarios or CatalogScenarios()
        self.clock: Clock = clock or RealClock()
        self.limits = limits or Limits()
        self.sessions: dict[str, SessionClock] = {}
        self.timeline = Timeline()
        self._tokens = SessionTokens()
        self._creating = 0  # private sessions being loaded: they count against the limit
        self._expiry: TimerHandle | None = None
        self._forgetting: set[asyncio.Task[None]] = set()

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Read the log, take up the private sessions it holds, and watch for idle ones."""
        self.log.on_lost(self._log_lost)
        for entry in await self.log.read():
            self.timeline.apply(entry.record)
        _logger.info("log_read", sessions=sorted(self.timeline.sessions))
        for name, known in self.timeline.sessions.items():
            if known.opened.private:
                try:
                    self._take_up(known, await self._load(known.opened.scenario))
                except (RacefeedError, ValueError) as exc:
                    _logger.warning("session_not_resumed", session=name, error=str(exc))
        self._arm_expiry()

    async def stop(self) -> None:
        """Stop every clock and store what was appended."""
        if self._expiry is not None:
            self._expiry.cancel()
        for session in self.sessions.values():
            session.close()
        if self._forgetting:
            await asyncio.gather(*self._forgetting, return_exceptions=True)
        await self.log.flush()
        _logger.info("director_stopped")

    # -- named sessions ---------------------------------------------------------------

    async def add_session(self, spec: SessionSpec, *, reset: bool = False) -> OpenedSession:
        """Open a named session, or take it up from the log if the log knows it.

        Args:
            spec: the session, as ``racefeed serve`` takes it.
            reset: when the log knows the session, start it over (a new epoch from seq 0).

        Raises:
            ValueError: a bad name, a name taken here, or a log that knows the name for
                another scenario.
            UnknownScenario, ScenarioInvalid: the scenario cannot be loaded.
        """
        name = check_session_name(spec.name)
        for alias in spec.aliases:
            check_session_name(alias)
        if name in self.sessions:
            raise ValueError(f"session {name!r} exists already")
        if spec.events is not None:
            loaded = LoadedScenario(
                id=name, title=spec.title or name, kind="race", events=list(spec.events)
            )
        elif spec.scenario is not None:
            loaded = await self._load(spec.scenario, trusted=True)
        else:
            raise ValueError(f"session {name!r}: give a scenario or events")
        token = spec.token or new_control_token()
        known = self.timeline.sessions.get(name)
        if known is None:
            clock = self._open(name, loaded, spec=spec, token=token, private=False)
            clock.start(paused=spec.paused)
            if spec.paused and spec.at_start_list:
                gun = next((e.seq for e in loaded.events if e.type == "race_started"), 1)
                self._apply(clock, wire.Control(session=name, action="seek", seq=gun - 1))
            await self.log.flush()  # stored before anyone is told the session exists
            return OpenedSession(clock=clock, token=token, resumed=False)
        check_same_scenario(known.opened, loaded)
        clock = self._take_up(known, loaded)
        if not self._tokens.holds(name, token_digest(token)):
            self._issue(name, token)
        if reset:
            self._apply(clock, wire.Control(session=name, action="seek", seq=0))
            action: wire.ControlAction = "pause" if spec.paused else "play"
            self._apply(clock, wire.Control(session=name, action=action))
        await self.log.flush()
        return OpenedSession(clock=clock, token=token, resumed=True)

    # -- what gateways ask ------------------------------------------------------------

    async def handle(self, op: ControlOp, payload: bytes, authorized: bool) -> wire.ServerMessage:
        """Answer one forwarded client message: ``control`` or ``create`` (``create_session``).

        Args:
            op: which message.
            payload: its JSON, as the client sent it.
            authorized: the gateway checked the client's server token; no session
                token is needed.
        """
        try:
            if op == "control":
                reply = self.control(decode_json(_control_decoder, payload), authorized=authorized)
            else:
                reply = await self.create_session(decode_json(_create_decoder, payload))
        except msgspec.DecodeError as exc:
            return wire.error("bad_message", f"not a {op} message: {exc}")
        if not isinstance(reply, wire.ErrorMessage):
            # The gateway answers its client once it has read the log's head: what this
            # did must be stored by then, or the client hears of a session it cannot find.
            # Bounded: requests are answered one at a time, and a log that is away must
            # not hold up the next one.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_STORED_WAIT_S):
                    await self.log.flush()
        return reply

    def control(self, message: wire.Control, *, authorized: bool = False) -> wire.ServerMessage:
        """Check the token and drive the clock; the session's new ``replay_state``, or an error.

        ``faults`` does not touch the clock: it writes the session's new fault spec to
        the log, and every gateway applies it to the subscriptions made from then on.
        """
        session = self._find(message.session)
        if session is None:
            return wire.error(
                "unknown_session",
                f"no session {message.session!r}",
                field="$.session",
                session=message.session,
            )
        if not authorized and not self._tokens.matches(session.id, message.token):
            return wire.error(
                "unauthorized",
                f"controlling session {session.id!r} needs its control token; this one is not it",
                field="$.token",
                session=session.id,
            )
        if message.action == "faults":
            assert message.faults is not None  # checked by wire.parse_client
            self._set_faults(session.id, message.faults, message.fault_seed)
            session.last_used = self.clock.now()
            return session.status()
        return self._apply(session, message)

    async def create_session(self, message: wire.CreateSession) -> wire.ServerMessage:
        """Open a private session over a catalog scenario; its id and token, for its creator.

        The limit holds under any concurrency: a creation counts against it from the
        moment it is accepted, while its scenario loads.
        """
        held = sum(1 for s in self.sessions.values() if s.private) + self._creating
        most = self.limits.max_private_sessions
        if held >= most:
            return wire.error(
                "too_many_sessions",
                f"the server holds {most} private sessions, its limit; try later",
            )
        self._creating += 1
        try:
            loaded = await self._load(message.scenario, trusted=False)
        except UnknownScenario as exc:
            known = ", ".join(exc.known) or "none"
            return wire.error(
                "unknown_scenario",
                f"no scenario {message.scenario!r} in the catalog; known: {known}",
                field="$.scenario",
            )
        except RacefeedError as exc:
            return wire.error(
                "unknown_scenario",
                f"scenario {message.scenario!r} cannot be loaded: {exc}",
                field="$.scenario",
            )
        finally:
            self._creating -= 1
        token = new_control_token()
        spec = SessionSpec(
            name=new_private_session_id(),
            speed=message.speed,
            rebase=message.timestamps == "rebased",
            max_gap_ms=message.max_gap_ms,
        )
        try:
            clock = self._open(spec.name, loaded, spec=spec, token=token, private=True)
        except ScenarioInvalid as exc:
            return wire.error(
                "unknown_scenario",
                f"scenario {message.scenario!r} cannot be replayed: {exc}",
                field="$.scenario",
            )
        if message.faults is not None:
            self._set_faults(spec.name, message.faults, message.fault_seed)
        clock.start(paused=message.paused)
        return wire.SessionCreated(
            session=spec.name,
            token=token,
            scenario=loaded.id,
            stream=clock.opened.stream,
            title=loaded.title,
            epoch=clock.epoch,
        )

    def used(self, sessions: Sequence[str]) -> None:
        """A gateway says these sessions have followers now."""
        now = self.clock.now()
        for name in sessions:
            session = self.sessions.get(name)
            if session is not None:
                session.last_used = now

    # -- inside -----------------------------------------------------------------------

    def _find(self, name: str) -> SessionClock | None:
        found = self.sessions.get(name)
        if found is not None:
            return found
        return next((s for s in self.sessions.values() if name in s.opened.aliases), None)

    def _open(
        self, name: str, loaded: LoadedScenario, *, spec: SessionSpec, token: str, private: bool
    ) -> SessionClock:
        """A new session: its ``opened`` record first, then its clock."""
        opened = opened_record(name, loaded, spec=spec, token=token, private=private)
        # The clock first: a scenario it cannot replay must leave nothing in the log.
        clock = self._clock(opened, loaded, speed=spec.speed)
        self.log.append(opened)
        self.timeline.apply(opened)
        _logger.info("session_created", session=name, scenario=loaded.id, private=private)
        return clock

    def _take_up(self, known: KnownSession, loaded: LoadedScenario) -> SessionClock:
        """A session the log knows, taken up where the log says it was."""
        status = known.status
        clock = self._clock(known.opened, loaded, speed=status.speed if status else 1.0)
        self._tokens.forget(clock.id)
        self._tokens.know(clock.id, known.tokens)
        clock.resume(
            epoch=known.epoch,
            head=known.head_seq,
            state=status.state if status else "paused",
        )
        _logger.info(
            "session_resumed",
            session=clock.id,
            epoch=known.epoch,
            seq=known.head_seq,
            state=clock.replay.state,
        )
        return clock

    def _clock(
        self, opened: SessionOpened, loaded: LoadedScenario, *, speed: Speed
    ) -> SessionClock:
        """A clock over ``loaded``'s events.

        Raises:
            ScenarioInvalid: the events cannot be replayed (out of order, no times).
        """
        try:
            clock = SessionClock(opened, loaded.events, clock=self.clock, log=self.log, speed=speed)
        except (ValueError, RacefeedError) as exc:
            error = ScenarioError(loaded.id, f"cannot be replayed: {exc}")
            raise ScenarioInvalid([error]) from None
        self.sessions[opened.session] = clock
        if not self._tokens.holds(opened.session, opened.token_sha256):
            self._tokens.know(opened.session, [opened.token_sha256])
        return clock

    def _set_faults(self, name: str, faults: str, seed: int) -> None:
        """Every later subscription of ``name`` gets this fault spec, on every gateway."""
        record = faults_record(name, faults, seed)
        self.log.append(record)
        self.timeline.apply(record)

    def _log_lost(self) -> None:
        """The log lost its records (its storage was made anew): write every session again.

        Each goes on in a new epoch written from seq 1 (``SessionClock.rewrite``), so
        that a gateway reading the new log has all of it, and a client that held the old
        epoch is told, by the epoch, that what it holds is no longer continued.
        """
        _logger.warning("log_lost", sessions=sorted(self.sessions))
        for name, clock in self.sessions.items():
            clock.rewrite(rewrite_preamble(clock.opened, self.timeline.sessions.get(name)))

    def _issue(self, name: str, token: str) -> None:
        digest = token_digest(token)
        record = token_record(name, digest)
        self.log.append(record)
        self.timeline.apply(record)
        self._tokens.know(name, [digest])

    def _apply(self, session: SessionClock, message: wire.Control) -> wire.ServerMessage:
        problem = session.control(message)
        if problem is not None:
            return problem
        status = session.status()
        _logger.info(
            "control_applied",
            session=session.id,
            action=message.action,
            epoch=status.epoch,
            seq=status.position_seq,
        )
        return status

    async def _load(self, scenario: str, *, trusted: bool = True) -> LoadedScenario:
        return await asyncio.to_thread(self.scenarios.load, scenario, trusted=trusted)

    def _arm_expiry(self) -> None:
        every = min(max(self.limits.private_idle_s / 4, 0.01), 30.0)
        self._expiry = self.clock.call_at(
            self.clock.now() + every, self._expire_idle, background=True
        )

    def _expire_idle(self) -> None:
        """Close the private sessions nobody followed, created or steered for a while."""
        now = self.clock.now()
        for session in [s for s in self.sessions.values() if s.private]:
            if now - session.last_used >= self.limits.private_idle_s:
                self._close(session, "expired")
        self._arm_expiry()

    def _close(self, session: SessionClock, reason: str) -> None:
        session.close()
        del self.sessions[session.id]
        self._tokens.forget(session.id)
        closed = closed_record(session.id, reason)
        self.log.append(closed)
        self.timeline.apply(closed)
        task = asyncio.get_running_loop().create_task(self.log.forget(session.id))
        self._forgetting.add(task)
        task.add_done_callback(self._forgetting.discard)
        _logger.info("session_closed", session=session.id, reason=reason)


@asynccontextmanager
async def run_director(
    log: EventLog,
    sessions: Sequence[SessionSpec] = (),
    *,
    reset: bool = False,
    scenarios: ScenarioSource | None = None,
    clock: Clock | None = None,
    limits: Limits | None = None,
) -> AsyncIterator[tuple[Director, list[OpenedSession]]]:
    """Run a director over ``log`` for the duration of an ``async with`` block."""
    director = Director(log, scenarios=scenarios, clock=clock, limits=limits)
    await director.start()
    try:
        opened = [await director.add_session(spec, reset=reset) for spec in sessions]
        yield director, opened
    finally:
        await director.stop()
