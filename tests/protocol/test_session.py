"""The session protocol, driven synchronously on a virtual clock: no sockets, no loop."""

from __future__ import annotations

import msgspec
import pytest

from feed import wire
from feed.protocol import Limits, SubscriberState
from tests.kit.protocol import Wire, playing, session
from tests.kit.races import talk, tokyo


def test_a_subscriber_from_the_start_gets_the_handshake_then_every_event_live() -> None:
    """subscribed, replay_state, caught_up at head 0, then each publish as it happens."""
    log = talk(5)
    net = Wire(session(log))
    got = net.subscribe("a")
    assert got.ops() == ["subscribed", "replay_state", "caught_up"]
    net.publish(log[:2])
    net.publish(log[2:])
    assert got.seqs() == [1, 2, 3, 4, 5]
    assert got.ops()[3:] == ["events", "events"]  # one frame per publish: a batch, then three


def test_history_goes_in_byte_bound_batches_at_the_readers_pace() -> None:
    """The first batch at once; the next only when the host says the queue drained."""
    log = talk(100, text_bytes=200)
    net = Wire(session(log, Limits(history_bytes=4096)))
    net.publish(log)
    got = net.subscribe("a")
    assert got.ops() == ["subscribed", "replay_state", "events"]
    first = got.seqs()
    assert 10 < len(first) < 25 and got.wants_drain
    while got.wants_drain:
        net.drain("a")
    assert got.seqs() == list(range(1, 101))
    assert got.ops()[-1] == "caught_up"
    net.publish(talk(101, text_bytes=200)[100:])
    assert got.seqs()[-1] == 101


def test_a_subscriber_still_catching_up_gets_no_live_event_before_its_history() -> None:
    """Events published during a catch-up come after the history, in seq order."""
    log = talk(60, text_bytes=200)
    net = Wire(session(log, Limits(history_bytes=2048)))
    net.publish(log[:50])
    got = net.subscribe("a")
    net.publish(log[50:])
    while got.wants_drain:
        net.drain("a")
    assert got.seqs() == list(range(1, 61))


def test_a_resume_in_the_same_epoch_gets_exactly_what_it_lacks() -> None:
    log = talk(10)
    net = Wire(session(log))
    net.publish(log)
    got = net.subscribe("a", from_seq=7, epoch=1)
    assert got.seqs() == [7, 8, 9, 10]
    assert "snapshot" not in got.ops()


@pytest.mark.parametrize(
    ("fields", "code"),
    [({"from_seq": 5, "epoch": 3}, "stale_epoch"), ({"from_seq": 40}, "unreachable_seq")],
)
def test_a_resume_that_cannot_be_met_gets_its_error_and_a_snapshot_at_the_head(
    fields: dict[str, int], code: str
) -> None:
    log = talk(10)
    net = Wire(session(log))
    net.publish(log)
    got = net.subscribe("a", **fields)
    assert got.ops() == ["error", "subscribed", "replay_state", "snapshot", "caught_up"]
    assert got.frames[0]["code"] == code  # type: ignore[index]
    assert got.last("snapshot")["seq"] == 10
    assert got.seqs() == []


def test_a_new_epoch_starts_every_subscriber_over_at_the_new_head() -> None:
    """replay_state, snapshot and caught_up at the cut; then the stream goes on from there."""
    log = talk(10)
    protocol = session(log)
    net = Wire(protocol)
    net.publish(log)
    live = net.subscribe("live")
    status = msgspec.structs.replace(playing(3), epoch=2)
    protocol.start_epoch(2, 3, status, 1.0)
    net.flush()
    assert live.ops()[-3:] == ["replay_state", "snapshot", "caught_up"]
    assert live.last("snapshot")["seq"] == 3 and live.last("snapshot")["epoch"] == 2
    net.publish(log[3:5])
    assert live.seqs()[-2:] == [4, 5]
    assert protocol.head_seq == 5 and protocol.epoch == 2


def test_the_end_reaches_the_live_at_once_and_the_catching_up_after_their_history() -> None:
    log = talk(80, text_bytes=200)
    protocol = session(log, Limits(history_bytes=2048))
    net = Wire(protocol)
    live = net.subscribe("live")
    net.publish(log)
    behind = net.subscribe("behind")
    ended = msgspec.structs.replace(playing(80), state="ended")
    protocol.clock_changed(ended, 2.0)
    net.flush()
    assert live.ops()[-2:] == ["replay_state", "end"] and live.closed == 1000
    assert behind.closed is None
    while behind.wants_drain:
        net.drain("behind")
    assert behind.seqs() == list(range(1, 81))
    assert behind.ops()[-2:] == ["caught_up", "end"] and behind.closed == 1000


def test_heartbeats_go_only_to_live_subscribers_that_were_sent_nothing() -> None:
    """At each tick: quiet subscribers get the head; after a publish, nobody does."""
    log = talk(3)
    protocol = session(log, Limits(heartbeat_s=15.0))
    net = Wire(protocol)
    got = net.subscribe("a")
    assert protocol.next_deadline() == 15.0
    protocol.tick(15.0)
    net.flush()
    assert got.ops()[-1] == "caught_up"  # it was sent its handshake since the last tick
    protocol.tick(30.0)
    net.flush()
    assert got.ops()[-1] == "heartbeat"
    net.publish(log[:1], now=40.0)
    protocol.tick(45.0)
    net.flush()
    assert got.ops()[-1] == "events"  # it was sent the event since the last tick
    protocol.tick(60.0)
    net.flush()
    assert got.last("heartbeat")["head_seq"] == 1


def test_a_subscriber_whose_queue_overflows_is_told_where_to_resume_and_closed() -> None:
    log = talk(5)
    protocol = session(log)
    net = Wire(protocol)
    net.publish(log)
    got = net.subscribe("a")
    protocol.too_slow("a", 4, 1.0)
    net.flush()
    error = got.last("error")
    assert error["code"] == "too_slow" and error["resume_from_seq"] == 4
    assert got.closed == 1013 and protocol.subscribers == 0


def test_views_follow_every_delivery_with_the_projection_at_its_last_seq() -> None:
    log = list(tokyo())
    net = Wire(session(log))
    net.publish(log[:120])
    got = net.subscribe("a", views=True)
    assert got.ops() == ["subscribed", "replay_state", "events", "views", "caught_up"]
    net.publish(log[120:121])
    views = got.last("views")
    assert views["seq"] == 121
    assert views["standings"][0]["race"] == "tokyo-2025-m1500-final"  # type: ignore[index]


def test_from_race_ms_starts_at_the_first_event_at_or_after_that_time() -> None:
    log = talk(10)  # 50 ms apart from 0
    net = Wire(session(log))
    net.publish(log)
    assert net.subscribe("a", from_race_ms=120, snapshot=True).seqs() == list(range(4, 11))


def test_replay_state_runs_the_race_clock_on_between_events_while_playing() -> None:
    """Between events, a playing clock's race time moves with the speed, up to the gap bound."""
    log = talk(2)
    protocol = session(log, now=100.0)
    protocol.clock_changed(msgspec.structs.replace(playing(0), race_ms=-30_000), 100.0)
    protocol.publish(log[:1], [b"{}"], 101.0)
    assert protocol.status(101.5).race_ms == 500
    assert protocol.status(101.5).position_seq == 1
    paused = msgspec.structs.replace(protocol.status(102.0), state="paused")
    protocol.clock_changed(paused, 102.0)
    assert protocol.status(200.0).race_ms == paused.race_ms


def test_a_lossy_subscriber_of_a_log_fed_bit_by_bit_gets_its_faults_planned_over_the_whole() -> (
    None
):
    """A gateway holds only what was published so far: faults are planned as events come."""
    log = list(tokyo())
    protocol = session(log)
    net = Wire(protocol)
    got = net.subscribe("a", faults="drop_p=0.5", fault_seed=3, client_id="x")
    for event in log:
        net.publish([event])
    assert 80 < len(got.seqs()) < 150, len(got.seqs())


def test_a_faulty_subscriber_gets_end_only_after_its_held_events() -> None:
    log = talk(6)
    protocol = session(log)
    net = Wire(protocol)
    got = net.subscribe("a", faults="delay_ms=100")
    net.publish(log, now=0.0)
    protocol.clock_changed(msgspec.structs.replace(playing(6), state="ended"), 0.0)
    net.flush()
    assert got.seqs() == [] and got.closed is None
    deadline = protocol.next_deadline()
    assert deadline is not None and deadline == pytest.approx(0.1)
    protocol.tick(0.1)
    net.flush()
    assert got.seqs() == [1, 2, 3, 4, 5, 6]
    assert got.ops()[-1] == "end" and got.closed == 1000


def test_an_injected_disconnect_aborts_the_connection_and_the_resume_goes_on() -> None:
    log = talk(8)
    protocol = session(log)
    net = Wire(protocol)
    got = net.subscribe("a", faults="disconnect_at_seq=4", client_id="x")
    net.publish(log)
    assert got.aborted and got.seqs() == [1, 2, 3]
    again = net.subscribe("b", faults="disconnect_at_seq=4", client_id="x", from_seq=4, epoch=1)
    assert again.seqs() == [4, 5, 6, 7, 8] and not again.aborted


def test_an_epoch_bump_fault_moves_one_subscriber_to_a_fault_epoch_a_resume_may_name() -> None:
    log = talk(8)
    protocol = session(log)
    net = Wire(protocol)
    got = net.subscribe("a", faults="epoch_bump_at_seq=5", client_id="x")
    net.publish(log)
    snapshot = got.last("snapshot")
    assert snapshot["seq"] == 4 and snapshot["epoch"] == 1_000_001
    resumed = net.subscribe("a", faults="epoch_bump_at_seq=5", client_id="x",
                            from_seq=9, epoch=1_000_001)  # fmt: skip
    assert "error" not in resumed.ops()[-3:]
    assert resumed.last("subscribed")["epoch"] == 1_000_001


def test_session_faults_reach_later_subscriptions_and_none_clears_them() -> None:
    log = talk(20)
    protocol = session(log)
    net = Wire(protocol)
    protocol.set_faults("drop_p=1.0", 0)
    dropped = net.subscribe("a")
    protocol.set_faults("none", 0)
    clean = net.subscribe("b")
    net.publish(log)
    # The first seq of a subscription is always spared, so that every resume gets further.
    assert dropped.seqs() == [1] and clean.seqs() == list(range(1, 21))


def test_closing_the_session_tells_its_subscribers_it_is_gone() -> None:
    protocol = session(talk(3))
    net = Wire(protocol)
    got = net.subscribe("a")
    protocol.close("expired")
    net.flush()
    assert got.last("error")["code"] == "unknown_session" and protocol.subscribers == 0


def test_a_second_subscribe_of_the_same_sink_replaces_the_first() -> None:
    log = talk(4)
    protocol = session(log)
    net = Wire(protocol)
    net.subscribe("a")
    net.subscribe("a", live=True)
    assert protocol.subscribers == 1
    net.publish(log[:1])
    assert net["a"].seqs() == [1]


def test_an_unknown_sink_may_leave_or_drain_without_effect() -> None:
    protocol = session(talk(1))
    assert not protocol.unsubscribe("nobody", 0.0)
    protocol.writable("nobody", 0.0)
    protocol.too_slow("nobody", 1, 0.0)
    assert protocol.data_to_send() == []


def test_every_subscriber_state_change_is_in_the_transition_table() -> None:
    """A subscriber cannot end while it catches up, nor come back once gone."""
    from feed.protocol import Subscriber

    sub = Subscriber("s", client="c", cursor=1, views=False)
    with pytest.raises(RuntimeError, match="no transition 'end'"):
        sub.move("end")
    assert sub.move("caught_up") is SubscriberState.LIVE
    assert sub.move("end") is SubscriberState.ENDED
    assert sub.move("leave") is SubscriberState.GONE
    with pytest.raises(RuntimeError):
        sub.move("new_epoch")


def test_the_wire_error_table_says_what_a_client_does_about_each_code() -> None:
    assert wire.ERRORS["unknown_session"].fatal and not wire.ERRORS["too_slow"].fatal
    assert all(rule.closes == (rule.close_code is not None) for rule in wire.ERRORS.values())
