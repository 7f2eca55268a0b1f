"""The director: owns the session clocks and writes what they publish to a shared log.

Each session is a ``Session`` (the same replay clock as ``racefeed serve``) with no
subscribers of its own: its journal is a ``Recorder`` that appends every published
event, every new epoch and every clock change to the log, where gateways read them.

On start the director reads the whole log. A session named on its command line that
the log knows is taken up where the log says it was (same epoch, the clock just
after the last event stored, playing, paused or ended as it was), so a restarted
director goes on without a gap or a repeat; one the log does not know is opened.
Private sessions (created by clients through a gateway) are taken up the same way.

Control messages come from gateways (``feed.net.natsctl``). Control tokens are
checked against the SHA-256 in the session's ``opened`` record, so they survive a
restart of the director without being written anywhere.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
import structlog

from feed import codec, wire
from feed.errors import RacefeedError, UnknownScenario
from feed.net.auth import new_control_token, new_private_session_id
from feed.net.clock import Clock, RealClock
from feed.net.recorder import Recorder, new_record_id, read_timeline
from feed.net.scenarios import CatalogScenarios, ScenarioLog, ScenarioSource
from feed.net.server import SessionSpec
from feed.net.session import Session
from feed.replay import Speed
from feed.store import (
    EventLog,
    FaultsChanged,
    SessionLog,
    SessionOpened,
    Timeline,
    check_session_name,
)

__all__ = ["Director", "OpenedSession", "run_director"]

_control_decoder = msgspec.json.Decoder(wire.Control)
_create_decoder = msgspec.json.Decoder(wire.CreateSession)


@dataclass(frozen=True, kw_only=True)
class OpenedSession:
    """A session the director runs, and how it came to.

    Attributes:
        session: the clock.
        token: its control token when the director opened it now; ``None`` when it was
            taken up from the log (its token is the one it was opened with).
        resumed: taken up from the log.
    """

    session: Session
    token: str | None
    resumed: bool


class Director:
    """Runs session clocks and writes them to ``log``.

    Args:
        log: where the sessions are written (a ``JetStreamLog`` in production).
        scenarios: where scenarios come from (default: the catalog).
        clock: the time source (default: the real one).
        max_private_sessions: private sessions held at once.
    """

    def __init__(
        self,
        log: EventLog,
        *,
        scenarios: ScenarioSource | None = None,
        clock: Clock | None = None,
        max_private_sessions: int = 256,
    ) -> None:
        self.log = log
        self.scenarios: ScenarioSource = scenarios or CatalogScenarios()
        self.clock: Clock = clock or RealClock()
        self.max_private_sessions = max_private_sessions
        self.sessions: dict[str, Session] = {}
        self.timeline = Timeline()
        self._tokens: dict[str, str] = {}  # session -> hex SHA-256 of its control token
        self._tasks: set[asyncio.Task[Any]] = set()
        self._log = structlog.get_logger("racefeed.director")

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        """Read the log, and take up the private sessions it holds."""
        self.timeline, position = await read_timeline(self.log)
        self._log.info("log_read", sessions=sorted(self.timeline.sessions), position=position)
        for name, known in self.timeline.sessions.items():
            if known.opened.private and not known.ended:
                try:
                    await self._resume(known, await self._load(known.opened.scenario))
                except RacefeedError as exc:
                    self._log.warning("session_not_resumed", session=name, error=str(exc))

    async def stop(self) -> None:
        """Stop every clock and store what was appended."""
        for session in self.sessions.values():
            session.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.log.flush()
        self._log.info("director_stopped")

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a background task that ends with the director."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- sessions ---------------------------------------------------------------------

    async def add_session(self, spec: SessionSpec, *, reset: bool = False) -> OpenedSession:
        """Open a named session, or take it up from the log if the log knows it.

        Args:
            spec: the session, as ``racefeed serve`` takes it.
            reset: when the log knows the session, start it over (a new epoch from seq 0).

        Raises:
            ValueError: a bad name, a name taken here, or a log that knows the name for
                another scenario or another token.
            UnknownScenario, ScenarioInvalid: the scenario cannot be loaded.
        """
        name = check_session_name(spec.name)
        if name in self.sessions:
            raise ValueError(f"session {name!r} exists already")
        if spec.events is not None:
            log = ScenarioLog(
                id=name, title=spec.title or name, kind="race", events=list(spec.events)
            )
        elif spec.scenario is not None:
            log = await self._load(spec.scenario, trusted=True)
        else:
            raise ValueError(f"session {name!r}: give a scenario or events")
        known = self.timeline.sessions.get(name)
        if known is None:
            token = spec.token or new_control_token()
            session = self._open(
                name,
                token,
                log,
                speed=spec.speed,
                max_gap_ms=spec.max_gap_ms,
                rebase=spec.rebase,
                private=False,
            )
            session.start(paused=spec.paused)
            return OpenedSession(session=session, token=token, resumed=False)
        self._check_same(known.opened, log, spec.token)
        session = await self._resume(known, log)
        if reset:
            self._apply(session, wire.Control(session=name, action="seek", seq=0))
            self._apply(
                session, wire.Control(session=name, action="pause" if spec.paused else "play")
            )
        return OpenedSession(session=session, token=None, resumed=True)

    def _open(
        self,
        name: str,
        token: str,
        log: ScenarioLog,
        *,
        speed: Speed,
        max_gap_ms: int | None,
        rebase: bool,
        private: bool,
    ) -> Session:
        """A new session: its ``opened`` record first, then its clock."""
        opened = SessionOpened(
            id=new_record_id(name, "opened"),
            session=name,
            scenario=log.id,
            title=log.title,
            stream=log.events[0].stream,
            events=len(log.events),
            private=private,
            token_sha256=_sha256(token),
            max_gap_ms=max_gap_ms,
            rebase=rebase,
        )
        self.log.append(opened)
        self.timeline.apply(opened)
        session = self._session(opened, log, speed=speed)
        self._log.info("session_opened", session=name, scenario=log.id, private=private)
        return session

    async def _resume(self, known: SessionLog, log: ScenarioLog) -> Session:
        """A session the log knows, taken up where the log says it was."""
        opened = known.opened
        status = known.status
        session = self._session(opened, log, speed=status.speed if status else 1.0)
        events = [codec.decode(envelope) for envelope in known.envelopes]
        session.resume(
            epoch=known.epoch,
            events=events,
            envelopes=known.envelopes,
            state=status.state if status else "paused",
        )
        self._log.info(
            "session_resumed",
            session=opened.session,
            epoch=known.epoch,
            seq=known.head_seq,
            state=session.replay.state,
        )
        return session

    def _session(self, opened: SessionOpened, log: ScenarioLog, *, speed: Speed) -> Session:
        session = Session(
            id=opened.session,
            token=new_control_token(),  # unused: tokens are checked by their hash here
            events=log.events,
            title=opened.title,
            scenario=opened.scenario,
            clock=self.clock,
            spawn=self.spawn,
            speed=speed,
            max_gap_ms=opened.max_gap_ms,
            rebase=opened.rebase,
            private=opened.private,
        )
        session.journal = Recorder(self.log)
        self.sessions[opened.session] = session
        self._tokens[opened.session] = opened.token_sha256
        return session

    def _check_same(self, opened: SessionOpened, log: ScenarioLog, token: str | None) -> None:
        if opened.scenario != log.id or opened.events != len(log.events):
            raise ValueError(
                f"session {opened.session!r}: the log has it replaying {opened.scenario!r} "
                f"({opened.events} events), not {log.id!r} ({len(log.events)} events); "
                "name another session, or use another stream"
            )
        if token is not None and not hmac.compare_digest(_sha256(token), opened.token_sha256):
            raise ValueError(
                f"session {opened.session!r}: the log has it with another control token; "
                "leave the token out to keep the one it was opened with"
            )

    async def _load(self, scenario: str, *, trusted: bool = True) -> ScenarioLog:
        return await asyncio.to_thread(self.scenarios.load, scenario, trusted=trusted)

    # -- requests from gateways -------------------------------------------------------

    async def handle(self, op: str, payload: bytes, authorized: bool = False) -> wire.ServerMessage:
        """Answer one forwarded client message: ``control`` or ``create`` (``create_session``).

        Args:
            op: which message.
            payload: its JSON, as the client sent it.
            authorized: the gateway checked the client's server token; no session
                token is needed.
        """
        try:
            if op == "control":
                return self.control(_control_decoder.decode(payload), authorized=authorized)
            if op == "create":
                return await self.create_session(_create_decoder.decode(payload))
        except msgspec.DecodeError as exc:
            return wire.error("bad_message", f"not a {op} message: {exc}")
        return wire.error("unknown_op", f"no director operation {op!r}")

    def control(self, message: wire.Control, *, authorized: bool = False) -> wire.ServerMessage:
        """Check the token and drive the clock; the session's new ``replay_state``, or an error.

        ``faults`` does not touch the clock: it writes the session's new fault spec to
        the log, and every gateway applies it to the subscriptions made from then on.
        """
        session = self.sessions.get(message.session)
        if session is None:
            return wire.error(
                "unknown_session",
                f"no session {message.session!r}",
                field="$.session",
                session=message.session,
            )
        if not authorized and not hmac.compare_digest(
            _sha256(message.token), self._tokens[session.id]
        ):
            return wire.error(
                "unauthorized",
                f"controlling session {session.id!r} needs its control token; this one is not it",
                field="$.token",
                session=session.id,
            )
        if message.action == "faults":
            assert message.faults is not None  # checked by wire.parse_client
            self._set_faults(session, message.faults, message.fault_seed)
            return session.status()
        return self._apply(session, message)

    def _set_faults(self, session: Session, faults: str, seed: int) -> None:
        self.log.append(
            FaultsChanged(
                id=new_record_id(session.id, "faults"),
                session=session.id,
                faults=faults,
                seed=seed,
            )
        )

    def _apply(self, session: Session, message: wire.Control) -> wire.ServerMessage:
        problem = session.control(message)
        return problem if problem is not None else session.status()

    async def create_session(self, message: wire.CreateSession) -> wire.ServerMessage:
        """Open a private session over a catalog scenario; its id and token, for its creator."""
        private = sum(1 for s in self.sessions.values() if s.private and not s.ended)
        if private >= self.max_private_sessions:
            return wire.error(
                "too_many_sessions",
                f"the director holds {private} private sessions, its limit; try later",
            )
        try:
            log = await self._load(message.scenario, trusted=False)
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
        name = new_private_session_id()
        token = new_control_token()
        session = self._open(
            name,
            token,
            log,
            speed=message.speed,
            max_gap_ms=message.max_gap_ms,
            rebase=message.timestamps == "rebased",
            private=True,
        )
        if message.faults is not None:
            self._set_faults(session, message.faults, message.fault_seed)
        session.start(paused=message.paused)
        return wire.SessionCreated(
            session=name,
            token=token,
            scenario=log.id,
            stream=session.stream,
            title=log.title,
            epoch=session.epoch,
        )


@asynccontextmanager
async def run_director(
    log: EventLog,
    sessions: Sequence[SessionSpec] = (),
    *,
    reset: bool = False,
    scenarios: ScenarioSource | None = None,
    clock: Clock | None = None,
) -> AsyncIterator[tuple[Director, list[OpenedSession]]]:
    """Run a director over ``log`` for the duration of an ``async with`` block."""
    director = Director(log, scenarios=scenarios, clock=clock)
    await director.start()
    try:
        opened = [await director.add_session(spec, reset=reset) for spec in sessions]
        yield director, opened
    finally:
        await director.stop()


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
