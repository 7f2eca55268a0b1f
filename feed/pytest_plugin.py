"""pytest plugin: test a live-results client against a real racefeed server, in-process.

Registered through the ``pytest11`` entry point, so installing racefeed is enough.
Fixtures:

``racefeed_server``
    a server on 127.0.0.1 and a free port, for the test's duration.
``racefeed``
    a ``Racefeed`` harness over that server: ``await racefeed.session(scenario)``
    starts a private, paused session from a catalog id, a file, a list of events or
    a ``RaceBuilder`` (``racefeed.race()``), and returns a ``ReplaySession`` whose
    clock the test drives (``play``, ``pause``, ``step``, ``run_to_seq``,
    ``run_to_race_ms``, ``run_to_end``) and which knows the reference answer at every
    point (``expected(at_seq=N)``), to compare with what the client shows
    (``feed.testing.assert_standings``).

``racefeed_case`` and ``racefeed_conformance``
    the conformance suite (docs/conformance.md) for a Python client, without the
    adapter: a test that takes ``racefeed_case`` runs once per numbered case, and
    ``await racefeed_conformance.check(racefeed_case, start_client)`` runs it
    against the client that ``start_client(url, session, case)`` starts (anything
    with the ``feed.conform.ClientUnderTest`` methods), failing with the report.

The server runs on the test's own event loop (tests are ``async def``; set
``asyncio_mode = "auto"`` or mark them ``@pytest.mark.asyncio``).
"""

from __future__ import annotations

import importlib
import itertools
import os
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import pytest

from feed import wire
from feed.builder import RaceBuilder
from feed.client import Backoff, Feed, connect
from feed.conform.cases import SUITE, Case
from feed.conform.report import failure_text
from feed.conform.results import CaseResult
from feed.conform.runner import ConformServers, Runner, StartClientFn, conform_servers
from feed.events import Event
from feed.io import load_scenario
from feed.projections import Projection, project
from feed.replay import Speed
from feed.server import Server, SessionSpec, run_server
from feed.server.log_level import quiet_server_logs
from feed.server.session_clock import SessionClock

__all__ = [
    "Conformance",
    "Racefeed",
    "ReplaySession",
    "racefeed",
    "racefeed_conformance",
    "racefeed_server",
]

_names = itertools.count(1)


class ReplaySession:
    """One session of the test's server, with its clock in the test's hands.

    Attributes:
        name: the session id clients subscribe to.
        url: the server's websocket URL.
        token: the session's control token.
        events: the whole log being replayed: the reference the client is held to.
    """

    def __init__(
        self, server: Server, clock: SessionClock, token: str, events: list[Event]
    ) -> None:
        self.name = clock.id
        self.url = server.url
        self.token = token
        self.events = events
        self._server = server
        self._session = clock

    @property
    def position_seq(self) -> int:
        """The last seq the replay has published."""
        return self._session.position_seq

    @property
    def epoch(self) -> int:
        """The session's epoch (it changes on a seek backwards)."""
        return self._session.epoch

    def connect(self, **options: Any) -> Feed:
        """The SDK's ``connect`` to this session (``async with session.connect() as feed``)."""
        options.setdefault("backoff", Backoff(initial=0.01, maximum=0.2, attempts=10))
        return connect(self.url, session=self.name, **options)

    # -- the clock ---------------------------------------------------------------------

    async def play(self) -> None:
        """Start or resume the replay at its speed."""
        self._control("play")

    async def pause(self) -> None:
        """Hold the replay where it is."""
        self._control("pause")

    async def speed(self, speed: Speed) -> None:
        """Set the speed: 0.1 to 1000, or ``"instant"``."""
        self._control("speed", speed=speed)

    async def step(self) -> None:
        """Publish the next event and stay paused."""
        self._control("step")

    async def seek(self, *, seq: int | None = None, race_ms: int | None = None) -> None:
        """Move to just after ``seq`` or to race time ``race_ms``; backwards starts a new epoch."""
        self._control("seek", seq=seq, race_ms=race_ms)

    async def run_to_seq(self, seq: int) -> None:
        """Publish every event up to ``seq`` at once, and pause there."""
        await self.pause()
        if seq > self.position_seq:
            await self.seek(seq=seq)

    async def run_to_race_ms(self, race_ms: int) -> None:
        """Publish every event up to race time ``race_ms`` at once, and pause there."""
        await self.pause()
        await self.seek(race_ms=race_ms)

    async def run_to_end(self) -> None:
        """Publish everything left at once; subscribers then get ``end``."""
        await self.speed("instant")
        await self.play()
        await self._server.ended(self.name)

    # -- the reference -----------------------------------------------------------------

    def expected(self, *, at_seq: int | None = None, at_race_ms: int | None = None) -> Projection:
        """The reference projection: what a correct client shows at that point (default: now)."""
        if at_seq is None and at_race_ms is None:
            at_seq = self.position_seq
        return project(self.events, until_seq=at_seq, until_race_ms=at_race_ms)

    def seq_of(self, event_type: str, *, nth: int = 1) -> int:
        """The seq of the ``nth`` event of ``event_type`` in the log (for checkpoints)."""
        seqs = [event.seq for event in self.events if event.type == event_type]
        if len(seqs) < nth:
            raise LookupError(f"the log has {len(seqs)} {event_type} events, not {nth}")
        return seqs[nth - 1]

    def _control(
        self,
        action: wire.ControlAction,
        *,
        speed: Speed | None = None,
        seq: int | None = None,
        race_ms: int | None = None,
    ) -> None:
        message = wire.Control(
            session=self.name, token=self.token, action=action, speed=speed, seq=seq,
            race_ms=race_ms,
        )  # fmt: skip
        problem = self._session.control(message)
        if problem is not None:
            raise ValueError(f"{action}: {problem.message}")


class Racefeed:
    """The harness behind the ``racefeed`` fixture."""

    def __init__(self, server: Server) -> None:
        self.server = server

    @property
    def url(self) -> str:
        """The server's websocket URL."""
        return self.server.url

    def race(self, scenario_id: str = "built-race", **options: Any) -> RaceBuilder:
        """A ``RaceBuilder`` for a race made up in the test."""
        return RaceBuilder(scenario_id, **options)

    async def session(
        self,
        scenario: str | os.PathLike[str] | RaceBuilder | Sequence[Event],
        *,
        name: str | None = None,
        paused: bool = True,
        speed: Speed = "instant",
    ) -> ReplaySession:
        """Start a session over a catalog id, a file, a built race or a list of events.

        It starts paused (``play()`` or ``run_to_...`` move it) at speed ``"instant"``.
        """
        events = _events_of(scenario)
        name = name or f"test-{next(_names)}"
        token = f"token-{name}"
        spec = SessionSpec(name=name, events=events, speed=speed, paused=paused, token=token)
        opened = await self.server.add_session(spec)
        return ReplaySession(self.server, opened.clock, token, events)


def _events_of(scenario: str | os.PathLike[str] | RaceBuilder | Sequence[Event]) -> list[Event]:
    if isinstance(scenario, RaceBuilder):
        return scenario.events()
    if isinstance(scenario, str | os.PathLike):
        return load_scenario(os.fspath(scenario)).events
    return list(scenario)


def pytest_addoption(parser: pytest.Parser) -> None:
    """``racefeed_log_level``: what the test's server logs (``warning`` by default)."""
    parser.addini(
        "racefeed_log_level",
        "log level of the racefeed test server: debug, info or warning (warning)",
        default="warning",
    )


def _async_fixture(function: Callable[..., Any]) -> Any:
    """pytest-asyncio's fixture, or one that says how to get it (``racefeed[pytest]``).

    This module is loaded by every pytest run where racefeed is installed, so it must
    import without pytest-asyncio: only using the fixtures needs it.
    """
    try:
        pytest_asyncio = importlib.import_module("pytest_asyncio")
    except ImportError:

        @pytest.fixture(name=function.__name__)
        def missing() -> None:
            raise pytest.UsageError(
                "racefeed's fixtures need pytest-asyncio: pip install 'racefeed[pytest]'"
            )

        return missing
    return pytest_asyncio.fixture(function)


@_async_fixture
async def racefeed_server(request: pytest.FixtureRequest) -> AsyncIterator[Server]:
    """A racefeed server on 127.0.0.1 and a free port, running for one test."""
    level = str(request.config.getini("racefeed_log_level"))
    with quiet_server_logs(level):
        async with run_server("127.0.0.1", 0) as server:
            yield server


@pytest.fixture
def racefeed(racefeed_server: Server) -> Racefeed:
    """Start sessions, drive their clocks, and get the reference answer."""
    return Racefeed(racefeed_server)


class Conformance:
    """Runs conformance cases against an in-process client, on servers of the suite's own."""

    def __init__(self, servers: ConformServers) -> None:
        self.servers = servers

    async def check(
        self, case: Case, start_client: StartClientFn, *, check_timeout: float = 10.0
    ) -> CaseResult:
        """Run ``case``; fail the test with the case's report if the client got it wrong."""
        runner = Runner(self.servers, start_client, check_timeout=check_timeout)
        result = await runner.run(case)
        if not result.passed:
            pytest.fail(failure_text(result), pytrace=False)
        return result


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``racefeed_case`` runs once per case of the suite, named by its id."""
    if "racefeed_case" in metafunc.fixturenames:
        metafunc.parametrize("racefeed_case", SUITE, ids=[case.id for case in SUITE])


@_async_fixture
async def racefeed_conformance(request: pytest.FixtureRequest) -> AsyncIterator[Conformance]:
    """The conformance runner, over servers with the suite's limits, for one test."""
    level = str(request.config.getini("racefeed_log_level"))
    with quiet_server_logs(level):
        async with conform_servers() as servers:
            yield Conformance(servers)
