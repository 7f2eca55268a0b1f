"""Run conformance cases: a session per case on a real server, the client under test on it.

Each case gets a session of its own on an embedded server (the same code as
``racefeed serve``), over a real websocket on 127.0.0.1. The runner holds the
session's control token: it drives the clock as the case says and, at each check,
asks the client what it shows until the client has reached the session's seq (or the
check times out), then compares with the reference fold.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import NamedTuple

from feed import wire
from feed.conform.adapter import AdapterError, ClientUnderTest
from feed.conform.cases import Case
from feed.conform.contract import Expected, Shown, compare, expected_at
from feed.conform.results import CaseResult, CheckResult
from feed.conform.steps import (
    Check,
    Pause,
    Play,
    Resume,
    Seek,
    SetSpeed,
    StartClient,
    StepOnce,
    Suspend,
    WaitEnd,
    WaitSeq,
)
from feed.events import Event
from feed.faults.profiles import parse_spec
from feed.faults.schedule import plan
from feed.protocol import Limits
from feed.server import Server, ServerConfig, SessionSpec, run_server
from feed.server.session_clock import SessionClock

__all__ = ["ConformServers", "Runner", "StartClientFn", "conform_servers"]

StartClientFn = Callable[[str, str, Case], Awaitable[ClientUnderTest]]
"""Starts the client under test on (server URL, session id) for a case."""

_CONTEXT_EVENTS = 6  # events shown before a failed check's seq
_POLL_S = 0.05
_LIMITS = Limits(heartbeat_s=1.0)  # a stall of a few seconds is silence a client can notice
# For a slow reader's case: a championship held back fills these, and the client is
# cut off with too_slow instead of the kernel's megabytes of socket buffers taking it all.
_SMALL_LIMITS = Limits(
    heartbeat_s=1.0, backlog_frames=64, backlog_bytes=16 * 2**10, write_buffer=16 * 2**10
)
_SMALL_SEND_BUFFER = 4096


class ConformServers(NamedTuple):
    """The servers the cases run on: the usual one, and one with small buffers."""

    usual: Server
    small_buffers: Server

    def for_case(self, case: Case) -> Server:
        """The server ``case`` runs on."""
        return self.small_buffers if case.small_buffers else self.usual


@asynccontextmanager
async def conform_servers() -> AsyncIterator[ConformServers]:
    """The embedded servers the cases run on, on free ports of 127.0.0.1."""
    small = ServerConfig(limits=_SMALL_LIMITS, send_buffer=_SMALL_SEND_BUFFER)
    async with (
        run_server(config=ServerConfig(limits=_LIMITS)) as usual,
        run_server(config=small) as small_buffers,
    ):
        yield ConformServers(usual, small_buffers)


class Runner:
    """Runs cases one after the other on ``server``.

    Args:
        servers: the embedded servers (each has a director).
        start_client: starts the client under test for a case.
        check_timeout: the longest a check waits for the client to reach the seq.
        end_timeout: the longest a case waits for its session to end.
    """

    def __init__(
        self,
        servers: ConformServers,
        start_client: StartClientFn,
        *,
        check_timeout: float = 10.0,
        end_timeout: float = 60.0,
    ) -> None:
        self.servers = servers
        self.start_client = start_client
        self.check_timeout = check_timeout
        self.end_timeout = end_timeout
        self._numbers = itertools.count(1)

    async def run(self, case: Case) -> CaseResult:
        """Run one case to its end; an error in it is the case's result, not an exception."""
        result = CaseResult(case)
        started = time.monotonic()
        client: ClientUnderTest | None = None
        try:
            server = self.servers.for_case(case)
            clock, token = await self._open(server, case)
            events = clock.replay.events  # the log the session replays: the reference
            for step in case.steps:
                match step:
                    case StartClient():
                        client = await self.start_client(server.url, clock.id, case)
                    case Check(label=label):
                        if client is None:
                            raise AdapterError(f"case {case.id}: a check before the client")
                        result.checks.append(await self._check(case, clock, client, label, events))
                    case Suspend():
                        if client is not None:
                            client.suspend()
                    case Resume(after=after):
                        await asyncio.sleep(after)
                        if client is not None:
                            client.resume()
                    case WaitEnd():
                        await self._wait(lambda: clock.ended, "the end of the session")
                    case WaitSeq(seq=seq):
                        await self._wait(lambda: clock.position_seq >= seq, f"seq {seq}")
                    case _:
                        self._control(server, clock, token, step)
        except AdapterError as exc:
            result.error = str(exc)
        except TimeoutError as exc:
            result.error = str(exc) or "timed out"
        finally:
            if client is not None:
                await client.close()
                result.stderr = list(getattr(client, "stderr", []))
            result.seconds = time.monotonic() - started
        return result

    async def run_all(
        self, cases: Sequence[Case], progress: Callable[[CaseResult], None] | None = None
    ) -> list[CaseResult]:
        """Run ``cases`` in order; ``progress`` hears of each result as it comes."""
        results = []
        for case in cases:
            result = await self.run(case)
            results.append(result)
            if progress is not None:
                progress(result)
        return results

    # -- inside -----------------------------------------------------------------------

    async def _open(self, server: Server, case: Case) -> tuple[SessionClock, str]:
        name = f"conform-{case.id.replace('.', '-')}-{next(self._numbers)}"
        token = f"conform-token-{name}"
        spec = SessionSpec(
            name=name, scenario=case.scenario, speed=case.speed, paused=True, token=token
        )
        opened = await server.add_session(spec)
        if case.faults is not None:
            faults = wire.Control(
                session=name,
                action="faults",
                faults=case.faults,
                fault_seed=case.fault_seed,
                token=token,
            )
            self._send(server, faults)
        return opened.clock, token

    def _control(self, server: Server, clock: SessionClock, token: str, step: object) -> None:
        fields: dict[str, object] = {}
        match step:
            case Play():
                action = "play"
            case Pause():
                action = "pause"
            case StepOnce():
                action = "step"
            case Seek(seq=seq):
                action, fields = "seek", {"seq": seq}
            case SetSpeed(speed=speed):
                action, fields = "speed", {"speed": speed}
            case _:
                raise AssertionError(f"not a clock step: {step!r}")
        control = wire.Control(session=clock.id, action=action, token=token, **fields)  # type: ignore[arg-type]
        self._send(server, control)

    @staticmethod
    def _send(server: Server, message: wire.Control) -> None:
        director = server.director
        assert director is not None, "the conformance server runs its own director"
        reply = director.control(message)
        if isinstance(reply, wire.ErrorMessage):
            raise AssertionError(f"the case's own control was refused: {reply.message}")

    async def _wait(self, done: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + self.end_timeout
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the session did not reach {what} in {self.end_timeout:g} s")
            await asyncio.sleep(0.01)

    async def _check(
        self,
        case: Case,
        clock: SessionClock,
        client: ClientUnderTest,
        label: str,
        events: Sequence[Event],
    ) -> CheckResult:
        epoch = None if case.any_epoch else clock.epoch
        expected = expected_at(events, clock.position_seq, epoch=epoch)
        deadline = time.monotonic() + self.check_timeout
        shown = await client.show()
        while not _reached(expected, shown) and time.monotonic() < deadline:
            await asyncio.sleep(_POLL_S)
            shown = await client.show()
        problems = compare(expected, shown)
        if problems and not _reached(expected, shown):
            problems.insert(0, f"the client did not reach seq {expected.seq} in "
                               f"{self.check_timeout:g} s")  # fmt: skip
        context = _context(case, events, shown.seq, expected.seq) if problems else []
        return CheckResult(label, expected, shown, problems, context)


def _reached(expected: Expected, shown: Shown) -> bool:
    if shown.seq != expected.seq:
        return False
    return expected.epoch is None or shown.epoch == expected.epoch


def _context(case: Case, events: Sequence[Event], shown_seq: int, expected_seq: int) -> list[str]:
    """The log around a failed check, with the faults planned there: what the client was sent."""
    low = max(1, min(shown_seq, expected_seq) - _CONTEXT_EVENTS + 1)
    high = max(shown_seq, expected_seq)
    window = [event for event in events if low <= event.seq <= high]
    actions: dict[int, list[str]] = {}
    if case.faults is not None:
        fault_plan = plan(parse_spec(case.faults), case.fault_seed, events)
        for action in fault_plan.actions:
            if low <= action.seq <= high:
                actions.setdefault(action.seq, []).append(action.describe())
    lines = []
    for event in window:
        who = getattr(event.data, "athlete_id", "")
        line = f"seq {event.seq:>4}  {event.type}" + (f"  {who}" if who else "")
        if event.seq in actions:
            line += "   <- fault: " + "; ".join(actions[event.seq])
        lines.append(line)
    if len(window) > 2 * _CONTEXT_EVENTS:  # a client far behind: its edge and the target
        lines = [*lines[:_CONTEXT_EVENTS], "...", *lines[-_CONTEXT_EVENTS:]]
    return lines
