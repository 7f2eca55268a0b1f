"""The fold of a log: each session's current epoch, in seq order, whatever the reader saw twice."""

from __future__ import annotations

import random

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from feed.store import EventPublished, LogRecord, SessionClosed, Timeline, TokenIssued
from tests.kit.records import clock, event, new_epoch, opened


def _seqs(records: list[LogRecord]) -> list[tuple[int, int]]:
    return [(r.epoch, r.seq) for r in records if isinstance(r, EventPublished)]


def test_events_of_the_current_epoch_take_effect_in_seq_order() -> None:
    """Events at head + 1 take effect; the log of the session grows by one each."""
    timeline = Timeline()
    effective = timeline.apply_all([opened(), clock(), event(seq=1), event(seq=2)])
    assert _seqs(effective) == [(1, 1), (1, 2)]
    log = timeline.sessions["main"]
    assert log.head_seq == 2 and log.status is not None and log.status.state == "playing"


def test_a_repeated_event_changes_nothing() -> None:
    """An event at or below the head is a repeat."""
    timeline = Timeline()
    timeline.apply_all([opened(), event(seq=1), event(seq=2)])
    assert timeline.apply(event(seq=1)) == []
    assert timeline.apply(event(seq=2)) == []
    assert timeline.sessions["main"].head_seq == 2


def test_an_early_event_waits_for_the_ones_before_it() -> None:
    """Seq 3 before seq 2 is held, then both take effect in order."""
    timeline = Timeline()
    timeline.apply_all([opened(), event(seq=1)])
    assert timeline.apply(event(seq=3)) == []
    assert _seqs(timeline.apply(event(seq=2))) == [(1, 2), (1, 3)]


def test_a_new_epoch_cuts_back_and_old_epoch_records_are_stale() -> None:
    """After epoch 2 starts at head 1, epoch 1's events and clock changes do nothing."""
    timeline = Timeline()
    timeline.apply_all([opened(), event(seq=1), event(seq=2), event(seq=3)])
    assert len(timeline.apply(new_epoch(epoch=2, head=1))) == 1
    log = timeline.sessions["main"]
    assert (log.epoch, log.head_seq) == (2, 1)
    assert timeline.apply(event(seq=2)) == []
    assert timeline.apply(clock(epoch=1, n=9)) == []
    assert timeline.apply(new_epoch(epoch=2, head=1)) == []
    assert _seqs(timeline.apply(event(seq=2, epoch=2))) == [(2, 2)]


def test_records_of_a_session_never_opened_are_ignored_and_a_second_open_too() -> None:
    """Without its ``opened`` record a session is unknown; a repeated one changes nothing."""
    timeline = Timeline()
    assert timeline.apply(event("ghost", 1)) == []
    assert "ghost" not in timeline.sessions
    timeline.apply(opened())
    assert timeline.apply(opened()) == []


def test_the_end_is_read_from_the_clock() -> None:
    """A clock record with state ``ended`` ends the session's log."""
    timeline = Timeline()
    timeline.apply_all([opened(), event(seq=1), clock(state="ended")])
    assert timeline.sessions["main"].ended


@given(seed=st.integers(0, 2**32 - 1), repeats=st.integers(0, 20), window=st.integers(1, 6))
def test_repeats_and_local_reordering_give_the_same_log(
    seed: int, repeats: int, window: int
) -> None:
    """Whatever a reader sees twice or a little out of order, it ends with the same log."""
    rng = random.Random(seed)
    records: list[LogRecord] = [event(seq=seq) for seq in range(1, 41)]
    for _ in range(repeats):
        records.insert(rng.randrange(len(records) + 1), event(seq=rng.randint(1, 40)))
    for start in range(0, len(records), window):  # shuffle within windows
        chunk = records[start : start + window]
        rng.shuffle(chunk)
        records[start : start + window] = chunk
    timeline = Timeline()
    effective = timeline.apply_all([opened(), *records])
    assert _seqs(effective) == [(1, seq) for seq in range(1, 41)]
    assert [bytes(r.envelope) for r in effective if isinstance(r, EventPublished)] == [
        bytes(event(seq=s).envelope) for s in range(1, 41)
    ]
    assert timeline.sessions["main"].head_seq == 40


def test_a_closed_session_is_forgotten_and_its_later_records_ignored() -> None:
    """After ``closed``, the session is gone: no event, clock or second opening brings it back."""
    timeline = Timeline()
    timeline.apply_all([opened(), event(seq=1)])
    assert len(timeline.apply(SessionClosed(id="c", session="main", reason="expired"))) == 1
    assert "main" not in timeline.sessions
    assert timeline.apply_all([event(seq=2), clock(), opened()]) == []


def test_every_token_issued_for_a_session_is_known() -> None:
    """The token of the opening and each one issued after it are all good for the session."""
    timeline = Timeline()
    timeline.apply(msgspec.structs.replace(opened(), token_sha256="aa"))
    timeline.apply(TokenIssued(id="t", session="main", token_sha256="bb"))
    assert timeline.sessions["main"].tokens == ["aa", "bb"]
