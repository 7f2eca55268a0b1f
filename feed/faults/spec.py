"""What faults to inject: ``FaultSpec`` and its field rules; ``FaultSpecError`` is in feed.errors.

A spec is a frozen msgspec Struct whose every default means "no fault", so
``FaultSpec()`` is a clean feed. Every field is checked when a spec is built (in
Python, or by msgspec when decoding JSON, where the error becomes a
``msgspec.ValidationError`` with the same text). Probabilities are per event.
Times are milliseconds of wall time, the time a subscriber waits, whatever the
replay speed.
"""

from __future__ import annotations

import difflib
import math
from typing import Final, Literal, TypeAlias, TypeGuard

import msgspec

from feed.errors import FaultSpecError
from feed.events import EVENT_TYPES

__all__ = [
    "FIELD_KINDS",
    "MAX_MS",
    "MAX_SEQS",
    "FaultSpec",
    "FaultSpecError",
    "FieldKind",
    "check_field",
]

MAX_MS: Final = 600_000
"""The longest delay, stall or hold a spec may ask for (ten minutes): longer is a typo."""

MAX_SEQS: Final = 1000
"""The most seqs a ``*_at_seq`` list may hold."""

FieldKind: TypeAlias = Literal["probability", "ms", "window", "seqs", "types"]


class FaultSpec(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Which faults to inject, and how often; every default is "none of that fault".

    The ``*_at_seq`` and ``*_type`` fields put a fault on a precise spot (a case
    about the winner's finish drops exactly that finish); the ``*_p`` fields spread
    faults at random.

    Attributes:
        disconnect_at_seq: cut the connection just before these seqs go out.
        disconnect_at_type: cut the connection just before every event of these types.
        disconnect_p: chance, per event, of cutting the connection before it goes out.
        drop_at_seq: these seqs are skipped on their first delivery attempt.
        drop_type: every event of these types is skipped on its first delivery attempt.
        drop_p: chance, per event, that it is skipped on its first delivery attempt.
        duplicate_at_seq: these seqs are sent twice in a row.
        duplicate_p: chance, per event, that it is sent twice in a row.
        reorder_at_seq: these seqs go out after the event ``reorder_window`` later.
        reorder_p: chance, per event, that it is swapped with a later one.
        reorder_window: how far ahead that later one may be (1 = the next event).
        delay_ms: latency added to every event.
        jitter_ms: up to this much more latency, drawn per event (order is kept).
        stall_at_seq: the connection goes silent for ``stall_ms`` before these seqs.
        stall_p: chance, per event, of such a stall before it.
        stall_ms: how long a stall lasts.
        epoch_bump_at_seq: the subscriber is moved to a new epoch before these seqs.
        epoch_bump_p: chance, per event, of such an epoch bump.
        late_correction_ms: corrections are held this much longer, so that events
            after them overtake them.
    """

    disconnect_at_seq: list[int] = []
    disconnect_at_type: list[str] = []
    disconnect_p: float = 0.0
    drop_at_seq: list[int] = []
    drop_type: list[str] = []
    drop_p: float = 0.0
    duplicate_at_seq: list[int] = []
    duplicate_p: float = 0.0
    reorder_at_seq: list[int] = []
    reorder_p: float = 0.0
    reorder_window: int = 1
    delay_ms: int = 0
    jitter_ms: int = 0
    stall_at_seq: list[int] = []
    stall_p: float = 0.0
    stall_ms: int = 0
    epoch_bump_at_seq: list[int] = []
    epoch_bump_p: float = 0.0
    late_correction_ms: int = 0

    def __post_init__(self) -> None:
        for name in FIELD_KINDS:
            problem = check_field(name, getattr(self, name))
            if problem is not None:
                raise FaultSpecError(problem, key=name)
        if (self.stall_at_seq or self.stall_p > 0) and self.stall_ms == 0:
            raise FaultSpecError(
                "expected 1 or more ms when stall_at_seq or stall_p is set, got 0",
                key="stall_ms",
                related=("stall_at_seq", "stall_p"),
            )

    def is_clean(self) -> bool:
        """Whether this spec injects nothing at all."""
        return self == _CLEAN


FIELD_KINDS: Final[dict[str, FieldKind]] = {
    "disconnect_at_seq": "seqs",
    "disconnect_at_type": "types",
    "disconnect_p": "probability",
    "drop_at_seq": "seqs",
    "drop_type": "types",
    "drop_p": "probability",
    "duplicate_at_seq": "seqs",
    "duplicate_p": "probability",
    "reorder_at_seq": "seqs",
    "reorder_p": "probability",
    "reorder_window": "window",
    "delay_ms": "ms",
    "jitter_ms": "ms",
    "stall_at_seq": "seqs",
    "stall_p": "probability",
    "stall_ms": "ms",
    "epoch_bump_at_seq": "seqs",
    "epoch_bump_p": "probability",
    "late_correction_ms": "ms",
}
"""Every field of ``FaultSpec``, in order, with the kind of value it takes."""


def check_field(name: str, value: object, *, shown: str | None = None) -> str | None:
    """What is wrong with ``value`` for field ``name`` (``None`` when it is fine).

    Args:
        name: a field of ``FaultSpec``.
        value: the value to check.
        shown: how to show the value in the message (default: its repr), such as
            the text it was parsed from.
    """
    kind = FIELD_KINDS[name]
    got = repr(value) if shown is None else shown
    if kind == "probability":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a probability from 0 to 1, got {got}"
        if not (math.isfinite(value) and 0 <= value <= 1):
            return f"expected a probability from 0 to 1, got {got}"
    elif kind == "ms":
        if not _is_int(value) or not 0 <= value <= MAX_MS:
            return f"expected whole milliseconds from 0 to {MAX_MS}, got {got}"
    elif kind == "window":
        if not _is_int(value) or value < 1:
            return f"expected a window of 1 or more events, got {got}"
    elif kind == "types":
        return _check_types(value, got)
    elif not isinstance(value, list):
        return f"expected a list of seqs, got {got}"
    elif len(value) > MAX_SEQS:
        return f"expected at most {MAX_SEQS} seqs, got {len(value)}"
    else:
        for index, seq in enumerate(value):
            if not _is_int(seq) or seq < 1:
                return f"[{index}]: expected a seq of 1 or more, got {seq!r}"
    return None


def _check_types(value: object, got: str) -> str | None:
    if not isinstance(value, list):
        return f"expected a list of event types, got {got}"
    for index, name in enumerate(value):
        if not isinstance(name, str) or name not in EVENT_TYPES:
            close = difflib.get_close_matches(str(name), EVENT_TYPES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(sorted(EVENT_TYPES))
            return f"[{index}]: expected an event type ({known}), got {name!r}{hint}"
    return None


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


_CLEAN: Final = FaultSpec()
