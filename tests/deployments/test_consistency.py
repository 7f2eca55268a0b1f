"""What used to differ between deployments, now held the same in each of them.

- a private session that ended, or that nobody follows, goes away (memory and log);
- a subscriber's own faults apply to a feed that is being published, not only to
  what was published before it came;
- a live subscriber is told where the clock is now, not where it was at the start;
- an unknown session, or a resume past the head, is answered at once;
- ``racefeed tail`` (the library's ``follow``) gets every seq through faults and
  gives up once, on a fatal error, as the SDK does;
- the command that runs a deployment prints a control token that controls its
  named sessions (``tests/cli/test_deployment_commands.py``).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from feed.client.follow import FollowError, FollowOptions, follow
from feed.events import Event
from feed.protocol import Limits
from feed.server import Server, ServerConfig, SessionSpec
from tests.deployments.conftest import Deploy
from tests.kit.races import make_race, talk, tokyo
from tests.kit.wire import Raw, seqs_of

TOKEN = "control-token-for-tests"


async def test_a_private_session_that_ended_goes_away_once_nobody_follows_it(
    deployment: Deploy,
) -> None:
    """Played to its end and left: removed after its idle time, on every gateway and in the
    log, so that memory and log do not grow with every session ever made."""
    config = ServerConfig(limits=Limits(private_idle_s=0.3))
    async with deployment(config=config) as d:
        client = await Raw.open(d.url)
        await client.send(op="create_session", scenario="tokyo-2025-m1500-final", speed="instant")
        created = await client.until("session_created")
        name = created["session"]
        await client.send(op="subscribe", session=name)
        await client.until("end")
        await client.close()
        assert name in d.director.sessions
        await asyncio.sleep(0.9)
        assert name not in d.director.sessions
        assert all(server.gateway.find(name) is None for server in d.servers)
        kept = [type(e.record).__name__ for e in await d.director.log.read(name)]
        assert kept == ["SessionOpened", "SessionClosed"]


async def test_a_subscribers_own_faults_apply_to_events_published_after_it_came(
    deployment: Deploy,
) -> None:
    """drop_p=0.5 on a feed that is being published: about half come on the first attempt
    (the fault plan covers the whole scenario, not what was published when it subscribed)."""
    spec = SessionSpec(name="main", events=tokyo(), speed=200, paused=True, token=TOKEN)
    async with deployment(sessions=[spec]) as d:
        lossy = await Raw.open(d.urls[-1], max_queue=None)
        await lossy.send(op="subscribe", faults="drop_p=0.5", fault_seed=3, client_id="lossy")
        await lossy.until("caught_up")
        control = await Raw.open(d.url)
        await control.send(op="control", session="main", token=TOKEN, action="play")
        await lossy.until("end", timeout=30)
        got = len(seqs_of(lossy.frames))
        assert 0.3 * len(tokyo()) < got < 0.7 * len(tokyo()), got
        await control.close()


async def test_a_live_subscriber_is_told_where_the_clock_is_now(deployment: Deploy) -> None:
    """replay_state after subscribed names the head published now, on every gateway."""
    spec = SessionSpec(name="main", events=tokyo(), speed=20, token=TOKEN)
    async with deployment(sessions=[spec]) as d:
        while d.clock("main").position_seq < 40:
            await asyncio.sleep(0.02)
        for server, url in zip(d.servers, d.urls, strict=True):
            # a gateway learns of each event through the log, a moment after the director
            while _published_on(server, "main") < 40:
                await asyncio.sleep(0.02)
            client = await Raw.open(url)
            await client.send(op="subscribe", session="main", live=True)
            subscribed = await client.until("subscribed")
            state = await client.until("replay_state")
            assert state["position_seq"] == subscribed["head_seq"] >= 40
            assert state["state"] == "playing" and state["race_ms"] > 0
            await client.close()


async def test_an_unknown_session_and_a_resume_past_the_head_are_answered_at_once(
    deployment: Deploy,
) -> None:
    """No waiting for a log that will never hold them: both answered in well under a second."""
    spec = SessionSpec(name="main", events=make_race(), paused=True)
    async with deployment(sessions=[spec]) as d:
        for url in d.urls:
            client = await Raw.open(url)
            started = time.monotonic()
            await client.send(op="subscribe", session="nope")
            assert (await client.recv())["code"] == "unknown_session"
            await client.send(op="subscribe", session="main", from_seq=50, epoch=1)
            assert (await client.recv())["code"] == "unreachable_seq"
            assert time.monotonic() - started < 0.5
            await client.close()


async def test_tail_gets_every_seq_through_faults_and_gives_up_once_on_a_fatal_error(
    deployment: Deploy,
) -> None:
    """The follower behind ``racefeed tail`` asks again for what went missing, like the SDK."""
    events = talk(120, gap_ms=20)
    spec = SessionSpec(name="main", events=events, speed=4, paused=True, token=TOKEN)
    async with deployment(sessions=[spec]) as d:
        control = await Raw.open(d.url)
        faults = "drop_p=0.2,duplicate_p=0.1,reorder_p=0.1,reorder_window=3"
        await control.send(
            op="control", session="main", token=TOKEN, action="faults", faults=faults
        )
        await control.until("replay_state")
        await control.send(op="control", session="main", token=TOKEN, action="play")
        got: list[Event] = []
        notices: list[str] = []
        await asyncio.wait_for(
            follow(
                d.urls[-1],
                FollowOptions(session="main"),
                got.append,
                lambda message: notices.append(type(message).__name__),
            ),
            30,
        )
        assert [e.seq for e in got] == list(range(1, len(events) + 1))
        with pytest.raises(FollowError, match="unknown_session") as raised:
            await follow(d.url, FollowOptions(session="nope"), got.append, lambda _: None)
        assert str(raised.value).count("unknown_session") == 1
        await control.close()


def _published_on(server: Server, name: str) -> int:
    """The head a server's gateway holds for a session (0 before it has heard of it)."""
    driver = server.gateway.find(name)
    return 0 if driver is None else int(driver.protocol.head_seq)
