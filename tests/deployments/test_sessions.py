"""Delivery, resume, epochs and control, the same in every deployment, over real sockets."""

from __future__ import annotations

import asyncio
import itertools
import json
import random

from feed.projections import Projection
from feed.protocol import Limits
from feed.server import ServerConfig, SessionSpec, VirtualClock
from feed.server.catalog import CatalogScenarios
from tests.deployments.conftest import Deploy
from tests.kit.races import make_race, static, talk
from tests.kit.wire import Client, envelopes

TOKEN = "control-token-for-tests"


async def _open(clients: list[Client], url: str) -> Client:
    client = await Client.open(url)
    clients.append(client)
    return client


async def _next_events(client: Client) -> object:
    """The next frame with events, past the heartbeats of the time that went by."""
    frame = await client.recv()
    while not envelopes([frame]):
        assert frame["op"] == "heartbeat", frame
        frame = await client.recv()
    return frame


async def test_three_clients_receive_the_whole_stream_gapless_and_in_order(
    deployment: Deploy, clients: list[Client]
) -> None:
    """At 1000x, three subscribers (on every gateway) get seq 1..N of the Tokyo final once,
    in order."""
    spec = SessionSpec(
        name="main", scenario="tokyo-2025-m1500-final", speed=1000, paused=True, token=TOKEN
    )
    async with deployment(sessions=[spec], scenarios=CatalogScenarios()) as d:
        expected = [e.seq for e in d.clock("main").replay.events]
        readers = [
            await _open(clients, url) for url in itertools.islice(itertools.cycle(d.urls), 3)
        ]
        for reader in readers:
            await reader.send(op="subscribe", session="main")
            await reader.recv_op("caught_up")
        control = await _open(clients, d.url)
        await control.send(op="control", session="main", token=TOKEN, action="play")
        got = await asyncio.gather(*(r.events_until("end") for r in readers))
    assert len(expected) > 200
    for events in got:
        assert [e["seq"] for e in events] == expected
        assert {e["stream"] for e in events} == {"tokyo-2025-m1500-final"}


async def test_a_client_that_drops_and_resumes_sees_every_event_exactly_once(
    deployment: Deploy,
) -> None:
    """Disconnecting at random seqs and resuming (on any gateway) loses nothing."""
    seed = random.randrange(2**32)
    print(f"resume test seed: {seed}")
    rng = random.Random(seed)
    events = make_race()
    async with deployment(sessions=[SessionSpec(name="main", events=events, speed=300)]) as d:
        seen: list[int] = []
        epoch: int | None = None
        for _ in range(50):
            client = await Client.open(rng.choice(d.urls))
            start = {"from_seq": seen[-1] + 1} if seen else {}
            await client.send(op="subscribe", session="main", epoch=epoch, **start)
            subscribed = await client.recv_op("subscribed")
            epoch = subscribed["epoch"]
            budget = rng.randint(1, 12)
            ended = False
            while budget > 0:
                frame = await client.recv()
                if isinstance(frame, dict) and frame.get("op") == "end":
                    ended = True
                    break
                for event in envelopes([frame]):
                    assert event["seq"] <= (seen[-1] if seen else 0) + 1, "a gap"
                    if not seen or event["seq"] > seen[-1]:
                        seen.append(event["seq"])
                    budget -= 1
            await client.close()
            if ended:
                break
    assert seen == [e.seq for e in events]


async def test_a_backwards_seek_bumps_the_epoch_and_an_old_epoch_resume_gets_a_snapshot(
    deployment: Deploy, clients: list[Client]
) -> None:
    """Seek back: subscribers get a new epoch and a snapshot; resuming with the old epoch
    gets stale_epoch, then subscribed and a fresh snapshot, never a silent gap."""
    clock = VirtualClock()
    spec = SessionSpec(name="main", events=make_race(), speed=10, token=TOKEN)
    async with deployment(sessions=[spec], clock=clock) as d:
        session = d.clock("main")
        watcher = await _open(clients, d.url)
        await watcher.send(op="subscribe", session="main")
        await watcher.recv_op("caught_up")
        while session.position_seq < 30:
            assert clock.jump(), "the clock has nothing left to run"
        control = await _open(clients, d.urls[-1])
        await control.send(op="control", session="main", token=TOKEN, action="seek", seq=10)
        answer = await control.recv_op("replay_state")
        assert (answer["epoch"], answer["position_seq"]) == (2, 10)
        state = await watcher.recv_op("replay_state")
        while state["epoch"] != 2:
            state = await watcher.recv_op("replay_state")
        snapshot = await watcher.recv_op("snapshot")
        assert (snapshot["epoch"], snapshot["seq"]) == (2, 10)
        assert snapshot["state"]["head_seq"] == 10
        await watcher.recv_op("caught_up")

        late = await _open(clients, d.urls[-1])
        await late.send(op="subscribe", session="main", from_seq=31, epoch=1)
        error = await late.recv()
        assert (error["op"], error["code"], error["epoch"], error["closes"]) == (
            "error",
            "stale_epoch",
            2,
            False,
        )
        subscribed = await late.recv_op("subscribed")
        assert subscribed["epoch"] == 2
        fresh = await late.recv_op("snapshot")
        assert fresh["seq"] == subscribed["head_seq"] == 10

        clock.jump()
        after = await watcher.recv()
        while not envelopes([after]):
            after = await watcher.recv()
        assert envelopes([after])[0]["seq"] == 11


async def test_a_resume_beyond_head_or_before_one_is_unreachable_and_gets_a_snapshot(
    deployment: Deploy, clients: list[Client]
) -> None:
    """from_seq 0 or past head + 1: unreachable_seq at once, then a snapshot at head."""
    async with deployment(
        sessions=[SessionSpec(name="main", events=make_race(), paused=True)]
    ) as d:
        for bad in (0, 5):
            client = await _open(clients, d.url)
            await client.send(op="subscribe", session="main", from_seq=bad)
            error = await client.recv(timeout=2.0)
            assert (error["code"], error["field"], error["head_seq"]) == (
                "unreachable_seq",
                "$.from_seq",
                0,
            )
            await client.recv_op("subscribed")
            snapshot = await client.recv_op("snapshot")
            assert snapshot["seq"] == 0


async def test_pause_stops_events_and_play_resumes_them(
    deployment: Deploy, clients: list[Client]
) -> None:
    """Paused, no event comes however much time passes; played, they come again."""
    clock = VirtualClock()
    spec = SessionSpec(name="main", events=make_race(), speed=1, token=TOKEN)
    async with deployment(sessions=[spec], clock=clock) as d:
        reader = await _open(clients, d.url)
        await reader.send(op="subscribe", session="main", live=True)
        await reader.recv_op("caught_up")
        clock.advance(45.0)
        assert envelopes([await _next_events(reader)])
        control = await _open(clients, d.url)
        await control.send(op="control", session="main", token=TOKEN, action="pause")
        paused = await control.recv_op("replay_state")
        assert paused["state"] == "paused"
        assert (await reader.recv_op("replay_state"))["state"] == "paused"
        reader.frames.clear()
        head = d.clock("main").position_seq
        clock.advance(1.0)
        clock.advance(600.0)  # heartbeats may come (time passes), events may not
        await control.send(op="ping", id=1)
        await control.recv_op("pong")
        assert d.clock("main").position_seq == head
        assert envelopes(reader.frames) == []
        await control.send(op="control", session="main", token=TOKEN, action="play")
        assert (await reader.recv_op("replay_state"))["state"] == "playing"
        clock.advance(20.0)  # the next split is 8 s of race time away
        resumed = await _next_events(reader)
        assert envelopes([resumed])[0]["seq"] == head + 1


async def test_step_and_speed_controls(deployment: Deploy, clients: list[Client]) -> None:
    """Step sends exactly one event and pauses; speed changes are reported."""
    clock = VirtualClock()
    spec = SessionSpec(name="main", events=make_race(), paused=True, token=TOKEN)
    async with deployment(sessions=[spec], clock=clock) as d:
        reader = await _open(clients, d.url)
        await reader.send(op="subscribe", session="main")
        await reader.recv_op("caught_up")
        await reader.send(op="control", session="main", token=TOKEN, action="step")
        event = await reader.recv()
        assert event["seq"] == 1
        state = await reader.recv()
        assert (state["op"], state["state"], state["position_seq"]) == ("replay_state", "paused", 1)
        await reader.send(
            op="control", session="main", token=TOKEN, action="speed", speed="instant"
        )
        state = await reader.recv_op("replay_state")
        assert state["speed"] == "instant"
        await reader.send(op="control", session="main", token=TOKEN, action="play")
        rest = await reader.events_until("end")
        assert [e["seq"] for e in rest][-1] == len(make_race())


async def test_control_without_or_with_a_wrong_token_is_refused(
    deployment: Deploy, clients: list[Client]
) -> None:
    """No token or a wrong one: unauthorized, the clock does not move, the token is never echoed."""
    spec = SessionSpec(name="main", events=make_race(), paused=True, token=TOKEN)
    async with deployment(sessions=[spec]) as d:
        client = await _open(clients, d.url)
        await client.send(op="control", session="main", action="play")
        assert (await client.recv())["code"] == "unauthorized"
        await client.send(op="control", session="main", token="guess", action="play")
        error = await client.recv()
        assert (error["code"], error["field"], error["closes"]) == (
            "unauthorized",
            "$.token",
            False,
        )
        assert d.clock("main").replay.state == "paused"
        await client.send(op="control", session="nope", token=TOKEN, action="play")
        assert (await client.recv())["code"] == "unknown_session"
        await client.send(op="control", session="main", token=TOKEN, action="seek", seq=10_000)
        error = await client.recv()
        assert (error["code"], error["field"]) == ("bad_message", "$.seq")
        await client.send(op="control", session="main", token=TOKEN, action="play")
        assert (await client.recv())["state"] == "playing"
        assert all(TOKEN not in json.dumps(frame) for frame in client.frames)


async def test_private_sessions_are_isolated_and_their_tokens_stay_private(
    deployment: Deploy, clients: list[Client]
) -> None:
    """Two private sessions over one scenario run apart; each token reaches its creator only,
    and a session made through one gateway is served by every other."""
    async with deployment(scenarios=static(("race", make_race()))) as d:
        alice = await _open(clients, d.url)
        bob = await _open(clients, d.urls[-1])
        eve = await _open(clients, d.url)
        await alice.send(op="create_session", scenario="race", paused=True)
        await bob.send(op="create_session", scenario="race", speed="instant", paused=True)
        mine = await alice.recv_op("session_created")
        theirs = await bob.recv_op("session_created")
        assert mine["session"] != theirs["session"]
        assert mine["scenario"] == "race" and mine["stream"] == "test-race"
        await eve.send(op="subscribe", session=mine["session"])
        await eve.recv_op("caught_up")
        await bob.send(op="subscribe", session=theirs["session"])
        await bob.recv_op("caught_up")
        await bob.send(
            op="control", session=theirs["session"], token=theirs["token"], action="play"
        )
        assert len(await bob.events_until("end")) == len(make_race())
        assert d.clock(mine["session"]).position_seq == 0  # untouched
        await eve.send(op="control", session=mine["session"], token=theirs["token"], action="play")
        assert (await eve.recv_op("error"))["code"] == "unauthorized"
        for frame in eve.frames + bob.frames:
            assert mine["token"] not in json.dumps(frame)


async def test_idle_subscribers_get_heartbeats_with_the_head(
    deployment: Deploy, clients: list[Client]
) -> None:
    """A subscriber that is sent nothing gets a heartbeat every interval."""
    config = ServerConfig(limits=Limits(heartbeat_s=0.05))
    spec = SessionSpec(name="main", events=make_race(), paused=True)
    async with deployment(sessions=[spec], config=config) as d:
        client = await _open(clients, d.url)
        await client.send(op="subscribe", session="main")
        beat = await client.recv_op("heartbeat")
        assert beat == {"op": "heartbeat", "session": "main", "epoch": 1, "head_seq": 0}


async def test_views_follow_every_delivery_and_match_the_projection(
    deployment: Deploy, clients: list[Client]
) -> None:
    """With views: true, each event or batch is followed by views as of its last seq."""
    events = make_race()
    async with deployment(sessions=[SessionSpec(name="main", events=events, speed=1000)]) as d:
        client = await _open(clients, d.url)
        await client.send(op="subscribe", session="main", views=True, snapshot=True)
        await client.events_until("end")
    frames = client.frames
    for before, after in itertools.pairwise(frames):
        delivered = envelopes([before])
        if delivered:
            assert after["op"] == "views"
            assert after["seq"] == delivered[-1]["seq"]
    final = [f for f in frames if isinstance(f, dict) and f.get("op") == "views"][-1]
    projection = Projection()
    projection.apply_all(events)
    expected = [r.athlete_id for r in projection.standings().rows]
    assert [row["athlete_id"] for row in final["standings"][0]["rows"]] == expected
    assert final["standings"][0]["status"] == "official"


async def test_from_race_ms_starts_at_the_first_event_at_or_after_that_time(
    deployment: Deploy, clients: list[Client]
) -> None:
    """from_race_ms 60000 skips everything before the first minute of the race."""
    events = make_race()
    async with deployment(sessions=[SessionSpec(name="main", events=events, speed="instant")]) as d:
        await d.ended("main")
        client = await _open(clients, d.url)
        await client.send(op="subscribe", session="main", from_race_ms=60_000)
        got = await client.events_until("end")
    first = next(e for e in events if e.race_ms >= 60_000)
    assert got[0]["seq"] == first.seq
    assert got[-1]["seq"] == events[-1].seq


async def test_a_second_subscribe_replaces_the_first(
    deployment: Deploy, clients: list[Client]
) -> None:
    """One subscription per connection: after a second subscribe only its stream arrives."""
    specs = [
        SessionSpec(name="a", events=talk(5, stream="a"), paused=True, token=TOKEN),
        SessionSpec(name="b", events=talk(5, stream="b"), paused=True, token=TOKEN),
    ]
    async with deployment(sessions=specs) as d:
        client = await _open(clients, d.url)
        await client.send(op="subscribe", session="a")
        await client.recv_op("caught_up")
        await client.send(op="subscribe", session="b")
        await client.recv_op("caught_up")
        await client.send(op="control", session="a", token=TOKEN, action="step")
        await client.recv_op("replay_state")  # the controller's answer
        await client.send(op="control", session="b", token=TOKEN, action="step")
        event = await client.recv()
        assert event["stream"] == "b"
        await client.send(op="unsubscribe")
        assert (await client.recv_op("unsubscribed"))["session"] == "b"
