"""Readable one-line descriptions of events, for ``racefeed replay`` and ``racefeed tail``.

``RaceLines`` follows a stream with a projection and writes a line for each event
worth a line: the start list, the gun, the leader and the top of the running order
each time the leader reaches a new 100 m, incidents, finishes, photo finishes,
status changes, protests, disqualifications, corrections and commentary.
``describe`` writes a line for any single event, without context.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import assert_never

from feed.events import (
    AthleteDidNotFinish,
    AthleteDidNotStart,
    AthleteDisqualified,
    AthleteFinished,
    AthleteIncident,
    AthleteReinstated,
    Commentary,
    Event,
    PhotoFinishRequested,
    PhotoFinishResolved,
    ProtestDecided,
    ProtestLodged,
    RaceScheduled,
    RaceStarted,
    ResultAmended,
    ResultStatusChanged,
    SplitRecorded,
)
from feed.projections import Projection
from feed.timing import format_clock, format_time

__all__ = ["RaceLines", "describe"]

_TOP = 5
_MARK_M = 100


class RaceLines:
    """Lines for a terminal as a race unfolds, from the events alone."""

    def __init__(self, projection: Projection | None = None) -> None:
        self.projection = projection or Projection()
        self._marks: dict[str, int] = {}  # race -> the leader's last announced 100 m mark

    def apply(self, event: Event) -> list[str]:
        """Fold ``event`` in and return the lines it is worth (often none)."""
        self.projection.apply(event)
        head = f"{format_clock(event.race_ms):>8}  "
        if isinstance(event, SplitRecorded):
            line = self._leader_line(event)
            return [head + line] if line else []
        line = head + describe(event, self._name)
        if isinstance(event, AthleteFinished):
            table = self.projection.standings(event.race)
            place = next(
                (r.place for r in table.rows if r.athlete_id == event.data.athlete_id), None
            )
            line += f", {place}{_suffix(place)} so far" if place else ""
        return [line]

    def _name(self, race: str, athlete_id: str) -> str:
        fold = self.projection.state.races.get(race)
        runner = fold.runners.get(athlete_id) if fold is not None else None
        return runner.name if runner is not None else athlete_id

    def _leader_line(self, event: SplitRecorded) -> str | None:
        distance = event.data.distance_m
        if distance % _MARK_M or distance <= self._marks.get(event.race, 0):
            return None
        self._marks[event.race] = distance
        state = self.projection.race_state(event.race)
        top = [r for r in state.order if r.position is not None][:_TOP]
        order = ", ".join(f"{r.position} {r.name}" for r in top)
        leader = self._name(event.race, event.data.athlete_id)
        when = format_time(event.data.elapsed_ms)
        return f"{distance:>5} m  {leader} leads in {when}  | {order}"


def describe(event: Event, name: Callable[[str, str], str] | None = None) -> str:
    """One readable line for ``event``; ``name(race, athlete_id)`` turns ids into names."""

    def who(athlete_id: str) -> str:
        return name(event.race, athlete_id) if name is not None else athlete_id

    match event:
        case RaceScheduled():
            info = event.data.race
            title = info.title or f"{info.event} {info.round}"
            return f"start list: {title}, {len(event.data.start_list)} athletes, {info.venue}"
        case RaceStarted():
            return "gun: the race is on"
        case SplitRecorded():
            data = event.data
            when = format_time(data.elapsed_ms)
            return f"split: {who(data.athlete_id)} {data.distance_m} m in {when}"
        case AthleteIncident():
            data_i = event.data
            goes_on = "continues" if data_i.continues else "stops"
            detail = f" ({data_i.detail})" if data_i.detail else ""
            where = f"at {data_i.distance_m} m, {goes_on}"
            return f"incident: {who(data_i.athlete_id)}, {data_i.kind}{detail} {where}"
        case AthleteDidNotStart():
            return f"did not start: {who(event.data.athlete_id)}"
        case AthleteDidNotFinish():
            return f"did not finish: {who(event.data.athlete_id)}"
        case AthleteFinished():
            data_f = event.data
            return f"finish: {who(data_f.athlete_id)} {_reading(data_f.elapsed_ms)}"
        case PhotoFinishRequested():
            names = ", ".join(who(a) for a in event.data.athlete_ids)
            return f"photo finish called: {names}"
        case PhotoFinishResolved():
            order = ", ".join(
                f"{who(p.athlete_id)} {_reading(p.elapsed_ms)}" for p in event.data.order
            )
            return f"photo finish: {order}"
        case ResultStatusChanged():
            reason = f" ({event.data.reason})" if event.data.reason else ""
            return f"result {event.data.status}{reason}"
        case ProtestLodged():
            against = f" against {who(event.data.against)}" if event.data.against else ""
            return f"protest {event.data.protest_id} by {event.data.by}{against}"
        case ProtestDecided():
            verdict = "upheld" if event.data.upheld else "rejected"
            return f"protest {event.data.protest_id} {verdict}"
        case AthleteDisqualified():
            return f"disqualified: {who(event.data.athlete_id)} ({event.data.rule})"
        case AthleteReinstated():
            return f"reinstated: {who(event.data.athlete_id)}"
        case ResultAmended():
            data_a = event.data
            return f"time amended: {who(data_a.athlete_id)} {_reading(data_a.elapsed_ms)}"
        case Commentary():
            return f"commentary: {event.data.text}"
        case _:
            assert_never(event)


def _reading(ms: int) -> str:
    """A finish as timed (1/1000) and as official (1/100, rounded up)."""
    return f"{format_time(ms)} ({format_time(ms, thousandths=True)})"


def _suffix(place: int) -> str:
    if place % 100 in (11, 12, 13):
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
