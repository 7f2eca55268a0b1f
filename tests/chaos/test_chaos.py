"""Chaos over real sockets: whatever faults the server injects, the SDK's user loses nothing.

Hypothesis draws fault specs, seeds, scenarios (the Tokyo final and the edge cases)
and replay speeds; the server injects the faults, the client SDK recovers, and at
the end its user has seen every seq once (or had it covered by an epoch bump's
snapshot) and holds exactly the reference projections. A failure prints the
example and the ``racefeed faults`` command that prints its schedule.
"""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from feed.client import connect
from feed.faults import PROFILES, FaultInjector, FaultSpec, Send, format_spec, plan
from feed.faults.profiles import parse_spec
from feed.protocol import Limits
from feed.protocol.faults import EPOCH_STRIDE
from feed.replay import Speed
from feed.server import ServerConfig, SessionSpec, VirtualClock, run_server
from tests.chaos.chaoskit import (
    FAST,
    SCENARIOS,
    check,
    fault_specs,
    replay_through_faults,
    reproduce,
)
from tests.kit.wire import Raw, seqs_of

TOKYO = SCENARIOS["tokyo-2025-m1500-final"]


@settings(
    max_examples=30,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    scenario=st.sampled_from(sorted(SCENARIOS)),
    spec=fault_specs(),
    seed=st.integers(0, 2**32 - 1),
    speed=st.sampled_from([50.0, "instant"]),
)
def test_any_fault_schedule_leaves_the_sdk_with_every_seq_once_and_the_reference_views(
    scenario: str, spec: FaultSpec, seed: int, speed: Speed
) -> None:
    """The SDK's user sees each seq once (or in a snapshot) and ends on the reference."""
    text = format_spec(spec)
    note(f"reproduce the schedule: {reproduce(scenario, text, seed)}")
    events = SCENARIOS[scenario]
    outcome = asyncio.run(replay_through_faults(events, text, seed, speed=speed))
    note(f"stats: {outcome.stats}; snapshots: {outcome.snapshots}")
    check(outcome, events)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("profile", sorted(PROFILES))
async def test_every_named_profile_replays_the_tokyo_final_whole(profile: str, seed: int) -> None:
    """Each profile, three seeds: the race ends with Nader ahead of Wightman and Kerr last."""
    outcome = await replay_through_faults(TOKYO, profile, seed)
    check(outcome, TOKYO)


async def test_the_same_seed_gives_the_same_faults_on_the_wire_as_the_plan() -> None:
    """Two subscribers with one spec and seed receive the seqs the pure injector predicts."""
    text = "drop_p=0.15,duplicate_p=0.15,reorder_p=0.15,reorder_window=3"
    injector = FaultInjector(plan(parse_spec(text), 11, TOKYO))
    injector.resume(1)
    for event in TOKYO:
        injector.feed(event.seq, b"", 0.0)
    expected = [out.seq for out in injector.due(0.0) if isinstance(out, Send)]
    spec = SessionSpec(name="main", events=TOKYO, speed="instant")
    async with run_server(sessions=[spec], clock=VirtualClock(autojump=True)) as server:
        await server.ended("main")
        received = []
        for client_id in ("first", "second"):
            raw = await Raw.open(server.url)
            await raw.send(op="subscribe", faults=text, fault_seed=11, client_id=client_id)
            frames, _ = await raw.frames_until("end")
            received.append(seqs_of(frames))
            await raw.close()
    assert received[0] == received[1] == expected
    assert sorted(set(expected)) != list(range(1, len(TOKYO) + 1))  # some were dropped


async def test_a_disconnect_cuts_the_socket_before_its_seq_and_the_resume_goes_clean() -> None:
    """1006 just before seq 40; the same client_id resuming from 40 gets it, and no new cut."""
    spec = SessionSpec(name="main", events=TOKYO, speed="instant")
    async with run_server(sessions=[spec], clock=VirtualClock(autojump=True)) as server:
        await server.ended("main")
        raw = await Raw.open(server.url)
        await raw.send(op="subscribe", faults="disconnect_at_seq=40", client_id="phone")
        seen: list[int] = []
        with pytest.raises(Exception) as closed:
            while True:
                seen += seqs_of([await raw.recv()])
        assert getattr(closed.value, "rcvd", "absent") is None  # no close frame: 1006
        assert seen == list(range(1, 40))
        again = await Raw.open(server.url)
        await again.send(
            op="subscribe", faults="disconnect_at_seq=40", client_id="phone", from_seq=40, epoch=1
        )
        frames, end = await again.frames_until("end")
        assert seqs_of(frames) == list(range(40, len(TOKYO) + 1))
        assert end["head_seq"] == len(TOKYO)
        await again.close()


async def test_an_epoch_bump_sends_a_snapshot_with_a_fault_epoch_that_a_resume_may_name() -> None:
    """Bump at seq 100: snapshot at 99 in a fault epoch; resuming with it continues, no stale."""
    spec = SessionSpec(name="main", events=TOKYO, speed="instant")
    async with run_server(sessions=[spec], clock=VirtualClock(autojump=True)) as server:
        await server.ended("main")
        raw = await Raw.open(server.url)
        await raw.send(op="subscribe", faults="epoch_bump_at_seq=100", client_id="tab")
        frames, snapshot = await raw.frames_until("snapshot")
        assert seqs_of(frames)[-1] == 99
        assert snapshot["seq"] == 99
        assert snapshot["epoch"] == 1 + EPOCH_STRIDE
        await raw.close()
        again = await Raw.open(server.url)
        await again.send(
            op="subscribe",
            faults="epoch_bump_at_seq=100",
            client_id="tab",
            from_seq=100,
            epoch=1 + EPOCH_STRIDE,
        )
        frames, end = await again.frames_until("end")
        assert [f.get("op") for f in frames if isinstance(f, dict) and "op" in f][:1] == [
            "subscribed"
        ]
        assert not any(isinstance(f, dict) and f.get("op") == "error" for f in frames)
        assert frames[0]["epoch"] == 1 + EPOCH_STRIDE
        assert seqs_of(frames) == list(range(100, len(TOKYO) + 1))
        assert end["epoch"] == 1 + EPOCH_STRIDE
        await again.close()
        stranger = await Raw.open(server.url)  # no fault state: that epoch means nothing here
        await stranger.send(op="subscribe", from_seq=100, epoch=1 + EPOCH_STRIDE)
        error = await stranger.recv()
        assert error["code"] == "stale_epoch"
        await stranger.close()


async def test_a_late_correction_comes_after_the_events_that_follow_it() -> None:
    """The photo-finish result is held back and overtaken; the SDK still ends on the reference."""
    spec = SessionSpec(name="main", events=TOKYO, speed="instant")
    correction = next(e.seq for e in TOKYO if e.type == "photo_finish_resolved")
    async with run_server(sessions=[spec], clock=VirtualClock(autojump=True)) as server:
        await server.ended("main")
        raw = await Raw.open(server.url)
        await raw.send(op="subscribe", faults="late-corrections")
        frames, _ = await raw.frames_until("end")
        seqs = seqs_of(frames)
        await raw.close()
    assert sorted(seqs) == list(range(1, len(TOKYO) + 1))
    assert seqs.index(correction) > seqs.index(correction + 1)
    outcome = await replay_through_faults(TOKYO, "late-corrections", 0)
    check(outcome, TOKYO)


async def test_session_faults_from_create_session_reach_every_subscriber_but_an_opt_out() -> None:
    """A private session with `lossy` faults: two feeds recover, one asking for none is clean."""
    async with run_server(clock=VirtualClock(autojump=True)) as server:
        creator = await Raw.open(server.url)
        await creator.send(
            op="create_session",
            scenario="tokyo-2025-m1500-final",
            speed=50,
            paused=True,
            faults="lossy,drop_p=0.1",
            fault_seed=5,
        )
        created = await creator.recv()
        assert created["op"] == "session_created", created
        session = created["session"]
        feeds = [
            connect(server.url, session=session, backoff=FAST),
            connect(server.url, session=session, backoff=FAST),
            connect(server.url, session=session, backoff=FAST, faults="none"),
        ]
        for feed in feeds:
            await feed.__aenter__()
        await creator.send(op="control", session=session, token=created["token"], action="play")
        for feed in feeds:
            await feed.wait_for_end(timeout=30)
            await feed.close()
        await creator.close()
    for feed in feeds[:2]:
        assert feed.stats.gaps_detected > 0 or feed.stats.duplicates_dropped > 0
        assert feed.standings() == feeds[2].standings()
    assert feeds[2].stats.gaps_detected == feeds[2].stats.duplicates_dropped == 0


async def test_the_faults_control_action_sets_faults_for_later_subscriptions() -> None:
    """Control `faults` (with the session's token only) makes the next subscriber's feed lossy."""
    spec = SessionSpec(name="main", events=TOKYO, speed="instant", token="main-token")
    async with run_server(sessions=[spec], clock=VirtualClock(autojump=True)) as server:
        await server.ended("main")
        admin = await Raw.open(server.url)
        await admin.send(op="control", session="main", action="faults", faults="lossy", token="x")
        assert (await admin.recv())["code"] == "unauthorized"
        await admin.send(op="control", session="main", action="faults", faults="drop_q=1")
        refused = await admin.recv()
        assert refused["code"] == "bad_message"
        assert refused["field"] == "$.faults"
        assert "column 1" in refused["message"]
        await admin.send(
            op="control",
            session="main",
            action="faults",
            faults="drop_p=0.2",
            fault_seed=3,
            token="main-token",
        )
        assert (await admin.recv())["op"] == "replay_state"
        raw = await Raw.open(server.url)
        await raw.send(op="subscribe")
        frames, _ = await raw.frames_until("end")
        assert len(set(seqs_of(frames))) < len(TOKYO)
        await admin.send(
            op="control", session="main", action="faults", faults="none", token="main-token"
        )
        await admin.recv()
        clean = await Raw.open(server.url)
        await clean.send(op="subscribe")
        frames, _ = await clean.frames_until("end")
        assert seqs_of(frames) == list(range(1, len(TOKYO) + 1))
        for client in (admin, raw, clean):
            await client.close()


async def test_a_faulty_subscriber_that_falls_too_far_behind_is_cut_off_like_any_other() -> None:
    """A stall holds frames past the backlog limit: `too_slow` with the first seq not sent."""
    spec = SessionSpec(name="main", events=TOKYO, speed="instant")
    config = ServerConfig(limits=Limits(fault_held_frames=50))
    async with run_server(sessions=[spec], clock=VirtualClock(), config=config) as server:
        raw = await Raw.open(server.url)
        await raw.send(op="subscribe", faults="stall_at_seq=3,stall_ms=60000")
        frames, error = await raw.frames_until("error")
        assert error["code"] == "too_slow"
        assert error["resume_from_seq"] == 3
        assert seqs_of(frames) == [1, 2]
        await raw.close()


async def test_a_bad_fault_spec_is_refused_with_its_field_and_column() -> None:
    """`subscribe` with a misspelt key: bad_message at $.faults naming the column and the fix."""
    spec = SessionSpec(name="main", events=TOKYO, speed="instant")
    async with run_server(sessions=[spec]) as server:
        raw = await Raw.open(server.url)
        await raw.send(op="subscribe", faults="lossy,drop_q=0.1")
        error = await raw.recv()
        await raw.close()
    assert error["code"] == "bad_message"
    assert error["field"] == "$.faults"
    assert "column 7" in error["message"]
    assert "did you mean 'drop_p'" in error["message"]


async def test_a_faulty_subscriber_gets_its_held_events_and_end_even_if_the_session_restarts() -> (
    None
):
    """Delayed events, then `end`, then a seek back: the old epoch still ends whole for it."""
    clock = VirtualClock()
    spec = SessionSpec(name="main", events=TOKYO, speed="instant", paused=True, token="tok-main")
    async with run_server(sessions=[spec], clock=clock) as server:
        session = server.director.sessions["main"]  # type: ignore[union-attr]
        raw = await Raw.open(server.url)
        await raw.send(op="subscribe", faults="delay_ms=500", client_id="slow")
        await raw.until("caught_up")
        for action in ("play", "seek"):  # all published and ended; then back to the start
            await raw.send(op="control", session="main", action=action, token="tok-main", seq=0)
            await asyncio.sleep(0.05)
        assert session.epoch == 2
        clock.advance(1.0)
        frames, end = await raw.frames_until("end")
        await raw.close()
    assert seqs_of(frames) == list(range(1, len(TOKYO) + 1))
    assert end["epoch"] == 1 and end["head_seq"] == len(TOKYO)
    assert not [f for f in frames if isinstance(f, dict) and f.get("op") == "snapshot"]
