"""Fault plans: decided up front, the same for the same seed, stable on resume."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from feed.errors import SequenceError
from feed.events import Event
from feed.faults import CORRECTION_TYPES, PROFILES, FaultAction, FaultSpec, PlanAsFed, plan
from tests.faults.fault_logs import log, logs, specs

seeds = st.integers(-(2**63), 2**63)

# Computed once and kept: if this changes, every seed anyone wrote down means something else.
GOLDEN_DROPS_SEED_42 = [7, 8, 24, 32, 34, 58]


@given(specs(), seeds, logs())
def test_the_same_seed_and_events_give_the_same_plan_byte_for_byte(
    spec: FaultSpec, seed: int, events: list[Event]
) -> None:
    """Planning twice gives identical JSON: nothing depends on time or on hash order."""
    first = msgspec.json.encode(plan(spec, seed, events))
    assert first == msgspec.json.encode(plan(spec, seed, events)), f"seed {seed}"


@given(seeds, seeds)
def test_different_seeds_give_different_plans(seed: int, other: int) -> None:
    """Two seeds differ in where the faults fall (a nonzero spec over 100 events)."""
    if seed == other:
        other += 1
    spec = FaultSpec(drop_p=0.5)
    events = log([False] * 100)
    first = plan(spec, seed, events).actions
    second = plan(spec, other, events).actions
    assert first != second, f"seeds {seed} and {other}"


@given(specs(), seeds, logs(), st.data())
def test_a_plan_from_mid_stream_is_the_tail_of_the_full_plan(
    spec: FaultSpec, seed: int, events: list[Event], data: st.DataObject
) -> None:
    """A resumed subscriber's plan holds the full plan's actions from its seq on, no others."""
    start = data.draw(st.integers(1, len(events) + 1), label="from_seq")
    full = plan(spec, seed, events)
    tail = [action for action in full.actions if action.seq >= start]
    assert plan(spec, seed, events, from_seq=start).actions == tail, f"seed {seed}"
    if start <= len(events):
        rest = events[start - 1 :]
        assert plan(spec, seed, rest, from_seq=start).actions == tail, f"seed {seed}"
        assert plan(spec, seed, rest).actions == tail, f"seed {seed}"


@given(seeds)
def test_changing_one_knob_leaves_the_other_faults_where_they_were(seed: int) -> None:
    """``lossy,drop_p=0.05`` drops more, but duplicates and reorders the same seqs as lossy."""
    events = log([False] * 150)
    lossy = PROFILES["lossy"].spec
    more = msgspec.structs.replace(lossy, drop_p=0.05)

    def others(spec: FaultSpec) -> list[object]:
        return [a for a in plan(spec, seed, events).actions if a.kind != "drop"]

    assert others(lossy) == others(more), f"seed {seed}"


@given(specs(), seeds, logs())
def test_every_action_is_within_what_the_spec_allows(
    spec: FaultSpec, seed: int, events: list[Event]
) -> None:
    """Reorders stay in the window and the log, only corrections come late, times are the spec's."""
    last = events[-1].seq
    types = {event.seq: event.type for event in events}
    schedule = plan(spec, seed, events)
    for action in schedule.actions:
        where = f"seed {seed}: {action}"
        match action.kind:
            case "reorder":
                assert action.with_seq is not None, where
                assert action.seq < action.with_seq <= min(last, action.seq + spec.reorder_window)
            case "late_correction":
                assert types[action.seq] in CORRECTION_TYPES, where
                assert action.ms == spec.late_correction_ms, where
            case "delay":
                assert action.ms is not None, where
                assert spec.delay_ms <= action.ms <= spec.delay_ms + spec.jitter_ms, where
            case "stall":
                assert action.ms == spec.stall_ms, where
            case _:
                assert action.ms is None and action.with_seq is None, where
    kinds_at: dict[int, list[str]] = {}
    for action in schedule.actions:
        kinds_at.setdefault(action.seq, []).append(action.kind)
    targeted = {
        "disconnect": spec.disconnect_at_seq,
        "drop": spec.drop_at_seq,
        "duplicate": spec.duplicate_at_seq,
        "stall": spec.stall_at_seq,
        "epoch_bump": spec.epoch_bump_at_seq,
    }
    for kind, seqs in targeted.items():
        for seq in seqs:
            assert seq > last or kind in kinds_at.get(seq, []), f"seed {seed}, {kind} at {seq}"
    for seq, event_type in types.items():
        if event_type in spec.drop_type:
            assert "drop" in kinds_at.get(seq, []), f"seed {seed}, {event_type} at {seq}"
        if event_type in spec.disconnect_at_type:
            assert "disconnect" in kinds_at.get(seq, []), f"seed {seed}, {event_type} at {seq}"
    corrections = [seq for seq, kind in types.items() if kind in CORRECTION_TYPES]
    late = [a.seq for a in schedule.actions if a.kind == "late_correction"]
    assert late == (corrections if spec.late_correction_ms else [])


@given(seeds)
def test_a_targeted_fault_hits_its_spot_and_moves_no_random_one(seed: int) -> None:
    """``lossy,drop_at_seq=40`` is lossy's plan plus one drop at 40: targets draw nothing."""
    events = log([n % 7 == 0 for n in range(150)])
    lossy = PROFILES["lossy"].spec
    targeted = msgspec.structs.replace(
        lossy, drop_at_seq=[40], duplicate_at_seq=[41], reorder_at_seq=[42], reorder_window=3
    )
    wider = msgspec.structs.replace(lossy, reorder_window=3)
    added = {
        FaultAction(seq=40, kind="drop"),
        FaultAction(seq=41, kind="duplicate"),
        FaultAction(seq=42, kind="reorder", with_seq=45),  # the whole window, always
    }
    got = plan(targeted, seed, events).actions
    assert set(got) - set(plan(wider, seed, events).actions) <= added
    assert added <= set(got), f"seed {seed}"


def test_a_type_fault_hits_every_event_of_its_types_and_no_other() -> None:
    """``drop_type`` and ``disconnect_at_type`` follow the event's type, in a plan and as fed."""
    events = log([n % 5 == 0 for n in range(60)])
    spec = FaultSpec(drop_type=["result_amended"], disconnect_at_type=["protest_decided"])
    schedule = plan(spec, 3, events)
    as_fed = PlanAsFed(spec, 3, events[-1].seq)
    by_type = {
        kind: sorted(e.type for e in events for a in schedule.at(e.seq) if a.kind == kind)
        for kind in ("drop", "disconnect")
    }
    assert set(by_type["drop"]) == {"result_amended"} and set(by_type["disconnect"]) == {
        "protest_decided"
    }
    assert len(by_type["drop"]) + len(by_type["disconnect"]) == sum(
        e.type in {"result_amended", "protest_decided"} for e in events
    )
    assert [a for e in events for a in as_fed.at(e.seq, e.type)] == schedule.actions


def test_a_clean_spec_plans_nothing() -> None:
    """``none`` gives no action at all, whatever the seed."""
    events = log([False, True] * 30)
    assert plan(FaultSpec(), 123, events).actions == []


def test_a_seed_gives_the_same_schedule_on_every_run_and_platform() -> None:
    """The per-seq generator is fixed (sha256 of seed and seq): these drops never move."""
    events = log([False] * 60)
    schedule = plan(FaultSpec(drop_p=0.1), 42, events)
    assert [a.seq for a in schedule.actions] == GOLDEN_DROPS_SEED_42


def test_describe_prints_one_line_per_action_with_its_details() -> None:
    """``seq 3 stall 500 ms``, ``seq 2 reorder after seq 4``, ``seq 5 disconnect`` ..."""
    events = log([False, False, False, False, True])
    spec = FaultSpec(
        disconnect_at_seq=[5],
        stall_at_seq=[3],
        stall_ms=500,
        epoch_bump_at_seq=[1],
        delay_ms=20,
        late_correction_ms=900,
    )
    lines = plan(spec, 0, events).describe()
    assert lines[:2] == ["seq 1 epoch_bump", "seq 1 delay 20 ms"]
    assert "seq 3 stall 500 ms" in lines
    assert lines[-3:] == ["seq 5 disconnect", "seq 5 late_correction 900 ms", "seq 5 delay 20 ms"]
    counts = plan(spec, 0, events).counts()
    assert counts["delay"] == 5 and counts["disconnect"] == 1 and counts["drop"] == 0
    reorder = plan(FaultSpec(reorder_p=1.0, reorder_window=1), 0, events[:3])
    assert reorder.describe() == ["seq 1 reorder after seq 2", "seq 2 reorder after seq 3"]


def test_planning_refuses_a_log_with_a_gap_and_a_bad_start() -> None:
    """A seq gap is a SequenceError; from_seq below 1 or a non-integer seed a ValueError."""
    events = log([False] * 4)
    with pytest.raises(SequenceError, match="expected seq 3, got 4"):
        plan(FaultSpec(), 1, [*events[:2], events[3]])
    with pytest.raises(ValueError, match="from_seq: expected 1 or more, got 0"):
        plan(FaultSpec(), 1, events, from_seq=0)
    with pytest.raises(ValueError, match="seed: expected an integer"):
        plan(FaultSpec(), True, events)
