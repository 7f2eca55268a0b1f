"""The client SDK over real sockets: resume, failover, snapshots and waiting helpers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from feed.client import Backoff, connect
from feed.errors import FeedRejected, FeedTimeout, FeedUnavailable
from feed.events import Event
from feed.io import load_scenario
from feed.projections import project
from feed.server import Server, SessionSpec, run_server

TOKYO = load_scenario("tokyo-2025-m1500-final").events
FAST = Backoff(initial=0.01, maximum=0.1, attempts=30)


@contextlib.asynccontextmanager
async def server_with(
    speed: float | str = 200.0, *, paused: bool = False, events: list[Event] = TOKYO
) -> AsyncIterator[Server]:
    spec = SessionSpec(name="main", events=events, speed=speed, paused=paused, token="t")  # type: ignore[arg-type]
    async with run_server("127.0.0.1", 0, sessions=[spec]) as server:
        yield server


def drop_all_connections(server: Server) -> int:
    """Cut every subscriber's TCP connection, as a network failure would."""
    dropped = 0
    for driver in server.gateway.sessions.values():
        for outbox in driver.protocol.sinks:
            outbox.connection.transport.abort()
            dropped += 1
    return dropped


async def test_a_feed_gets_the_whole_race_in_order_and_the_reference_standings() -> None:
    """From the start to the end: every seq once, and the projections equal the reference."""
    async with server_with() as server, connect(server.url, backoff=FAST) as feed:
        seqs = [event.seq async for event in feed]
    assert seqs == list(range(1, len(TOKYO) + 1))
    assert feed.standings() == project(TOKYO).standings()
    assert feed.medal_table() == project(TOKYO).medal_table()


async def test_resume_after_a_forced_disconnect_loses_nothing() -> None:
    """The server drops the connection twice mid-race; the feed resumes with no gap or repeat."""
    async with server_with(speed=50.0) as server, connect(server.url, backoff=FAST) as feed:
        seqs: list[int] = []
        async for event in feed:
            seqs.append(event.seq)
            if event.seq in (60, 150):
                assert drop_all_connections(server) == 1
    assert seqs == list(range(1, len(TOKYO) + 1))
    assert feed.stats.connects >= 3
    assert feed.standings() == project(TOKYO).standings()


async def test_failover_between_two_servers_resumes_where_it_was() -> None:
    """When its server goes away the feed moves to the next URL and carries on from its seq."""
    async with server_with(speed=30.0) as first, server_with(speed=30.0) as second:
        feed = connect([first.url, second.url], backoff=FAST)
        async with feed:
            await feed.wait_for_seq(50, timeout=10)
            await first.stop()
            await feed.wait_for_end(timeout=30)
        seqs = [e.seq for e in feed._recent]
    assert feed.url == second.url
    assert feed.stats.duplicates_dropped >= 0
    assert seqs[-1] == len(TOKYO)
    assert feed.standings() == project(TOKYO).standings()


async def test_a_backwards_seek_replaces_the_state_with_a_fresh_snapshot() -> None:
    """A new epoch sends a snapshot; the feed's projection follows it exactly."""
    async with server_with(paused=True) as server, connect(server.url, backoff=FAST) as feed:
        session = server.director.sessions["main"]  # type: ignore[union-attr]
        from feed import wire

        session.control(wire.Control(session="main", token="t", action="seek", seq=200))
        await feed.wait_for_seq(200, timeout=5)
        session.control(wire.Control(session="main", token="t", action="seek", seq=100))
        await feed.wait_until(lambda f: f.epoch == 2, timeout=5, what="epoch 2")
        assert feed.last_seq == 100
        assert feed.stats.snapshots_taken == 1
        assert feed.standings() == project(TOKYO, until_seq=100).standings()


async def test_a_resume_with_a_stale_epoch_takes_the_fresh_snapshot() -> None:
    """Reconnecting with an epoch that is over gets a snapshot, never a silent gap."""
    async with server_with(paused=True) as server:
        from feed import wire

        session = server.director.sessions["main"]  # type: ignore[union-attr]
        session.control(wire.Control(session="main", token="t", action="seek", seq=150))
        async with connect(server.url, backoff=FAST) as feed:
            await feed.wait_for_seq(150, timeout=5)
            feed.protocol.epoch = 99  # as if it had seen an epoch this server has left behind
            drop_all_connections(server)
            await feed.wait_until(lambda f: f.stats.snapshots_taken == 1, timeout=5)
            assert feed.epoch == 1
            assert feed.standings() == project(TOKYO, until_seq=150).standings()


async def test_waiting_for_something_that_never_comes_times_out_clearly() -> None:
    """A waiting helper raises FeedTimeout saying what it waited for and where it was."""
    async with server_with(paused=True) as server, connect(server.url, backoff=FAST) as feed:
        with pytest.raises(FeedTimeout, match=r"waited 0.2 s for seq 10; last seq 0"):
            await feed.wait_for_seq(10, timeout=0.2)
        with pytest.raises(FeedTimeout, match="athlete_finished"):
            await feed.wait_for_event("athlete_finished", timeout=0.1)
        with pytest.raises(TimeoutError):  # FeedTimeout is a TimeoutError too
            await feed.wait_for_race_ms(1000, timeout=0.1)


async def test_waiting_helpers_return_as_soon_as_the_condition_holds() -> None:
    """wait_for_event hands back the next such event; wait_until takes any predicate."""
    async with (
        server_with(speed="instant", paused=True) as server,
        connect(server.url, backoff=FAST) as feed,
    ):
        from feed import wire

        waiting = asyncio.create_task(feed.wait_for_event("photo_finish_resolved", timeout=10))
        server.director.sessions["main"].control(  # type: ignore[union-attr]
            wire.Control(session="main", token="t", action="play")
        )
        photo = await waiting
        assert photo.type == "photo_finish_resolved"
        await feed.wait_until(lambda f: f.standings().status == "official", timeout=10)


async def test_an_unknown_session_is_refused_with_its_code() -> None:
    """Subscribing to a session that does not exist raises FeedRejected, not a retry loop."""
    async with server_with() as server:
        with pytest.raises(FeedRejected) as info:
            async with connect(server.url, session="nope", backoff=FAST):
                pass
    assert info.value.code == "unknown_session"


async def test_no_server_at_all_gives_up_after_the_retries() -> None:
    """With nothing listening, the feed fails with FeedUnavailable naming the URLs."""
    backoff = Backoff(initial=0.001, maximum=0.01, attempts=3)
    with pytest.raises(FeedUnavailable, match=r"127\.0\.0\.1:9"):
        async with connect("ws://127.0.0.1:9/", backoff=backoff, open_timeout=0.5):
            pass


async def test_starting_live_takes_a_snapshot_first() -> None:
    """A feed that joins mid-race starts from the server's snapshot, then folds live events."""
    async with server_with(paused=True) as server:
        from feed import wire

        server.director.sessions["main"].control(  # type: ignore[union-attr]
            wire.Control(session="main", token="t", action="seek", seq=120)
        )
        async with connect(server.url, live=True, backoff=FAST) as feed:
            await feed.wait_until(lambda f: f.last_seq == 120, timeout=5, what="the snapshot")
            assert feed.race_state() == project(TOKYO, until_seq=120).race_state()
            await asyncio.sleep(0)


async def test_events_that_overtook_each_other_are_put_back_in_order_without_asking_again() -> None:
    """Reordered within a small window: every seq once, in order, and no resubscribe."""
    async with (
        server_with(speed=100.0) as server,
        connect(server.url, backoff=FAST, faults="reorder_p=0.3,reorder_window=4") as feed,
    ):
        seqs = [event.seq async for event in feed]
    assert seqs == list(range(1, len(TOKYO) + 1))
    assert feed.stats.reordered > 10
    assert feed.stats.gaps_detected == 0 and feed.stats.connects == 1
    assert feed.standings() == project(TOKYO).standings()


async def test_a_dropped_event_is_asked_for_again_on_the_same_connection() -> None:
    """Seqs that never come: the feed resubscribes for each gap and loses nothing."""
    async with (
        server_with(speed=100.0) as server,
        connect(server.url, backoff=FAST, faults="drop_p=0.05", fault_seed=3) as feed,
    ):
        seqs = [event.seq async for event in feed]
    assert seqs == list(range(1, len(TOKYO) + 1))
    assert feed.stats.gaps_detected >= 3
    # A gap before `end` is filled on a new connection (the server closes after `end`).
    assert feed.stats.connects <= 2
    assert feed.standings() == project(TOKYO).standings()
