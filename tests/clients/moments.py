"""The moments of the Tokyo final that the client tests look at, found from the events."""

from __future__ import annotations

from collections.abc import Callable

from feed.events import Event, ResultStatusChanged, SplitRecorded

__all__ = ["MOMENTS", "moments"]

MOMENTS = (
    "paused before the gun",
    "400 m",
    "800 m",
    "injury",
    "bell",
    "photo under review",
    "photo resolved",
    "official",
)


def moments(events: list[Event]) -> dict[str, int]:
    """The seq at which each of ``MOMENTS`` is reached (the event that makes it so)."""

    def first(test: Callable[[Event], bool]) -> int:
        return next(e.seq for e in events if test(e))

    def split_at(metres: int) -> int:
        return first(lambda e: isinstance(e, SplitRecorded) and e.data.distance_m == metres)

    return {
        "paused before the gun": first(lambda e: e.type == "race_started") - 1,
        "400 m": split_at(400),
        "800 m": split_at(800),
        "injury": first(lambda e: e.type == "athlete_incident"),
        "bell": split_at(1100),
        "photo under review": first(lambda e: e.type == "photo_finish_requested"),
        "photo resolved": first(lambda e: e.type == "photo_finish_resolved"),
        "official": first(
            lambda e: isinstance(e, ResultStatusChanged) and e.data.status == "official"
        ),
    }
