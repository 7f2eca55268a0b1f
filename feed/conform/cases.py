"""The conformance suite: numbered cases, grouped, each a script run against one client.

A case opens a session of its own over a catalog scenario, paused, with the faults it
names; then its steps drive the session's clock, start the client under test, and
check what the client shows against the reference fold at that moment. Everything is
deterministic: the scenario, the fault seed, and the points checked (a check waits
for the client to reach the session's seq, then compares).

Each case says what it checks and why a real client gets it wrong: that text is the
report's explanation of a failure. Case ids are stable: a case that changes meaning
gets a new id, so that a CI history of a client stays comparable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from feed.conform.steps import (
    Check,
    Pause,
    Play,
    Resume,
    Seek,
    SetSpeed,
    StartClient,
    Step,
    StepOnce,
    Suspend,
    WaitEnd,
    WaitSeq,
)
from feed.replay import Speed

__all__ = ["GROUPS", "SUITE", "Case", "select"]


@dataclass(frozen=True)
class Case:
    """One numbered case.

    Attributes:
        id: ``GROUP.N``, stable.
        group: the group's name (``GROUPS``).
        title: one line.
        checks: what a pass shows about the client.
        why: how a real client gets it wrong.
        scenario: the catalog scenario replayed.
        steps: what happens, in order.
        speed: the replay speed.
        faults: a fault spec for every subscriber of the session (docs/faults.md).
        fault_seed: the seed of the fault plan.
        any_epoch: the faults move the client to epochs of its own: the epoch it
            shows is not compared with the session's.
        small_buffers: run on a server whose buffers for a slow reader are small
            (kilobytes, not megabytes), so that a stopped reader is cut off quickly.
    """

    id: str
    group: str
    title: str
    checks: str
    why: str
    scenario: str
    steps: tuple[Step, ...]
    speed: Speed = "instant"
    faults: str | None = None
    fault_seed: int = 0
    any_epoch: bool = False
    small_buffers: bool = False


TOKYO: Final = "tokyo-2025-m1500-final"
_TO_END: Final[tuple[Step, ...]] = (StartClient(), Play(), WaitEnd(), Check("at the end"))

GROUPS: Final[dict[str, str]] = {
    "1": "basic replay",
    "2": "results and corrections",
    "3": "clock",
    "4": "joining late",
    "5": "resume after a disconnect",
    "6": "network faults",
    "7": "batches and slow readers",
}


def _results(number: int, scenario: str, title: str, checks: str, why: str) -> Case:
    return Case(f"2.{number}", "2", title, checks, why, scenario, _TO_END)


def _fault(number: int, title: str, checks: str, why: str, faults: str, **options: object) -> Case:
    return Case(
        f"6.{number}",
        "6",
        title,
        checks,
        why,
        str(options.pop("scenario", TOKYO)),
        _TO_END,
        speed=options.pop("speed", 100.0),  # type: ignore[arg-type]
        faults=faults,
        fault_seed=int(options.pop("fault_seed", 0)),  # type: ignore[call-overload]
        any_epoch=bool(options.pop("any_epoch", False)),
    )


SUITE: Final[tuple[Case, ...]] = (
    # 1 basic replay
    Case(
        "1.1", "1", "the Tokyo final, whole",
        "every event applied once, in order: the official result and the medal table",
        "history comes in batch frames; a client that only reads single events, or stops "
        "reading at the first `end`, shows a partial result",
        TOKYO, _TO_END,
    ),
    Case(
        "1.2", "1", "the Tokyo final, live at 100x, checked at the bell and at the end",
        "the running order mid-race and the result once the race is over",
        "live events come one frame at a time, between heartbeats and replay_state "
        "messages that a client must not take for events",
        TOKYO,
        (StartClient(), Seek(150), Check("at the bell"), Play(), WaitEnd(), Check("at the end")),
        speed=100.0,
    ),
    Case(
        "1.3", "1", "the start list, before the gun",
        "status start_list, every athlete listed, nobody placed",
        "a client that only makes rows from splits shows an empty table before the gun",
        TOKYO,
        (StartClient(), Seek(2), Check("before the gun"), Play(), WaitEnd(), Check("at the end")),
    ),
    # 2 results and corrections
    _results(
        1, "edge-dead-heat-bronze", "a dead heat for bronze",
        "two athletes share place 3 and both win bronze; there is no place 4",
        "places numbered by row index give one of them 4th and no medal",
    ),
    _results(
        2, "edge-medallist-disqualified", "a medallist disqualified after the result was official",
        "the DQ row moves to the bottom, everyone behind moves up a place, the medals follow",
        "a client that stops folding once the result is official keeps the old podium",
    ),
    _results(
        3, "edge-amended-time", "a time amended after the finish",
        "the amended time is in force and the order follows it",
        "a client that keys results by the first finish event ignores result_amended",
    ),
    Case(
        "2.4", "2", "a photo finish that reverses the provisional order",
        "while under review, the provisional order; once resolved, the photo's order",
        "a client that ignores photo_finish_resolved keeps the provisional order for good",
        "edge-photo-reverses-order",
        (StartClient(), Seek(92), Check("under review"), Play(), WaitEnd(), Check("at the end")),
    ),
    _results(
        5, "edge-dns-and-fall-dnf", "a DNS and a fall that ends in a DNF",
        "DNS and DNF rows, each by bib, after the finishers",
        "a client that drops athletes without a finish loses the DNS and DNF rows",
    ),
    _results(
        6, "edge-separated-at-thousandths", "two athletes separated only at 1/1000",
        "the same official time, different places, ordered by the 1/1000 reading",
        "a client that ranks by the rounded official time gives them a shared place",
    ),
    _results(
        7, "tokyo-2025-championship", "a championship session of several finals",
        "the standings of the last race and the medal table over every official race",
        "a client that keeps one race only, or counts unofficial results, shows the wrong table",
    ),
    # 3 clock
    Case(
        "3.1", "3", "pause and play",
        "a paused session keeps the client where it was; play carries on to the end",
        "a client that takes a quiet connection for a dead one reconnects and shows a gap",
        TOKYO,
        (StartClient(), Play(), WaitSeq(80), Pause(), Check("paused"), Play(), WaitEnd(),
         Check("at the end")),
        speed=100.0,
    ),
    Case(
        "3.2", "3", "stepping one event at a time",
        "each step moves the client on by exactly one event",
        "a client that waits for a batch or a timer before folding lags a step behind",
        TOKYO,
        (StartClient(), Seek(205), StepOnce(), StepOnce(), StepOnce(), StepOnce(),
         Check("after four steps"), Play(), WaitEnd(), Check("at the end")),
    ),
    Case(
        "3.3", "3", "seek back: a new epoch",
        "after a seek back the client forgets what came after the new position",
        "a client that ignores the epoch keeps the finishers of the old epoch, or takes the "
        "new epoch's seqs for duplicates and stops folding",
        TOKYO,
        (StartClient(), Play(), WaitSeq(215), Pause(), Check("paused after the finishes"),
         Seek(120), Check("after seeking back to seq 120"), Play(), WaitEnd(),
         Check("at the end")),
        speed=100.0,
    ),
    Case(
        "3.4", "3", "seek forward",
        "a seek forward delivers every event skipped over, in order",
        "a client that expects one event per clock tick misses the skipped events",
        TOKYO,
        (StartClient(), Seek(20), Check("at seq 20"), Seek(215), Check("after seeking to 215"),
         Play(), WaitEnd(), Check("at the end")),
    ),
    Case(
        "3.5", "3", "speed changes mid-race",
        "a slower, then an instant replay changes nothing in what is shown",
        "a client that schedules display by race time drops events that come early",
        TOKYO,
        (StartClient(), Play(), WaitSeq(60), SetSpeed(20.0), WaitSeq(70), SetSpeed("instant"),
         WaitEnd(), Check("at the end")),
        speed=200.0,
    ),
    Case(
        "3.6", "3", "seek back to the very start",
        "after a seek to seq 0 the client shows nothing at all, then the whole race again",
        "a client that only resets on a snapshot keeps the old table when no event follows",
        TOKYO,
        (StartClient(), Play(), WaitSeq(100), Pause(), Seek(0), Check("at seq 0"), Play(),
         WaitEnd(), Check("at the end")),
        speed=100.0,
    ),
    # 4 joining late
    Case(
        "4.1", "4", "join mid-race",
        "a client started mid-race catches up from the history, then follows live",
        "a client that subscribes live only, or drops the history batches, lacks the start",
        TOKYO,
        (Seek(120), StartClient(), Check("on joining at seq 120"), Play(), WaitEnd(),
         Check("at the end")),
        speed=100.0,
    ),
    Case(
        "4.2", "4", "join after the end",
        "a client started after the end gets the whole race and the end",
        "a client that waits for live events shows nothing",
        TOKYO,
        (Play(), WaitEnd(), StartClient(), Check("on joining after the end")),
    ),
    # 5 resume after a disconnect
    Case(
        "5.1", "5", "one cut mid-race",
        "the client reconnects and resumes from the first seq it lacks",
        "a client that does not reconnect stops at the cut; one that starts over from seq 1 "
        "without resetting applies the start twice",
        TOKYO, _TO_END, speed=100.0, faults="disconnect_at_seq=60",
    ),
    Case(
        "5.2", "5", "cuts in a row",
        "the client keeps resuming, with backoff, through repeated cuts",
        "a client that gives up after one retry, or resumes from a stale seq, stops short",
        TOKYO, _TO_END, speed=100.0, faults="disconnect_at_seq=40+41+150",
    ),
    Case(
        "5.3", "5", "a cut before the first finish",
        "the result starts whole after a cut just before the first finish",
        "a client that resumes live (not from its seq) loses the first finisher",
        TOKYO, _TO_END, speed=100.0, faults="disconnect_at_type=athlete_finished",
    ),
    # 6 network faults
    _fault(
        1, "the winner's finish dropped",
        "a gap is noticed and the missing seq asked for again",
        "a client that applies whatever comes next has no winner",
        "drop_at_seq=208",
    ),
    _fault(
        2, "finishes sent twice",
        "a seq seen before is ignored",
        "a client that applies duplicates counts athletes twice or moves on a seq too far",
        "duplicate_at_seq=208+209+224",
    ),
    _fault(
        3, "the photo finish's resolution overtaken",
        "an event that arrives early waits for the one before it",
        "a client that drops events ahead of a gap, or applies them out of order, "
        "keeps the provisional order",
        "reorder_at_seq=222+224,reorder_window=2",
    ),
    _fault(
        4, "every photo finish resolution dropped",
        "gap recovery for an event type a client may not expect twice",
        "a client that only asks again for splits never gets the photo's order",
        "drop_type=photo_finish_resolved",
    ),
    _fault(
        5, "a new epoch for this subscriber mid-race",
        "a client moved to a new epoch resets its state and carries on",
        "a client that ignores the epoch applies the new epoch's events over the old state",
        "epoch_bump_at_seq=100",
        any_epoch=True,
    ),
    _fault(
        6, "latency and jitter",
        "events that take their time still come in order",
        "a client with a short read timeout reconnects in a loop",
        "delay_ms=20,jitter_ms=30",
    ),
    _fault(
        7, "a stalled server",
        "a silent connection (no events, no heartbeats for 3 s) ends whole",
        "a client that never notices a dead connection waits for ever; one that treats "
        "silence as the end stops early",
        "stall_at_seq=100,stall_ms=3000",
    ),
    _fault(
        8, "corrections that arrive late",
        "a correction overtaken by later events still applies in seq order",
        "a client that applies a late correction on arrival, not at its seq, gets the wrong "
        "photo order",
        "late_correction_ms=300",
        scenario="edge-photo-reverses-order",
    ),
    _fault(
        9, "lossy network",
        "drops, duplicates and reorders mixed, seeded",
        "each alone is easy; mixed, a reorder across a gap breaks naive buffers",
        "lossy",
        fault_seed=7,
    ),
    _fault(
        10, "chaos",
        "every fault kind at once, seeded",
        "the combinations a real network produces in a long session",
        "chaos",
        fault_seed=11,
        any_epoch=True,
    ),
    # 7 batches and slow readers
    Case(
        "7.1", "7", "a long history in batches",
        "several races' history delivered as batch frames folds into the same result",
        "a client with a frame size limit below the server's batches fails to connect",
        "tokyo-2025-championship",
        (Play(), WaitEnd(), StartClient(), Check("on joining after the end")),
    ),
    Case(
        "7.2", "7", "a reader stopped while a championship is sent",
        "a client stopped (SIGSTOP) while 839 events are sent is cut off with too_slow "
        "(this server's buffers are small: 16 KiB of backlog, a 4 KiB socket send "
        "buffer), resumes from resume_from_seq once it goes on, and ends whole",
        "a client that treats too_slow as fatal, or resumes from seq 1 without a reset, "
        "is wrong after a slow moment",
        "tokyo-2025-championship",
        (StartClient(), Seek(1), Check("started"), Suspend(), Play(), WaitEnd(),
         Resume(after=1.0), Check("at the end")),
        small_buffers=True,
    ),
)  # fmt: skip


def select(
    cases: Sequence[Case] = SUITE,
    *,
    ids: Sequence[str] = (),
    groups: Sequence[str] = (),
) -> list[Case]:
    """The cases named by id or group (``1`` or its name); all of them when none is named.

    Raises:
        ValueError: an id or group that is not in the suite.
    """
    known_ids = {case.id for case in cases}
    for case_id in ids:
        if case_id not in known_ids:
            raise ValueError(f"no case {case_id!r} (cases: {', '.join(sorted(known_ids))})")
    wanted_groups = set()
    for group in groups:
        number = next((n for n, name in GROUPS.items() if group in (n, name)), None)
        if number is None:
            listed = ", ".join(f"{n} ({name})" for n, name in GROUPS.items())
            raise ValueError(f"no group {group!r} (groups: {listed})")
        wanted_groups.add(number)
    if not ids and not groups:
        return list(cases)
    return [case for case in cases if case.id in ids or case.group in wanted_groups]
