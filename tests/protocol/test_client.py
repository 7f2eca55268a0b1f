"""The client protocol, driven synchronously: frames in, what to apply and ask for out."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feed import wire
from feed.protocol.client import (
    Apply,
    ClientOutput,
    ClientProtocol,
    Ended,
    Fatal,
    Notice,
    Reset,
    Resubscribe,
)
from tests.kit.races import talk

LOG = talk(30)


def applied(outputs: list[ClientOutput]) -> list[int]:
    return [out.event.seq for out in outputs if isinstance(out, Apply)]


def client(**fields: object) -> ClientProtocol:
    protocol = ClientProtocol(wire.Subscribe(session="main", **fields))  # type: ignore[arg-type]
    protocol.connected()
    protocol.receive(subscribed(), 0.0)
    return protocol


def subscribed(epoch: int = 1, head: int = 0) -> wire.Subscribed:
    return wire.Subscribed(
        session="main", stream="talk", epoch=epoch, head_seq=head, next_seq=head + 1
    )


def test_events_in_order_are_applied_and_duplicates_dropped() -> None:
    target = client()
    out = target.receive(LOG[0], 0.0) + target.receive(LOG[1:3], 0.0) + target.receive(LOG[1], 0)
    assert applied(out) == [1, 2, 3]
    assert target.stats.duplicates_dropped == 1 and target.last_seq == 3


def test_events_that_overtook_a_missing_one_wait_for_it_and_follow_it_in_order() -> None:
    target = client()
    out = target.receive([LOG[0], LOG[2], LOG[3]], 0.0)
    assert applied(out) == [1] and target.next_deadline() == pytest.approx(0.2)
    out = target.receive(LOG[1], 0.1)
    assert applied(out) == [2, 3, 4] and target.stats.reordered == 2
    assert target.next_deadline() is None


def test_a_seq_that_does_not_come_in_time_is_asked_for_once() -> None:
    target = client()
    target.receive([LOG[0], LOG[2]], 0.0)
    assert target.tick(0.1) == []
    out = target.tick(0.2)
    assert out == [Resubscribe(wire.Subscribe(session="main", from_seq=2, epoch=1))]
    assert target.receive(LOG[3], 0.3) == []  # in flight before the new subscription
    assert target.tick(1.0) == []
    assert target.stats.gaps_detected == 1


def test_a_full_reorder_window_asks_at_once() -> None:
    target = ClientProtocol(wire.Subscribe(session="main"), reorder_window=3)
    target.connected()
    target.receive(subscribed(), 0.0)
    out = target.receive(LOG[1:5], 0.0)
    assert [type(o) for o in out] == [Resubscribe]


def test_a_heartbeat_past_the_last_seq_is_a_gap_in_the_same_epoch_only() -> None:
    target = client()
    target.receive(LOG[0], 0.0)
    beat = wire.Heartbeat(session="main", epoch=1, head_seq=3)
    assert isinstance(target.receive(beat, 0.0)[0], Resubscribe)
    other = client()
    other.receive(LOG[0], 0.0)
    assert not any(
        isinstance(o, Resubscribe)
        for o in other.receive(wire.Heartbeat(session="main", epoch=2, head_seq=3), 0.0)
    )


def test_a_snapshot_replaces_the_state_and_moves_the_resume_point() -> None:
    target = client()
    target.receive(LOG[0:5], 0.0)
    snapshot = wire.SnapshotMessage(
        session="main", epoch=2, seq=2, state={}, race_states=[], standings=[],  # type: ignore[arg-type]
        medal_table={"rows": [], "awards": [], "races_counted": []},  # type: ignore[arg-type]
    )  # fmt: skip
    out = target.receive(snapshot, 0.0)
    assert isinstance(out[0], Reset)
    assert target.subscribe_message().from_seq == 3 and target.subscribe_message().epoch == 2
    assert applied(target.receive(LOG[2], 0.0)) == [3]


def test_a_reconnect_resumes_from_the_seq_after_the_last_applied() -> None:
    target = client(snapshot=True)
    target.receive(LOG[0:7], 0.0)
    again = target.connected()
    assert (again.from_seq, again.epoch, again.snapshot) == (8, 1, False)


@pytest.mark.parametrize("code", sorted(code for code, rule in wire.ERRORS.items() if rule.fatal))
def test_every_fatal_code_of_the_error_table_gives_up(code: wire.ErrorCode) -> None:
    assert isinstance(client().receive(wire.error(code, "no"), 0.0)[0], Fatal)


def test_recoverable_errors_are_notices_and_too_slow_is_counted() -> None:
    target = client()
    out = target.receive(wire.error("too_slow", "slow", resume_from_seq=1), 0.0)
    assert isinstance(out[0], Notice) and target.stats.too_slow == 1


def test_the_end_is_the_end_only_when_every_event_before_it_was_applied() -> None:
    target = client()
    target.receive(LOG[0:2], 0.0)
    assert target.receive(wire.End(session="main", epoch=1, head_seq=3), 0.0) == []
    assert not target.ended
    target.receive(LOG[2], 0.0)
    out = target.receive(wire.End(session="main", epoch=1, head_seq=3), 0.0)
    assert isinstance(out[0], Ended) and target.ended


@settings(max_examples=300, deadline=None)
@given(
    order=st.permutations(list(range(30))),
    repeats=st.lists(st.integers(0, 29), max_size=15),
    split=st.integers(1, 30),
)
def test_whatever_order_and_repeats_come_every_seq_is_applied_once_in_order(
    order: list[int], repeats: list[int], split: int
) -> None:
    """A client that re-asks after each gap ends with 1..30 applied once each, in order."""
    target = client()
    seen: list[int] = []
    arrivals = [LOG[i] for i in order] + [LOG[i] for i in repeats]
    now = 0.0
    for event in arrivals[:split]:
        seen += applied(target.receive(event, now))
    now += 1.0
    for out in target.tick(now):
        if isinstance(out, Resubscribe):  # the server answers a resume with what is missing
            target.receive(subscribed(head=30), now)
            seen += applied(target.receive(LOG[out.message.from_seq - 1 :], now))  # type: ignore[operator]
    for event in arrivals[split:]:
        seen += applied(target.receive(event, now))
    now += 1.0
    for out in target.tick(now):
        if isinstance(out, Resubscribe):
            target.receive(subscribed(head=30), now)
            seen += applied(target.receive(LOG[out.message.from_seq - 1 :], now))  # type: ignore[operator]
    assert seen == list(range(1, len(seen) + 1))
    assert seen == list(range(1, 31))
