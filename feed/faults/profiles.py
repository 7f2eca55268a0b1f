"""Named fault profiles, in one table, and the compact spec string of the CLI and the wire.

A spec string is a profile name, then ``key=value`` overrides, separated by commas::

    lossy
    lossy,drop_p=0.05
    drop_p=0.1,duplicate_p=0.1
    chaos,disconnect_at_seq=57+120,late_correction_ms=0

Keys are the fields of ``FaultSpec``. Values: probabilities as decimals (``0.05``),
times and windows as whole numbers (``delay_ms=150``), lists of seqs or event types
joined by ``+`` (``57+120``, ``drop_type=photo_finish_resolved``; empty for none). A
profile name may only come first; without one, the overrides apply to ``none``.
``format_spec`` writes the canonical string back.
"""

from __future__ import annotations

import difflib
from typing import Final, NamedTuple

import msgspec

from feed.faults.spec import FIELD_KINDS, FaultSpec, FaultSpecError, check_field

__all__ = ["PROFILES", "Profile", "format_spec", "parse_spec"]


class Profile(NamedTuple):
    """A named spec and what it stands for."""

    spec: FaultSpec
    simulates: str


PROFILES: Final[dict[str, Profile]] = {
    "none": Profile(FaultSpec(), "a clean feed: every event once, in order, on time"),
    "flaky-mobile": Profile(
        FaultSpec(disconnect_p=0.01, delay_ms=20, jitter_ms=180),
        "a phone on the move: 20-200 ms of latency, the connection lost about once in 100 events",
    ),
    "lossy": Profile(
        FaultSpec(drop_p=0.02, duplicate_p=0.02, reorder_p=0.02, reorder_window=3),
        "a lossy path: 2% of events dropped, 2% duplicated, 2% swapped with one up to "
        "3 events later",
    ),
    "slow-consumer": Profile(
        FaultSpec(stall_p=0.02, stall_ms=3000, delay_ms=100, jitter_ms=400),
        "a congested link: 100-500 ms of latency and a 3 s silence about once in 50 events",
    ),
    "late-corrections": Profile(
        FaultSpec(late_correction_ms=15_000),
        "corrections (amendments, disqualifications, reinstatements, protest decisions, "
        "photo finishes) arrive 15 s late, after the events that follow them",
    ),
    "chaos": Profile(
        FaultSpec(
            disconnect_p=0.01,
            drop_p=0.02,
            duplicate_p=0.02,
            reorder_p=0.02,
            reorder_window=3,
            delay_ms=10,
            jitter_ms=190,
            stall_p=0.01,
            stall_ms=2000,
            epoch_bump_p=0.005,
            late_correction_ms=8000,
        ),
        "a bit of everything at once",
    ),
}
"""Every named profile; ``parse_spec`` and the docs' table come from here."""


def parse_spec(text: str) -> FaultSpec:
    """Read a spec string (``lossy,drop_p=0.05``) into a checked ``FaultSpec``.

    Raises:
        FaultSpecError: with the column and key of the first problem, and what was
            expected there.
    """
    base = PROFILES["none"].spec
    overrides: dict[str, object] = {}
    columns: dict[str, int] = {}
    items = list(_items(text))
    if not any(item for item, _ in items):
        raise FaultSpecError(
            f"empty; expected a profile ({_profile_names()}) or key=value", text=text, column=1
        )
    for index, (item, column) in enumerate(items):
        if not item:
            raise FaultSpecError(
                "empty item; expected a profile name or key=value", text=text, column=column
            )
        key, equals, raw = item.partition("=")
        key = key.strip()
        if not equals:
            base = _profile(key, first=index == 0, text=text, column=column)
            continue
        if key not in FIELD_KINDS:
            raise FaultSpecError(
                f"unknown key {key!r}; expected one of {', '.join(FIELD_KINDS)}{_hint(key)}",
                text=text,
                column=column,
            )
        if key in columns:
            raise FaultSpecError(
                f"given twice (first at column {columns[key]})", key=key, text=text, column=column
            )
        columns[key] = column
        value_column = column + item.index("=") + 1 + (len(raw) - len(raw.lstrip()))
        overrides[key] = _value(key, raw.strip(), text, value_column)
    try:
        return msgspec.structs.replace(base, **overrides)
    except FaultSpecError as exc:
        # A rule between fields: point at the key it is about, or else at one that set it off.
        given = [columns[key] for key in (exc.key, *exc.related) if key in columns]
        raise FaultSpecError(
            exc.message, key=exc.key, text=text, column=given[0] if given else 1
        ) from None


def format_spec(spec: FaultSpec) -> str:
    """The canonical spec string: ``none``, or the fields that differ from it.

    ``parse_spec(format_spec(spec)) == spec`` for every valid spec.
    """
    clean = PROFILES["none"].spec
    parts: list[str] = []
    for name, kind in FIELD_KINDS.items():
        value = getattr(spec, name)
        if value == getattr(clean, name):
            continue
        if kind in ("seqs", "types"):
            parts.append(f"{name}={'+'.join(str(item) for item in value)}")
        elif kind == "probability":
            parts.append(f"{name}={float(value)!r}")
        else:
            parts.append(f"{name}={value}")
    return ",".join(parts) or "none"


def _items(text: str) -> list[tuple[str, int]]:
    """Split on commas, keeping each stripped item's 1-based column."""
    found: list[tuple[str, int]] = []
    start = 0
    for piece in text.split(","):
        stripped = piece.strip()
        lead = len(piece) - len(piece.lstrip())
        found.append((stripped, start + lead + 1))
        start += len(piece) + 1
    return found


def _profile(name: str, *, first: bool, text: str, column: int) -> FaultSpec:
    if name in PROFILES:
        if not first:
            raise FaultSpecError(
                f"profile {name!r} must come first; after it, expected key=value",
                text=text,
                column=column,
            )
        return PROFILES[name].spec
    if not first:
        raise FaultSpecError(
            f"expected key=value, got {name!r}{_hint(name)}", text=text, column=column
        )
    raise FaultSpecError(
        f"unknown profile {name!r}; expected one of {_profile_names()}, or key=value{_hint(name)}",
        text=text,
        column=column,
    )


def _value(key: str, raw: str, text: str, column: int) -> object:
    kind = FIELD_KINDS[key]
    value: object
    try:
        if kind == "seqs":
            value = [int(part) for part in raw.split("+")] if raw else []
        elif kind == "types":
            value = [part.strip() for part in raw.split("+")] if raw else []
        elif kind == "probability":
            value = float(raw)
        else:
            value = int(raw)
    except ValueError:
        expected = {
            "seqs": "seqs joined by '+' (57+120)",
            "types": "event types joined by '+' (athlete_finished)",
            "probability": "a probability from 0 to 1 (0.05)",
            "ms": "whole milliseconds (150)",
            "window": "a whole number of events (3)",
        }[kind]
        raise FaultSpecError(
            f"expected {expected}, got {raw!r}", key=key, text=text, column=column
        ) from None
    problem = check_field(key, value, shown=repr(raw))
    if problem is not None:
        raise FaultSpecError(problem, key=key, text=text, column=column)
    return value


def _profile_names() -> str:
    return ", ".join(PROFILES)


def _hint(word: str) -> str:
    close = difflib.get_close_matches(word, [*PROFILES, *FIELD_KINDS], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""
