"""Event logs for fault tests: plain events and corrections, seq 1, 2, 3 ..."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from feed.events import (
    EVENT_TYPES,
    Commentary,
    CommentaryData,
    Event,
    ProtestDecided,
    ProtestDecidedData,
    ResultAmended,
    ResultAmendedData,
)
from feed.faults import FaultSpec
from feed.faults.spec import FIELD_KINDS, MAX_MS

__all__ = ["log", "logs", "specs"]

_STREAM = "fault-test"


def log(corrections: Sequence[bool]) -> list[Event]:
    """One event per flag: a correction (amendment or protest decision) where True, else a line."""
    events: list[Event] = []
    for index, correction in enumerate(corrections):
        seq = index + 1
        at = f"2025-09-17T13:{seq // 60 % 60:02d}:{seq % 60:02d}.000Z"
        event: Event
        if not correction:
            event = Commentary(
                seq=seq, stream=_STREAM, race="final", race_ms=seq * 1000, at=at,
                data=CommentaryData(text=f"line {seq}"),
            )  # fmt: skip
        elif seq % 2:
            event = ResultAmended(
                seq=seq, stream=_STREAM, race="final", race_ms=seq * 1000, at=at,
                data=ResultAmendedData(athlete_id="a", elapsed_ms=214_000, supersedes=1),
            )  # fmt: skip
        else:
            event = ProtestDecided(
                seq=seq, stream=_STREAM, race="final", race_ms=seq * 1000, at=at,
                data=ProtestDecidedData(protest_id="p", upheld=False),
            )  # fmt: skip
        events.append(event)
    return events


def logs(min_size: int = 1, max_size: int = 60) -> st.SearchStrategy[list[Event]]:
    """Logs of a drawn length, about one event in six a correction."""
    flags = st.lists(st.integers(0, 5).map(lambda n: n == 0), min_size=min_size, max_size=max_size)
    return flags.map(log)


@st.composite
def specs(draw: st.DrawFn) -> FaultSpec:
    """Any valid spec, probabilities from the awkward ends of 0..1 as well as the middle."""
    probability = st.sampled_from([0.0, 1.0, 0.05]) | st.floats(0, 1)
    fields: dict[str, object] = {}
    for name, kind in FIELD_KINDS.items():
        if kind == "probability":
            fields[name] = draw(probability)
        elif kind == "ms":
            fields[name] = draw(st.integers(0, MAX_MS))
        elif kind == "window":
            fields[name] = draw(st.integers(1, 20))
        elif kind == "types":
            fields[name] = draw(st.lists(st.sampled_from(sorted(EVENT_TYPES)), max_size=3))
        else:
            fields[name] = draw(st.lists(st.integers(1, 10_000), max_size=5))
    if fields["stall_at_seq"] or fields["stall_p"]:
        fields["stall_ms"] = draw(st.integers(1, MAX_MS))
    return FaultSpec(**fields)  # type: ignore[arg-type]
