"""The replay server over real sockets on 127.0.0.1: delivery, resume, epochs, control, HTTP."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import urllib.error
import urllib.request

import pytest
from netkit import Client, envelopes, make_commentary, make_race, static
from structlog.testing import capture_logs

from feed.net import ServerConfig, SessionSpec, VirtualClock, run_server
from feed.net.scenarios import CatalogScenarios
from feed.projections import Projection

TOKEN = "control-token-for-tests"


async def _open(clients: list[Client], url: str) -> Client:
    client = await Client.open(url)
    clients.append(client)
    return client


async def test_three_clients_receive_the_whole_stream_gapless_and_in_order(
    clients: list[Client],
) -> None:
    """At 1000x, three subscribers each get seq 1..N of the Tokyo final, once and in order."""
    spec = SessionSpec(
        name="main", scenario="tokyo-2025-m1500-final", speed=1000, paused=True, token=TOKEN
    )
    async with run_server(sessions=[spec], scenarios=CatalogScenarios()) as server:
        expected = [e.seq for e in server.sessions["main"].replay.events]
        readers = [await _open(clients, server.url) for _ in range(3)]
        for reader in readers:
            await reader.send(op="subscribe", session="main")
            await reader.recv_op("caught_up")
        control = await _open(clients, server.url)
        await control.send(op="control", session="main", token=TOKEN, action="play")
        got = await asyncio.gather(*(r.events_until("end") for r in readers))
    assert len(expected) > 200
    for events in got:
        assert [e["seq"] for e in events] == expected
        assert {e["stream"] for e in events} == {"tokyo-2025-m1500-final"}


async def test_a_client_that_drops_and_resumes_sees_every_event_exactly_once(
    clients: list[Client],
) -> None:
    """Disconnecting at random seqs and resuming with from_seq and epoch loses nothing."""
    seed = random.randrange(2**32)
    print(f"resume test seed: {seed}")
    rng = random.Random(seed)
    events = make_race()
    spec = SessionSpec(name="main", events=events, speed=300)
    async with run_server(sessions=[spec]) as server:
        seen: list[int] = []
        epoch: int | None = None
        for _ in range(50):
            client = await Client.open(server.url)
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
    clients: list[Client],
) -> None:
    """Seek back: subscribers get a new epoch and a snapshot; resuming with the old epoch
    gets stale_epoch, then subscribed and a fresh snapshot, never a silent gap."""
    clock = VirtualClock()
    spec = SessionSpec(name="main", events=make_race(), speed=10, token=TOKEN)
    async with run_server(sessions=[spec], clock=clock) as server:
        session = server.sessions["main"]
        watcher = await _open(clients, server.url)
        await watcher.send(op="subscribe", session="main")
        await watcher.recv_op("caught_up")
        while session.head_seq < 30:
            assert clock.jump(), "the clock has nothing left to run"
        await asyncio.sleep(0.05)
        control = await _open(clients, server.url)
        await control.send(op="control", session="main", token=TOKEN, action="seek", seq=10)
        answer = await control.recv_op("replay_state")
        assert answer["epoch"] == 2
        assert answer["position_seq"] == 10
        state = await watcher.recv_op("replay_state")
        while state["epoch"] != 2:
            state = await watcher.recv_op("replay_state")
        snapshot = await watcher.recv_op("snapshot")
        assert (snapshot["epoch"], snapshot["seq"]) == (2, 10)
        assert snapshot["state"]["head_seq"] == 10
        await watcher.recv_op("caught_up")

        late = await _open(clients, server.url)
        await late.send(op="subscribe", session="main", from_seq=31, epoch=1)
        error = await late.recv()
        assert error["op"] == "error"
        assert error["code"] == "stale_epoch"
        assert error["epoch"] == 2
        assert error["closes"] is False
        subscribed = await late.recv_op("subscribed")
        assert subscribed["epoch"] == 2
        fresh = await late.recv_op("snapshot")
        assert fresh["seq"] == subscribed["head_seq"] == session.head_seq

        clock.jump()
        await asyncio.sleep(0.05)
        after = await watcher.recv()
        while not envelopes([after]):
            after = await watcher.recv()
        assert envelopes([after])[0]["seq"] == 11


async def test_a_resume_beyond_head_or_before_one_is_unreachable_and_gets_a_snapshot(
    clients: list[Client],
) -> None:
    """from_seq 0 or past head + 1: unreachable_seq, then a snapshot at head."""
    async with run_server(
        sessions=[SessionSpec(name="main", events=make_race(), paused=True)]
    ) as server:
        for bad in (0, 5):
            client = await _open(clients, server.url)
            await client.send(op="subscribe", session="main", from_seq=bad)
            error = await client.recv()
            assert (error["code"], error["field"], error["head_seq"]) == (
                "unreachable_seq",
                "$.from_seq",
                0,
            )
            await client.recv_op("subscribed")
            snapshot = await client.recv_op("snapshot")
            assert snapshot["seq"] == 0


async def test_pause_stops_events_and_play_resumes_them(clients: list[Client]) -> None:
    """Paused, no event comes however much time passes; played, they come again."""
    clock = VirtualClock()
    spec = SessionSpec(name="main", events=make_race(), speed=1, token=TOKEN)
    async with run_server(sessions=[spec], clock=clock) as server:
        session = server.sessions["main"]
        reader = await _open(clients, server.url)
        await reader.send(op="subscribe", session="main", live=True)
        await reader.recv_op("caught_up")
        clock.advance(45.0)
        before = await reader.recv()
        assert envelopes([before])
        control = await _open(clients, server.url)
        await control.send(op="control", session="main", token=TOKEN, action="pause")
        paused = await control.recv_op("replay_state")
        assert paused["state"] == "paused"
        assert (await reader.recv_op("replay_state"))["state"] == "paused"
        reader.frames.clear()
        head = session.head_seq
        clock.advance(1.0)
        clock.advance(600.0)
        await asyncio.sleep(0.3)
        assert session.head_seq == head
        with pytest.raises(TimeoutError):
            await reader.recv(timeout=0.2)
        await control.send(op="control", session="main", token=TOKEN, action="play")
        assert (await reader.recv_op("replay_state"))["state"] == "playing"
        clock.advance(20.0)  # the next split is 8 s of race time away
        resumed = await reader.recv()
        assert envelopes([resumed])[0]["seq"] == head + 1


async def test_step_and_speed_controls(clients: list[Client]) -> None:
    """Step sends exactly one event and pauses; speed changes are reported."""
    clock = VirtualClock()
    spec = SessionSpec(name="main", events=make_race(), paused=True, token=TOKEN)
    async with run_server(sessions=[spec], clock=clock) as server:
        reader = await _open(clients, server.url)
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


async def test_control_without_or_with_a_wrong_token_is_refused(clients: list[Client]) -> None:
    """No token or a wrong one: unauthorized, the clock does not move, the token is never echoed."""
    spec = SessionSpec(name="main", events=make_race(), paused=True, token=TOKEN)
    async with run_server(sessions=[spec]) as server:
        client = await _open(clients, server.url)
        await client.send(op="control", session="main", action="play")
        assert (await client.recv())["code"] == "unauthorized"
        await client.send(op="control", session="main", token="guess", action="play")
        error = await client.recv()
        assert (error["code"], error["field"], error["closes"]) == (
            "unauthorized",
            "$.token",
            False,
        )
        assert server.sessions["main"].replay.state == "paused"
        await client.send(op="control", session="nope", token=TOKEN, action="play")
        assert (await client.recv())["code"] == "unknown_session"
        await client.send(op="control", session="main", token=TOKEN, action="seek", seq=10_000)
        error = await client.recv()
        assert (error["code"], error["field"]) == ("bad_message", "$.seq")
        await client.send(op="control", session="main", token=TOKEN, action="play")
        assert (await client.recv())["state"] == "playing"
        assert all(TOKEN not in json.dumps(frame) for frame in client.frames)


async def test_each_bad_message_gets_its_code_and_the_server_keeps_serving(
    clients: list[Client],
) -> None:
    """Bad JSON, bad fields, unknown ops, binary frames, unknown names: each its code; a
    watcher on the same server keeps receiving its stream throughout."""
    clock = VirtualClock(autojump=True)
    spec = SessionSpec(name="main", events=make_commentary(400, gap_ms=100), speed=10)
    config = ServerConfig(max_message_bytes=1024, rate_per_s=1000, rate_burst=1000)
    async with run_server(
        sessions=[spec], clock=clock, config=config, scenarios=static()
    ) as server:
        watcher = await _open(clients, server.url)
        await watcher.send(op="subscribe", session="main")
        bad = await _open(clients, server.url)
        cases: list[tuple[str | bytes, str, str | None]] = [
            ("{not json", "bad_json", None),
            ("[1, 2]", "bad_message", "$"),
            ('{"op": "subscribe", "from_seq": "ten"}', "bad_message", "$.from_seq"),
            ('{"op": "subscribe", "form_seq": 1}', "bad_message", "$.form_seq"),
            ('{"op": "subscribe", "from_seq": 1, "live": true}', "bad_message", "$.live"),
            ('{"op": "control", "session": "main", "action": "seek"}', "bad_message", "$.seq"),
            ('{"seq": 1}', "bad_message", "$.op"),
            ('{"op": "teleport"}', "unknown_op", "$.op"),
            (b"\x00\x01", "binary_frame", None),
            ('{"op": "subscribe", "session": "nope"}', "unknown_session", "$.session"),
            ('{"op": "create_session", "scenario": "nope"}', "unknown_scenario", "$.scenario"),
        ]
        for raw, code, field in cases:
            await bad.ws.send(raw)
            error = await bad.recv()
            assert (error["op"], error["code"], error["field"]) == ("error", code, field), raw
            assert error["closes"] is False
        await bad.send(op="ping", id=7)
        assert await bad.recv() == {"op": "pong", "id": 7}
        await bad.ws.send('{"op": "ping", "id": "' + "x" * 2000 + '"}')
        error = await bad.recv()
        assert (error["code"], error["closes"]) == ("frame_too_large", True)
        await bad.ws.wait_closed()
        assert bad.ws.close_code == 1009
        events = await watcher.events_until("end", timeout=10)
        assert [e["seq"] for e in events] == list(range(1, 401))


async def test_a_flood_of_messages_is_rate_limited(clients: list[Client]) -> None:
    """Past the burst, messages are dropped with one rate_limited notice; the link stays up."""
    config = ServerConfig(rate_per_s=1, rate_burst=5)
    async with run_server(config=config, scenarios=static()) as server:
        client = await _open(clients, server.url)
        for n in range(20):
            await client.send(op="ping", id=n)
        answers = [await client.recv() for _ in range(6)]
        assert [a["id"] for a in answers[:5]] == [0, 1, 2, 3, 4]
        assert answers[5]["code"] == "rate_limited"
        with pytest.raises(TimeoutError):
            await client.recv(timeout=0.2)


async def test_private_sessions_are_isolated_and_their_tokens_stay_private(
    clients: list[Client],
) -> None:
    """Two private sessions over one scenario run apart; each token reaches its creator only."""
    scenarios = static(("race", make_race()))
    async with run_server(scenarios=scenarios) as server:
        alice, bob, eve = [await _open(clients, server.url) for _ in range(3)]
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
        assert server.sessions[mine["session"]].head_seq == 0  # untouched
        await eve.send(op="control", session=mine["session"], token=theirs["token"], action="play")
        assert (await eve.recv_op("error"))["code"] == "unauthorized"
        for frame in eve.frames + bob.frames:
            assert mine["token"] not in json.dumps(frame)


async def test_too_many_private_sessions_is_refused() -> None:
    """Past the limit, create_session is answered with too_many_sessions."""
    config = ServerConfig(max_private_sessions=1)
    async with run_server(config=config, scenarios=static(("race", make_race()))) as server:
        client = await Client.open(server.url)
        await client.send(op="create_session", scenario="race")
        await client.recv_op("session_created")
        await client.send(op="create_session", scenario="race")
        assert (await client.recv_op("error"))["code"] == "too_many_sessions"
        await client.close()


async def test_idle_subscribers_get_heartbeats_with_the_head(clients: list[Client]) -> None:
    """A subscriber that is sent nothing gets a heartbeat every interval."""
    config = ServerConfig(heartbeat_s=0.05)
    spec = SessionSpec(name="main", events=make_race(), paused=True)
    async with run_server(sessions=[spec], config=config) as server:
        client = await _open(clients, server.url)
        await client.send(op="subscribe", session="main")
        beat = await client.recv_op("heartbeat")
        assert beat == {"op": "heartbeat", "session": "main", "epoch": 1, "head_seq": 0}


async def test_views_follow_every_delivery_and_match_the_projection(clients: list[Client]) -> None:
    """With views: true, each event or batch is followed by views as of its last seq."""
    events = make_race()
    spec = SessionSpec(name="main", events=events, speed=1000)
    async with run_server(sessions=[spec]) as server:
        client = await _open(clients, server.url)
        await client.send(op="subscribe", session="main", views=True, snapshot=True)
        await client.events_until("end")
    frames = client.frames
    last_seq = 0
    for before, after in itertools.pairwise(frames):
        delivered = envelopes([before])
        if delivered:
            last_seq = delivered[-1]["seq"]
            assert after["op"] == "views"
            assert after["seq"] == last_seq
    final = [f for f in frames if isinstance(f, dict) and f.get("op") == "views"][-1]
    projection = Projection()
    projection.apply_all(events)
    expected = json.loads(json.dumps([r.athlete_id for r in projection.standings().rows]))
    assert [row["athlete_id"] for row in final["standings"][0]["rows"]] == expected
    assert final["standings"][0]["status"] == "official"


async def test_from_race_ms_starts_at_the_first_event_at_or_after_that_time(
    clients: list[Client],
) -> None:
    """from_race_ms 60000 skips everything before the first minute of the race."""
    events = make_race()
    spec = SessionSpec(name="main", events=events, speed="instant")
    async with run_server(sessions=[spec]) as server:
        await server.sessions["main"].finished.wait()
        client = await _open(clients, server.url)
        await client.send(op="subscribe", session="main", from_race_ms=60_000)
        got = await client.events_until("end")
    first = next(e for e in events if e.race_ms >= 60_000)
    assert got[0]["seq"] == first.seq
    assert got[-1]["seq"] == events[-1].seq


async def test_a_second_subscribe_replaces_the_first(clients: list[Client]) -> None:
    """One subscription per connection: after a second subscribe only its stream arrives."""
    specs = [
        SessionSpec(name="a", events=make_commentary(5, stream="a"), paused=True, token=TOKEN),
        SessionSpec(name="b", events=make_commentary(5, stream="b"), paused=True, token=TOKEN),
    ]
    async with run_server(sessions=specs) as server:
        client = await _open(clients, server.url)
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


async def test_http_endpoints_answer_on_the_websocket_port() -> None:
    """/healthz, /v1/scenarios, /v1/sessions, /asyncapi.json and / answer plain GETs."""
    spec = SessionSpec(name="main", events=make_race(), paused=True, aliases=("alias",))
    async with run_server(sessions=[spec], scenarios=static(("race", make_race()))) as server:
        base = f"http://127.0.0.1:{server.port}"

        def get(path: str) -> tuple[int, str, bytes]:
            try:
                with urllib.request.urlopen(base + path, timeout=5) as response:
                    return response.status, response.headers["Content-Type"], response.read()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.headers["Content-Type"], exc.read()

        health = await asyncio.to_thread(get, "/healthz")
        catalog = await asyncio.to_thread(get, "/v1/scenarios")
        sessions = await asyncio.to_thread(get, "/v1/sessions")
        asyncapi = await asyncio.to_thread(get, "/asyncapi.json")
        page = await asyncio.to_thread(get, "/")
        missing = await asyncio.to_thread(get, "/nope/../../etc/passwd")
    assert health[0] == 200 and json.loads(health[2])["status"] == "ok"
    assert json.loads(catalog[2]) == [
        {"id": "race", "title": "race title", "kind": "race", "description": ""}
    ]
    listed = json.loads(sessions[2])
    assert [(s["session"], s["aliases"], s["state"]) for s in listed] == [
        ("main", ["alias"], "paused")
    ]
    document = json.loads(asyncapi[2])
    assert document["asyncapi"] == "3.0.0"
    assert document["servers"]["local"]["host"] == f"127.0.0.1:{server.port}"
    assert page[0] == 200 and page[1].startswith("text/html")
    assert missing[0] == 404


async def test_logs_name_sessions_and_clients_and_never_a_token(clients: list[Client]) -> None:
    """Logs carry client_connected, session_created, replay_finished ... and no token."""
    spec = SessionSpec(name="main", events=make_race(), speed="instant", token=TOKEN)
    with capture_logs() as logs:
        async with run_server(sessions=[spec], scenarios=static(("race", make_race()))) as server:
            client = await _open(clients, server.url)
            await client.send(op="create_session", scenario="race", paused=True)
            created = await client.recv_op("session_created")
            token = created["token"]
            await client.send(op="control", session=created["session"], token=token, action="play")
            await client.recv_op("replay_state")
            await client.send(op="subscribe", session="main")
            await client.events_until("end")
    names = {entry["event"] for entry in logs}
    assert {
        "server_started",
        "session_created",
        "client_connected",
        "subscribed",
        "control_applied",
        "replay_finished",
        "server_stopped",
    } <= names
    text = repr(logs)
    assert TOKEN not in text and created["token"] not in text
    finished = next(e for e in logs if e["event"] == "replay_finished")
    assert finished["session"] == "main" and finished["stream"] == "test-race"
