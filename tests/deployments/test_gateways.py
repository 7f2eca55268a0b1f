"""Any gateway serves any session as every other does: control, faults, resumes across them."""

from __future__ import annotations

import msgspec

from feed import wire
from feed.projections import project
from feed.server import SessionSpec
from tests.deployments.conftest import Deploy
from tests.kit.races import make_race
from tests.kit.wire import Client, Json, envelopes

TOKEN = "gateway-test-token"


def _spec(**options: object) -> SessionSpec:
    return SessionSpec(name="race", events=make_race(stream="race"), token=TOKEN, **options)  # type: ignore[arg-type]


async def test_control_through_any_gateway_reaches_subscribers_on_every_gateway(
    deployment: Deploy,
) -> None:
    """Play on the last gateway: a subscriber on the first gets the new ``replay_state``."""
    async with deployment(sessions=[_spec(paused=True)]) as d:
        watcher = await Client.open(d.url)
        await watcher.send(op="subscribe", session="race")
        await watcher.recv_op("caught_up")
        controller = await Client.open(d.urls[-1])
        await controller.send(op="control", session="race", action="play", token="wrong")
        refused = await controller.recv_op("error")
        await controller.send(op="control", session="race", action="play", token=TOKEN)
        answer = await controller.recv_op("replay_state")
        playing = await watcher.recv_op("replay_state")
        await controller.send(
            op="control", session="race", action="speed", speed="instant", token=TOKEN
        )
        await watcher.events_until("end")
        await controller.close()
        await watcher.close()
    assert refused["code"] == "unauthorized"
    assert answer["state"] == "playing" and playing["state"] == "playing"
    assert [e["seq"] for e in envelopes(watcher.frames)] == list(range(1, len(make_race()) + 1))


async def test_session_faults_set_through_one_gateway_reach_subscribers_of_every_gateway(
    deployment: Deploy,
) -> None:
    """The ``faults`` action goes in the log: each gateway applies it; the clock is untouched."""
    async with deployment(sessions=[_spec(paused=True)]) as d:
        client = await Client.open(d.url)
        await client.send(
            op="control", session="race", action="faults", faults="drop_p=1", fault_seed=7,
            token=TOKEN,
        )  # fmt: skip
        answer = await client.recv_op("replay_state")
        await client.close()
        assert answer["state"] == "paused" and d.clock("race").replay.state == "paused"
        for server in d.servers:
            assert server.session("race").protocol.session_faults == ("drop_p=1.0", 7)


async def test_a_resume_on_another_gateway_right_after_an_event_goes_on_from_it(
    deployment: Deploy,
) -> None:
    """Seq N from one gateway, then at once ``from_seq N + 1`` on another: no error, no gap,
    however far behind the second one is in reading the log."""
    async with deployment(sessions=[_spec(paused=True)]) as d:
        for seq in range(1, 8):
            first = await Client.open(d.url)
            await first.send(op="subscribe", session="race", from_seq=seq, epoch=1)
            await first.recv_op("caught_up")
            await first.send(op="control", session="race", action="step", token=TOKEN)
            got = envelopes([await first.recv()])
            assert [e["seq"] for e in got] == [seq]
            await first.close()
            second = await Client.open(d.urls[-1])
            await second.send(op="subscribe", session="race", from_seq=seq + 1, epoch=1)
            assert (await second.recv())["op"] == "subscribed", "no error: it waited for the log"
            await second.close()


def _snapshot_json(seq: int) -> Json:
    """What any deployment sends as the snapshot at ``seq`` of the race, as JSON."""
    snap = project(make_race(stream="race"), until_seq=seq).snapshot()
    message = wire.SnapshotMessage(
        session="race", epoch=1, seq=snap.seq, state=snap.state, race_states=snap.race_states,
        standings=snap.standings, medal_table=snap.medal_table,
    )  # fmt: skip
    return msgspec.json.decode(wire.encode(message))


async def test_a_resume_with_a_snapshot_is_the_projection_at_the_seq_before(
    deployment: Deploy,
) -> None:
    """A client that held seq N elsewhere gets a snapshot at N, then N + 1 onwards."""
    async with deployment(sessions=[_spec(paused=True)]) as d:
        d.director.control(wire.Control(session="race", action="seek", seq=20, token=TOKEN))
        await d.director.log.flush()  # stored: as it is once any client could have seen it
        client = await Client.open(d.urls[-1])
        await client.send(op="subscribe", session="race", from_seq=11, epoch=1, snapshot=True)
        snapshot = await client.recv_op("snapshot")
        await client.recv_op("caught_up")
        got = envelopes(client.frames)
        await client.close()
    assert snapshot == _snapshot_json(10)
    assert [e["seq"] for e in got] == list(range(11, 21))
