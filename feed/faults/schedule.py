"""The fault schedule: ``plan(spec, seed, events)`` decides, up front, what happens to each seq.

Each event's randomness comes from its own generator, seeded from a hash of
``(seed, seq)``, never from one generator shared along the stream. So the same
seed and events give the same plan byte for byte, whatever the timing, and a
plan that starts mid-stream (a resumed subscriber) holds exactly the actions of
the full plan from that seq on. Every event draws the same numbers in the same
order whatever the spec, so changing one knob (``lossy,drop_p=0.05``) leaves the
other faults where they were.

Actions of one seq are listed in the order the injector applies them (``KINDS``).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Sequence
from typing import Final, Literal, NamedTuple, TypeAlias, get_args

import msgspec

from feed.codec import check_sequence
from feed.events import Event
from feed.faults.spec import FaultSpec

__all__ = [
    "CORRECTION_TYPES",
    "KINDS",
    "FaultAction",
    "FaultKind",
    "FaultPlan",
    "PlanAsFed",
    "actions_at",
    "plan",
]

FaultKind: TypeAlias = Literal[
    "disconnect",
    "epoch_bump",
    "stall",
    "drop",
    "reorder",
    "late_correction",
    "duplicate",
    "delay",
]

KINDS: Final[tuple[FaultKind, ...]] = get_args(FaultKind)
"""Every kind of action, in the order the injector applies those of one seq."""

CORRECTION_TYPES: Final[frozenset[str]] = frozenset(
    {
        "result_amended",
        "athlete_disqualified",
        "athlete_reinstated",
        "protest_decided",
        "photo_finish_resolved",
    }
)
"""Event types that ``late_correction_ms`` holds back."""


class FaultAction(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One fault at one seq.

    Attributes:
        seq: the event it applies to.
        kind: what happens (``KINDS``).
        ms: how long, for ``delay``, ``stall`` and ``late_correction``.
        with_seq: for ``reorder``, the later event this one goes out after.
    """

    seq: int
    kind: FaultKind
    ms: int | None = None
    with_seq: int | None = None

    def describe(self) -> str:
        """One line for people: ``seq 88 delay 143 ms``, ``seq 60 reorder after seq 62``."""
        text = f"seq {self.seq} {self.kind}"
        if self.with_seq is not None:
            text += f" after seq {self.with_seq}"
        if self.ms is not None:
            text += f" {self.ms} ms"
        return text


class FaultPlan(msgspec.Struct, frozen=True, kw_only=True):
    """The whole fault schedule of one subscriber (or session) over one log.

    Attributes:
        spec: what it was planned from.
        seed: the seed it was planned with.
        from_seq: the first seq it covers.
        last_seq: the last seq of the log (a reorder never reaches past it).
        actions: by seq, then in ``KINDS`` order.
    """

    spec: FaultSpec
    seed: int
    from_seq: int
    last_seq: int
    actions: list[FaultAction]

    def describe(self) -> list[str]:
        """One line per action, for printing."""
        return [action.describe() for action in self.actions]

    def counts(self) -> dict[FaultKind, int]:
        """How many actions of each kind, for every kind (in ``KINDS`` order)."""
        tally = Counter(action.kind for action in self.actions)
        return {kind: tally[kind] for kind in KINDS}

    def at(self, seq: int, event_type: str = "") -> list[FaultAction]:
        """The actions at ``seq``, in the order they apply (``event_type`` is not needed)."""
        return [action for action in self.actions if action.seq == seq]


class PlanAsFed:
    """The same schedule as ``plan``, computed one seq at a time as events are fed.

    A server that serves a log it does not hold whole (a gateway, reading what the
    director publishes) still applies exactly the plan ``racefeed faults`` prints:
    each seq's actions depend only on the seed, the seq, the event's type and the
    log's last seq, never on the events around it.

    Args:
        spec: which faults, how often.
        seed: the seed.
        last_seq: the last seq of the log (a reorder never reaches past it).
    """

    __slots__ = ("_at_seqs", "last_seq", "seed", "spec")

    def __init__(self, spec: FaultSpec, seed: int, last_seq: int) -> None:
        self.spec = spec
        self.seed = seed
        self.last_seq = last_seq
        self._at_seqs = _at_seqs_of(spec)

    def at(self, seq: int, event_type: str = "") -> list[FaultAction]:
        """The actions at ``seq`` (an event of ``event_type``), in the order they apply."""
        return _actions_at(
            self.spec, self._at_seqs, self.seed, seq, event_type=event_type, last=self.last_seq
        )


def actions_at(
    spec: FaultSpec, seed: int, seq: int, event_type: str, last_seq: int
) -> list[FaultAction]:
    """The actions ``plan`` decides at one seq (an event of ``event_type``)."""
    return _actions_at(spec, _at_seqs_of(spec), seed, seq, event_type=event_type, last=last_seq)


def plan(
    spec: FaultSpec, seed: int, events: Sequence[Event], *, from_seq: int | None = None
) -> FaultPlan:
    """Compute the fault schedule of ``events`` under ``spec`` and ``seed``.

    Args:
        spec: which faults, how often.
        seed: any integer; the same seed gives the same plan.
        events: the log, gapless seq; events before ``from_seq`` may be left out.
        from_seq: the first seq to plan for (a resumed subscriber); default the
            first event's.

    Raises:
        SequenceError: ``events`` has a gap, a rewind or a duplicate seq.
        ValueError: ``from_seq`` below 1, or a seed that is not an integer.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"seed: expected an integer, got {seed!r}")
    if events:
        check_sequence(events, first=events[0].seq)
    start = from_seq if from_seq is not None else (events[0].seq if events else 1)
    if start < 1:
        raise ValueError(f"from_seq: expected 1 or more, got {start}")
    last = events[-1].seq if events else 0
    at_seqs = _at_seqs_of(spec)
    actions: list[FaultAction] = []
    for event in events:
        if event.seq >= start:
            actions += _actions_at(spec, at_seqs, seed, event.seq, event_type=event.type, last=last)
    return FaultPlan(spec=spec, seed=seed, from_seq=start, last_seq=last, actions=actions)


class _AtSeqs(NamedTuple):
    """The spec's targeted seqs and event types as sets, built once per plan."""

    disconnect: frozenset[int]
    disconnect_types: frozenset[str]
    drop: frozenset[int]
    drop_types: frozenset[str]
    duplicate: frozenset[int]
    reorder: frozenset[int]
    epoch_bump: frozenset[int]
    stall: frozenset[int]


def _at_seqs_of(spec: FaultSpec) -> _AtSeqs:
    return _AtSeqs(
        disconnect=frozenset(spec.disconnect_at_seq),
        disconnect_types=frozenset(spec.disconnect_at_type),
        drop=frozenset(spec.drop_at_seq),
        drop_types=frozenset(spec.drop_type),
        duplicate=frozenset(spec.duplicate_at_seq),
        reorder=frozenset(spec.reorder_at_seq),
        epoch_bump=frozenset(spec.epoch_bump_at_seq),
        stall=frozenset(spec.stall_at_seq),
    )


def _actions_at(
    spec: FaultSpec, at_seqs: _AtSeqs, seed: int, seq: int, *, event_type: str, last: int
) -> list[FaultAction]:
    """The actions at one event's seq, from that seq's own generator."""
    draws = _generator(seed, seq)
    # Always the same draws in the same order, whatever the spec: see the module docstring.
    u_disconnect, u_bump, u_stall, u_drop, u_reorder, u_ahead, u_duplicate, u_jitter = (
        draws.random() for _ in range(8)
    )
    found: list[FaultAction] = []
    if (
        seq in at_seqs.disconnect
        or event_type in at_seqs.disconnect_types
        or u_disconnect < spec.disconnect_p
    ):
        found.append(FaultAction(seq=seq, kind="disconnect"))
    if seq in at_seqs.epoch_bump or u_bump < spec.epoch_bump_p:
        found.append(FaultAction(seq=seq, kind="epoch_bump"))
    if seq in at_seqs.stall or u_stall < spec.stall_p:
        found.append(FaultAction(seq=seq, kind="stall", ms=spec.stall_ms))
    if seq in at_seqs.drop or event_type in at_seqs.drop_types or u_drop < spec.drop_p:
        found.append(FaultAction(seq=seq, kind="drop"))
    # A targeted reorder goes the whole window, so a case knows which event overtakes.
    targeted = seq in at_seqs.reorder
    drawn = min(1 + int(u_ahead * spec.reorder_window), spec.reorder_window)
    partner = min(seq + (spec.reorder_window if targeted else drawn), last)
    if (targeted or u_reorder < spec.reorder_p) and partner > seq:
        found.append(FaultAction(seq=seq, kind="reorder", with_seq=partner))
    if spec.late_correction_ms > 0 and event_type in CORRECTION_TYPES:
        found.append(FaultAction(seq=seq, kind="late_correction", ms=spec.late_correction_ms))
    if seq in at_seqs.duplicate or u_duplicate < spec.duplicate_p:
        found.append(FaultAction(seq=seq, kind="duplicate"))
    delay = spec.delay_ms + round(u_jitter * spec.jitter_ms)
    if delay > 0:
        found.append(FaultAction(seq=seq, kind="delay", ms=delay))
    return found


def _generator(seed: int, seq: int) -> random.Random:
    """A generator for one seq of one seed; stable across runs, platforms and versions."""
    digest = hashlib.sha256(f"racefeed-faults:{seed}:{seq}".encode()).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))
