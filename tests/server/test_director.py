"""The director writes its sessions to the log, and takes them up from it after a restart."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from feed import wire
from feed.server import SessionSpec
from feed.server.director import run_director
from feed.store import ClockChanged, EpochStarted, EventPublished, SessionOpened, TokenIssued
from feed.store.jsonl import JsonlLog
from feed.store.memory import MemoryLog
from tests.kit.races import make_race, static

TOKEN = "director-test-token"
RACE = make_race(stream="race")
SCENARIOS = static(("race", RACE), ("other", make_race(stream="other", athletes=3)))


def spec(**options: object) -> SessionSpec:
    options.setdefault("token", TOKEN)
    return SessionSpec(name="race", scenario="race", **options)  # type: ignore[arg-type]


def control(action: str, **fields: object) -> wire.Control:
    return wire.Control(session="race", action=action, token=TOKEN, **fields)  # type: ignore[arg-type]


async def until(holds: Callable[[], bool], timeout: float = 20.0) -> None:
    async with asyncio.timeout(timeout):
        while not holds():
            await asyncio.sleep(0.01)


async def test_the_log_holds_the_opening_the_clock_every_event_and_the_end_in_order() -> None:
    """An instant replay writes opened, playing, events 1..N and ended, in that order."""
    log = MemoryLog()
    async with run_director(log, [spec(speed="instant")], scenarios=SCENARIOS) as (
        director,
        opened,
    ):
        await until(lambda: director.sessions["race"].ended)
    records = [entry.record for entry in await log.read("race")]
    assert isinstance(records[0], SessionOpened)
    assert records[0].token_sha256 and TOKEN not in repr(records[0])
    assert opened[0].token == TOKEN and not opened[0].resumed
    kinds = [type(r).__name__ for r in records]
    assert kinds == [
        "SessionOpened",
        "ClockChanged",
        *["EventPublished"] * len(RACE),
        "ClockChanged",
    ]
    assert [r.seq for r in records if isinstance(r, EventPublished)] == [e.seq for e in RACE]
    last = records[-1]
    assert isinstance(last, ClockChanged) and last.status.state == "ended"


async def test_a_director_started_again_over_the_same_log_goes_on_where_it_was(
    tmp_path: Path,
) -> None:
    """Same epoch, the next seq, each event once; the token still works, a wrong one does not."""
    path = tmp_path / "log.jsonl"
    first = JsonlLog(path)
    async with run_director(first, [spec(paused=True)], scenarios=SCENARIOS) as (director, _):
        assert isinstance(director.control(control("seek", seq=20)), wire.ReplayStatus)
    await first.close()

    again = JsonlLog(path)
    async with run_director(again, [spec(token=None)], scenarios=SCENARIOS) as (director, opened):
        session = director.sessions["race"]
        assert opened[0].resumed and opened[0].token != TOKEN
        assert (session.epoch, session.position_seq, session.replay.state) == (1, 20, "paused")
        wrong = director.control(wire.Control(session="race", action="play", token="nope"))
        assert isinstance(wrong, wire.ErrorMessage) and wrong.code == "unauthorized"
        fresh = wire.Control(session="race", action="pause", token=opened[0].token)
        assert isinstance(director.control(fresh), wire.ReplayStatus)
        director.control(control("speed", speed="instant"))
        director.control(control("play"))
        await until(lambda: session.ended)
    events = [e.record for e in await again.read("race") if isinstance(e.record, EventPublished)]
    await again.close()
    assert [(r.epoch, r.seq) for r in events] == [(1, e.seq) for e in RACE]


async def test_a_log_that_knows_the_name_for_another_scenario_refuses_it() -> None:
    """The same name with another scenario is an error that says so."""
    log = MemoryLog()
    async with run_director(log, [spec(paused=True)], scenarios=SCENARIOS):
        pass
    async with run_director(log, scenarios=SCENARIOS) as (director, _):
        with pytest.raises(ValueError, match="replaying 'race'"):
            await director.add_session(SessionSpec(name="race", scenario="other"))


async def test_each_start_that_names_a_session_adds_a_token_and_keeps_the_old_ones() -> None:
    """A restart prints a token that works; the ones before it still work; only hashes are kept."""
    log = MemoryLog()
    async with run_director(log, [spec(paused=True)], scenarios=SCENARIOS):
        pass
    async with run_director(log, [spec(token="the-second-token")], scenarios=SCENARIOS) as (
        director,
        opened,
    ):
        assert opened[0].token == "the-second-token"
        for token in (TOKEN, "the-second-token"):
            answer = director.control(wire.Control(session="race", action="pause", token=token))
            assert isinstance(answer, wire.ReplayStatus)
    issued = [e.record for e in await log.read("race") if isinstance(e.record, TokenIssued)]
    assert [r.token_sha256 for r in issued] == [hashlib.sha256(b"the-second-token").hexdigest()]
    assert "the-second-token" not in repr(await log.read())


async def test_reset_starts_a_known_session_over_in_a_new_epoch() -> None:
    """``--reset``: epoch + 1 from seq 0, written as an epoch record."""
    log = MemoryLog()
    async with run_director(log, [spec(paused=True)], scenarios=SCENARIOS) as (director, _):
        director.control(control("seek", seq=10))
    async with run_director(log, [spec(paused=True)], reset=True, scenarios=SCENARIOS) as (
        director,
        _,
    ):
        session = director.sessions["race"]
        assert (session.epoch, session.position_seq) == (2, 0)
    epochs = [e.record for e in await log.read("race") if isinstance(e.record, EpochStarted)]
    assert [(r.epoch, r.head_seq) for r in epochs] == [(2, 0)]


async def test_bad_session_names_are_refused_before_anything_is_written() -> None:
    """A name must fit in a NATS subject token."""
    log = MemoryLog()
    async with run_director(log, scenarios=SCENARIOS) as (director, _):
        with pytest.raises(ValueError, match=r"session name 'a\.b'"):
            await director.add_session(SessionSpec(name="a.b", scenario="race"))
    assert len(log) == 0


async def test_a_private_session_over_a_race_that_cannot_be_replayed_is_refused() -> None:
    """Events whose times run backwards: ``unknown_scenario``, nothing written, none held."""
    backwards = make_race(stream="backwards")
    backwards[-1], backwards[-2] = (
        msgspec.structs.replace(backwards[-1], at=backwards[-2].at),
        msgspec.structs.replace(backwards[-2], at=backwards[-1].at),
    )
    log = MemoryLog()
    async with run_director(log, scenarios=static(("backwards", backwards))) as (director, _):
        answer = await director.create_session(wire.CreateSession(scenario="backwards"))
        assert isinstance(answer, wire.ErrorMessage), answer
        assert answer.code == "unknown_scenario" and "cannot be replayed" in answer.message
        assert answer.field == "$.scenario"
        assert not director.sessions
    assert len(log) == 0
