"""The fault injector, driven by hand: what each action does to the frames, and when."""

from __future__ import annotations

import pytest

from feed.errors import SequenceError
from feed.events import Event
from feed.faults import (
    BumpEpoch,
    Disconnect,
    FaultAction,
    FaultInjector,
    FaultPlan,
    FaultSpec,
    Output,
    Send,
    plan,
)
from tests.faults.fault_logs import log


def injector(spec: FaultSpec, events: list[Event], seed: int = 0) -> FaultInjector:
    return FaultInjector(plan(spec, seed, events))


def frame(seq: int) -> bytes:
    return f"frame {seq}".encode()


def feed_all(target: FaultInjector, seqs: range, now: float) -> None:
    for seq in seqs:
        target.feed(seq, frame(seq), now)


def trace(outputs: list[Output]) -> list[str]:
    """Outputs as short words: ``5`` for Send(seq 5), ``bump 3``, ``disconnect 4``."""
    words = []
    for output in outputs:
        match output:
            case Send(data, seq):
                assert data == frame(seq)
                words.append(str(seq))
            case BumpEpoch(seq):
                words.append(f"bump {seq}")
            case Disconnect(_, seq):
                words.append(f"disconnect {seq}")
    return words


def run_until_idle(target: FaultInjector, now: float) -> list[tuple[float, str]]:
    """Call ``due`` at every deadline until nothing is timed; ``(time, word)`` per output."""
    timeline: list[tuple[float, str]] = []
    for _ in range(10_000):
        timeline += [(now, word) for word in trace(target.due(now))]
        deadline = target.next_deadline()
        if deadline is None:
            return timeline
        now = max(now, deadline)
    raise AssertionError("the injector kept asking to be called")


def test_a_clean_plan_passes_every_frame_through_at_once_and_in_order() -> None:
    """No fault: each frame is due the moment it is fed, nothing is held."""
    target = injector(FaultSpec(), log([False] * 5))
    feed_all(target, range(1, 6), now=10.0)
    assert target.next_deadline() == 10.0
    assert trace(target.due(10.0)) == ["1", "2", "3", "4", "5"]
    assert target.idle and target.next_deadline() is None


def test_a_drop_skips_the_first_delivery_only() -> None:
    """A dropped seq is left out; resuming from it delivers it."""
    target = injector(FaultSpec(drop_p=1.0), log([False] * 3))
    feed_all(target, range(1, 4), now=0.0)
    assert trace(target.due(0.0)) == []
    target.resume(2)
    feed_all(target, range(2, 4), now=1.0)
    assert trace(target.due(1.0)) == ["2", "3"]


def test_a_disconnect_cuts_before_its_seq_and_happens_once() -> None:
    """``Disconnect`` instead of seq 3; frames after it are ignored; the resume goes past it."""
    target = injector(FaultSpec(disconnect_at_seq=[3]), log([False] * 5))
    feed_all(target, range(1, 6), now=0.0)
    outputs = target.due(0.0)
    assert trace(outputs) == ["1", "2", "disconnect 3"]
    assert isinstance(outputs[-1], Disconnect) and "seq 3" in outputs[-1].reason
    assert not target.connected and target.next_deadline() is None and target.idle
    target.feed(6, frame(6), 0.5)  # ignored: the connection is gone
    assert target.due(1.0) == []
    target.resume(3)
    assert target.connected
    assert target.fired == {(3, "disconnect")}
    feed_all(target, range(3, 6), now=2.0)
    assert trace(target.due(2.0)) == ["3", "4", "5"]


def test_a_fault_that_fired_does_not_fire_again_on_a_later_connection() -> None:
    """Resuming from before a disconnect's seq passes it: the injector remembers."""
    target = injector(FaultSpec(disconnect_at_seq=[3], drop_p=1.0), log([False] * 4))
    feed_all(target, range(1, 5), now=0.0)
    assert trace(target.due(0.0)) == ["disconnect 3"]  # 1 and 2 dropped first
    target.resume(1)
    feed_all(target, range(1, 5), now=1.0)
    assert trace(target.due(1.0)) == ["1", "2"]  # 3 and 4 still have their drop to come
    target.resume(3)
    feed_all(target, range(3, 5), now=2.0)
    assert trace(target.due(2.0)) == ["3", "4"]


def test_a_resume_always_gets_its_first_seq_even_from_a_new_injector() -> None:
    """No fault but a delay fires at the seq a resume starts from, remembered or not."""
    events = log([True] * 3)
    spec = FaultSpec(
        disconnect_at_seq=[2],
        epoch_bump_at_seq=[2],
        stall_at_seq=[2],
        stall_ms=500,
        drop_p=1.0,
        duplicate_p=1.0,
        reorder_p=1.0,
        late_correction_ms=900,
        delay_ms=100,
    )
    fresh = injector(spec, events)
    fresh.resume(2)
    feed_all(fresh, range(2, 4), now=0.0)
    assert run_until_idle(fresh, 0.0)[0] == (0.1, "2")
    assert {kind for seq, kind in fresh.fired if seq == 2} == {
        "disconnect", "epoch_bump", "stall", "drop", "reorder", "late_correction", "duplicate"
    }  # fmt: skip


def test_a_disconnect_loses_what_was_still_held() -> None:
    """A delayed frame not yet out when the connection drops never arrives on it."""
    target = injector(FaultSpec(late_correction_ms=5000, disconnect_at_seq=[3]), log([True] * 4))
    feed_all(target, range(1, 5), now=0.0)
    assert run_until_idle(target, 0.0) == [(0.0, "disconnect 3")]


def test_a_duplicate_goes_out_twice_in_a_row() -> None:
    """Every seq doubled, on the first attempt only."""
    target = injector(FaultSpec(duplicate_p=1.0), log([False] * 2))
    feed_all(target, range(1, 3), now=0.0)
    assert trace(target.due(0.0)) == ["1", "1", "2", "2"]
    target.resume(1)
    feed_all(target, range(1, 3), now=1.0)
    assert trace(target.due(1.0)) == ["1", "2"]


def test_a_reorder_sends_its_frame_right_after_its_partner() -> None:
    """Seq 2 swapped with seq 4: 1, 3, 4, 2, 5."""
    events = log([False] * 5)
    schedule = plan(FaultSpec(reorder_p=1.0, reorder_window=2), 0, events)
    partners = {a.seq: a.with_seq for a in schedule.actions if a.kind == "reorder"}
    target = FaultInjector(schedule)
    target.feed(1, frame(1), 0.0)
    assert trace(target.due(0.0)) == []  # 1 waits for its partner
    feed_all(target, range(2, 6), now=0.0)
    sent = [int(word) for word in trace(target.due(0.0))]
    assert sorted(sent) == [1, 2, 3, 4, 5]
    for seq, partner in partners.items():
        assert partner is not None
        assert sent.index(seq) > sent.index(partner), (seq, partner, sent)


def test_a_reorder_whose_partner_is_dropped_goes_when_the_partner_would_have() -> None:
    """The partner's turn passing is enough: a drop does not strand the held frame."""
    actions = [
        FaultAction(seq=1, kind="reorder", with_seq=2),
        FaultAction(seq=2, kind="drop"),
        FaultAction(seq=2, kind="delay", ms=500),
    ]
    schedule = FaultPlan(spec=FaultSpec(), seed=0, from_seq=1, last_seq=3, actions=actions)
    target = FaultInjector(schedule)
    feed_all(target, range(1, 4), now=0.0)
    assert target.pending == 2
    assert run_until_idle(target, 0.0) == [(0.0, "1"), (0.0, "3")]


def test_delays_keep_the_order_and_never_release_a_frame_early() -> None:
    """With jitter each frame waits its own delay, and a later frame never overtakes."""
    events = log([False] * 40)
    schedule = plan(FaultSpec(delay_ms=20, jitter_ms=500), 9, events)
    delays = {a.seq: a.ms or 0 for a in schedule.actions if a.kind == "delay"}
    target = FaultInjector(schedule)
    fed_at = {seq: seq * 0.05 for seq in range(1, 41)}
    timeline: list[tuple[float, str]] = []
    now = 0.0
    for seq in range(1, 41):
        while (deadline := target.next_deadline()) is not None and deadline <= fed_at[seq]:
            now = max(now, deadline)
            timeline += [(now, word) for word in trace(target.due(now))]
        now = fed_at[seq]
        target.feed(seq, frame(seq), now)
    timeline += run_until_idle(target, now)
    assert [int(word) for _, word in timeline] == list(range(1, 41))
    for when, word in timeline:
        seq = int(word)
        assert when >= fed_at[seq] + delays[seq] / 1000, (seq, when)


def test_a_stall_silences_the_connection_for_its_length() -> None:
    """Nothing goes out during a stall, not even a late correction; then all in arrival order."""
    events = log([False, True, False, False, False])
    spec = FaultSpec(stall_at_seq=[3], stall_ms=2000, late_correction_ms=1000)
    target = injector(spec, events)
    feed_all(target, range(1, 6), now=0.0)
    assert run_until_idle(target, 0.0) == [
        (0.0, "1"),
        (2.0, "2"),
        (2.0, "3"),
        (2.0, "4"),
        (2.0, "5"),
    ]


def test_a_late_correction_is_overtaken_by_the_events_after_it() -> None:
    """The correction at seq 2 arrives its hold later, after 3 and 4; the rest are not held."""
    target = injector(FaultSpec(late_correction_ms=1500), log([False, True, False, False]))
    feed_all(target, range(1, 5), now=0.0)
    assert run_until_idle(target, 0.0) == [(0.0, "1"), (0.0, "3"), (0.0, "4"), (1.5, "2")]


def test_an_epoch_bump_comes_in_its_frames_place_once() -> None:
    """``BumpEpoch(3)`` just before seq 3, dropping older frames still held; never again."""
    events = log([False, True, False, False])
    spec = FaultSpec(epoch_bump_at_seq=[3], late_correction_ms=1000)
    target = injector(spec, events)
    feed_all(target, range(1, 5), now=0.0)
    assert run_until_idle(target, 0.0) == [(0.0, "1"), (0.0, "bump 3"), (0.0, "3"), (0.0, "4")]
    target.resume(3)
    feed_all(target, range(3, 5), now=1.0)
    assert trace(target.due(1.0)) == ["3", "4"]


def test_resume_forgets_what_was_held_but_not_what_fired() -> None:
    """A held correction is gone after a resume; it comes back on time, not late again."""
    target = injector(FaultSpec(late_correction_ms=1000), log([True, False]))
    feed_all(target, range(1, 3), now=0.0)
    assert trace(target.due(0.0)) == ["2"]
    assert target.pending == 1
    target.resume(1)
    assert target.pending == 0 and target.next_seq == 1
    feed_all(target, range(1, 3), now=0.5)
    assert trace(target.due(0.5)) == ["1", "2"]


def test_feeding_out_of_order_is_a_sequence_error() -> None:
    """Frames come in seq order from where the connection started, or the driver has a bug."""
    target = injector(FaultSpec(), log([False] * 5))
    target.resume(2)
    with pytest.raises(SequenceError, match="fault injector: seq gap: expected seq 2, got 3"):
        target.feed(3, frame(3), 0.0)
    target.feed(2, frame(2), 0.0)
    with pytest.raises(SequenceError, match="expected seq 3, got 2"):
        target.feed(2, frame(2), 0.0)
    with pytest.raises(ValueError, match="from_seq: expected 1 or more"):
        target.resume(0)


def test_frames_beyond_the_plan_pass_through_untouched() -> None:
    """A seq the plan does not cover (a longer log) goes out as fed."""
    target = injector(FaultSpec(drop_p=1.0), log([False] * 2))
    target.resume(3)
    feed_all(target, range(3, 5), now=0.0)
    assert trace(target.due(0.0)) == ["3", "4"]


def test_a_stall_reports_the_connection_silent_while_it_lasts() -> None:
    """``stalled(now)`` is true from the stalled frame's turn until the stall ends."""
    target = injector(FaultSpec(stall_at_seq=[2], stall_ms=1000), log([False] * 2))
    feed_all(target, range(1, 3), now=5.0)
    assert not target.stalled(4.9)
    assert target.stalled(5.0) and target.stalled(5.999)
    assert trace(target.due(5.5)) == ["1"]
    assert not target.stalled(6.0)
    assert trace(target.due(6.0)) == ["2"]
