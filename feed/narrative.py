"""Live-blog commentary: a fold over events that writes the lines a newsroom would post.

``Narrator.apply(event, projection)`` takes each event together with the projection
already updated with it, and returns the lines that event is worth: the gun, the
leader at every lap mark with the split, a change of lead between lap marks, the
bell, incidents with the distance still to run, the finish, the photo finish, the
result status, protests, disqualifications, corrections and the stream's own
commentary (verbatim). Athletes are named by surname, as commentators do, unless two
in the race share it; then by full name. The same events always give the same lines.

Nobody "wins" before the result says so: the first finisher is "first across the
line" (a photo finish may still be asked for, and may reverse the order), the photo
verdict names who is ahead, and "wins" comes with the official result. Each line
carries its race clock written (``clock``), and the key moments of a race - the
gun, incidents, the bell, the photo finish and the result (status, disqualification,
correction) - are ``pinned``: ``feed.commentary`` keeps them when older lines are
left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias, assert_never

import msgspec

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
    PhotoPlace,
    ProtestDecided,
    ProtestLodged,
    ProtestLodgedData,
    RaceScheduled,
    RaceStarted,
    ResultAmended,
    ResultAmendedData,
    ResultStatus,
    ResultStatusChanged,
    SplitRecorded,
)
from feed.projections import Projection
from feed.spoken import race_phrase, spoken_names
from feed.timing import format_clock, format_time

__all__ = ["NarrativeKind", "NarrativeLine", "Narrator", "race_phrase", "spoken_names"]

NarrativeKind: TypeAlias = Literal[
    "status",  # start list, DNS, result status
    "start",  # the gun
    "lead",  # the leader at a lap mark, a change of lead
    "bell",
    "incident",  # injury, fall, obstruction, DNF
    "finish",
    "photo",
    "protest",
    "disqualification",
    "correction",  # reinstatement, amended time
    "commentary",  # the stream's own lines, verbatim
]

_ORDINAL_WORDS = {2: "second", 3: "third"}
_PINNED: frozenset[NarrativeKind] = frozenset(
    {"start", "bell", "incident", "photo", "disqualification", "correction"}
)
_RESULT_STATUSES: frozenset[ResultStatus] = frozenset({"unofficial", "official", "protested"})
_INCIDENT_VERBS = {"injury": "is in trouble", "fall": "goes down", "obstruction": "is impeded"}


class NarrativeLine(msgspec.Struct, frozen=True, kw_only=True):
    """One live-blog post, tied to the event that prompted it.

    Attributes:
        seq: the event's seq (several lines may share one).
        race: the race it is about.
        race_ms: the race clock when it happened.
        emphasis: a headline moment (the gun, the bell, the win, an incident ...).
        clock: ``race_ms`` written as the race clock (``"2:41.5"``).
        pinned: a key moment (gun, incident, bell, photo finish, result) that a
            live blog keeps in view.
    """

    seq: int
    race: str
    race_ms: int
    kind: NarrativeKind
    text: str
    emphasis: bool = False
    clock: str = ""
    pinned: bool = False


@dataclass
class _Race:
    """What the narrator knows and has already said about one race."""

    phrase: str = ""  # "men's 1500 m final"
    distance_m: int = 0
    lap_m: int = 400
    names: dict[str, str] = field(default_factory=dict)  # athlete id -> spoken name
    entrants: int = 0
    non_starters: set[str] = field(default_factory=set)
    front_m: int = 0  # the furthest split anyone has reached
    leader: str | None = None  # who reached front_m first
    bell_rung: bool = False
    winner_called: bool = False
    times: dict[str, int] = field(default_factory=dict)  # the 1/1000 reading in force
    in_trouble: set[str] = field(default_factory=set)  # had an incident
    protests: dict[str, ProtestLodgedData] = field(default_factory=dict)


class Narrator:
    """Fold events into live-blog lines; ``lines`` holds every line so far."""

    def __init__(self) -> None:
        self._races: dict[str, _Race] = {}
        self._lines: list[NarrativeLine] = []

    @classmethod
    def from_projection(cls, projection: Projection) -> Narrator:
        """A narrator that picks up where ``projection`` stands, without repeating what is past.

        Used after a reset from a snapshot: lap marks, the bell and the win that the
        projection has already seen are not announced again.
        """
        narrator = cls()
        for race in projection.race_ids():
            state = projection.race_state(race)
            table = projection.standings(race)
            known = _Race(
                phrase=race_phrase(projection.state.races[race].info) or race,
                distance_m=state.distance_m,
                lap_m=state.lap_m,
                names=spoken_names({row.athlete_id: row.name for row in table.rows}),
                entrants=len(table.rows),
                non_starters={row.athlete_id for row in table.rows if row.mark == "DNS"},
                leader=state.leader,
                times={row.athlete_id: row.time_ms for row in table.rows if row.time_ms},
                in_trouble={incident.athlete_id for incident in state.incidents},
            )
            known.front_m = max(
                (runner.distance_m for runner in state.order if runner.status == "running"),
                default=0,
            )
            if any(runner.status == "finished" for runner in state.order):
                known.front_m = state.distance_m
                known.winner_called = True
            known.bell_rung = known.front_m >= state.distance_m - state.lap_m > 0
            narrator._races[race] = known
        return narrator

    @property
    def lines(self) -> Sequence[NarrativeLine]:
        """Every line so far, oldest first (read-only: not a copy)."""
        return self._lines

    def apply(self, event: Event, projection: Projection) -> list[NarrativeLine]:
        """The lines ``event`` is worth; ``projection`` must already include it."""
        race = self._races.setdefault(event.race, _Race(phrase=event.race))
        said: list[tuple[NarrativeKind, str, bool]] = []
        match event:
            case RaceScheduled(data=data):
                info = data.race
                race.phrase = race_phrase(info) or event.race
                race.distance_m, race.lap_m = info.distance_m, info.lap_m
                race.names = spoken_names({e.athlete_id: e.name for e in data.start_list})
                race.entrants = len(data.start_list)
                where = f" at {info.venue}" if info.venue else ""
                text = f"Coming up: the {race.phrase}{where}, {race.entrants} on the start list."
                said.append(("status", text, False))
            case RaceStarted():
                away = race.entrants - len(race.non_starters)
                said.append(("start", f"The gun! {away} away in the {race.phrase}.", True))
            case SplitRecorded(data=data):
                said += self._split(race, data.athlete_id, data.distance_m, data.elapsed_ms)
            case AthleteIncident(data=data):
                race.in_trouble.add(data.athlete_id)
                verb = _INCIDENT_VERBS.get(data.kind, "is in trouble")
                stops = "" if data.continues else " and stops"
                what = f"{data.kind}: {data.detail}" if data.detail else data.kind
                to_go = _to_go(race, data.distance_m)
                text = f"{_name(race, data.athlete_id)} {verb}{stops}, {to_go} ({what})"
                said.append(("incident", text, True))
            case AthleteDidNotStart(data=data):
                race.non_starters.add(data.athlete_id)
                why = f" ({data.reason})" if data.reason else ""
                said.append(
                    ("status", f"{_name(race, data.athlete_id)} does not start{why}", False)
                )
            case AthleteDidNotFinish(data=data):
                out = f", out at {data.distance_m} m" if data.distance_m is not None else ""
                why = f" ({data.reason})" if data.reason else ""
                said.append(
                    ("incident", f"{_name(race, data.athlete_id)} does not finish{out}{why}", False)
                )
            case AthleteFinished(data=data):
                race.times[data.athlete_id] = data.elapsed_ms
                said += self._finish(race, event.race, data.athlete_id, projection)
            case PhotoFinishRequested(data=data):
                who = _join([_name(race, athlete) for athlete in data.athlete_ids])
                said.append(("photo", f"Photo finish! {who} too close to call.", True))
            case PhotoFinishResolved(data=data):
                for place in data.order:
                    race.times[place.athlete_id] = place.elapsed_ms
                said.append(("photo", _photo_verdict(race, data.order), True))
            case ResultStatusChanged(data=data):
                said.append(_status_line(race, data.status, data.reason, event.race, projection))
            case ProtestLodged(data=data):
                race.protests[data.protest_id] = data
                against = f" against {_name(race, data.against)}" if data.against else ""
                why = f": {data.reason}" if data.reason else ""
                said.append(("protest", f"Protest from {data.by}{against}{why}", True))
            case ProtestDecided(data=data):
                lodged = race.protests.get(data.protest_id)
                whose = f"{lodged.by} protest" if lodged else f"Protest {data.protest_id}"
                verdict = "upheld" if data.upheld else "rejected"
                why = f": {data.reason}" if data.reason else ""
                said.append(("protest", f"{whose} {verdict}{why}", True))
            case AthleteDisqualified(data=data):
                why = f": {data.reason}" if data.reason else ""
                text = f"{_name(race, data.athlete_id)} disqualified ({data.rule}){why}"
                said.append(("disqualification", text, True))
            case AthleteReinstated(data=data):
                why = f": {data.reason}" if data.reason else ""
                said.append(("correction", f"{_name(race, data.athlete_id)} reinstated{why}", True))
            case ResultAmended(data=data):
                said.append(_amendment(race, event.race, data, projection))
                race.times[data.athlete_id] = data.elapsed_ms
            case Commentary(data=data):
                said.append(("commentary", data.text, False))
            case _:
                assert_never(event)
        clock = format_clock(event.race_ms)
        result = isinstance(event, ResultStatusChanged) and event.data.status in _RESULT_STATUSES
        new = [
            NarrativeLine(
                seq=event.seq,
                race=event.race,
                race_ms=event.race_ms,
                kind=kind,
                text=text,
                emphasis=emphasis,
                clock=clock,
                pinned=kind in _PINNED or (kind == "status" and result),
            )
            for kind, text, emphasis in said
        ]
        self._lines += new
        return new

    def _split(
        self, race: _Race, athlete: str, distance_m: int, elapsed_ms: int
    ) -> list[tuple[NarrativeKind, str, bool]]:
        # Only the first athlete to reach a new distance matters: that is the leader there.
        if distance_m <= race.front_m:
            return []
        previous, race.front_m, race.leader = race.leader, distance_m, athlete
        if race.distance_m and distance_m >= race.distance_m:
            return []
        name = _name(race, athlete)
        said: list[tuple[NarrativeKind, str, bool]] = []
        bell = not race.bell_rung and distance_m >= race.distance_m - race.lap_m > 0
        if race.lap_m and distance_m % race.lap_m == 0:
            split = format_time(elapsed_ms)
            said.append(("lead", f"{name} leads at {distance_m} m in {split}", False))
        elif previous is not None and previous != athlete and not bell:
            said.append(("lead", f"{name} hits the front, {_to_go(race, distance_m)}", False))
        if bell:
            race.bell_rung = True
            said.append(("bell", f"The bell! {name} leads", True))
        return said

    def _finish(
        self, race: _Race, race_id: str, athlete: str, projection: Projection
    ) -> list[tuple[NarrativeKind, str, bool]]:
        name = _name(race, athlete)
        time = format_time(race.times[athlete])
        if not race.winner_called:
            # Not "wins": a photo finish may still be asked for, and may reverse it.
            race.winner_called = True
            return [("finish", f"{name} is first across the line in {time}!", True)]
        place = _place(projection, race_id, athlete)
        if place == 1:
            return [("finish", f"{name} dead-heats for first across the line in {time}!", True)]
        if place in _ORDINAL_WORDS:
            return [("finish", f"{name} {_ORDINAL_WORDS[place]} in {time}", False)]
        if athlete in race.in_trouble:
            rank = f", {_ordinal(place)}" if place is not None else ""
            return [("finish", f"{name} gets to the line in {time}{rank}", False)]
        return []


def _name(race: _Race, athlete: str) -> str:
    return race.names.get(athlete, athlete)


def _to_go(race: _Race, distance_m: int) -> str:
    left = race.distance_m - distance_m
    return f"{left} m to go" if left > 0 else "at the line"


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _ordinal(place: int) -> str:
    suffix = "th" if 10 <= place % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(place % 10, "th")
    return f"{place}{suffix}"


def _place(projection: Projection, race_id: str, athlete: str) -> int | None:
    for row in projection.standings(race_id).rows:
        if row.athlete_id == athlete:
            return row.place
    return None


def _photo_verdict(race: _Race, order: list[PhotoPlace]) -> str:
    readings = [(_name(race, place.athlete_id), place.elapsed_ms) for place in order]
    if len(readings) >= 2 and readings[0][1] == readings[1][1]:
        tied = _join([name for name, ms in readings if ms == readings[0][1]])
        return f"The photo cannot separate them: dead heat between {tied} at " + format_time(
            readings[0][1], thousandths=True
        )
    parts = [f"{name} {format_time(ms, thousandths=True)}" for name, ms in readings]
    if len(parts) == 1:
        return f"Photo decides it: {parts[0]}"
    return f"Photo decides it: {parts[0]} ahead of {_join(parts[1:])}"


def _status_line(
    race: _Race, status: ResultStatus, reason: str, race_id: str, projection: Projection
) -> tuple[NarrativeKind, str, bool]:
    why = f" ({reason})" if reason else ""
    table = projection.standings(race_id)
    rows = [row for row in table.rows if row.place is not None]
    if table.photo_finish == "under_review" and status in ("unofficial", "official"):
        label = status.upper()
        return ("status", f"{label} result, with the photo finish still under review{why}", True)
    if status == "unofficial":
        podium = ", ".join(
            f"{_name(race, row.athlete_id)} {row.time}"
            for row in rows
            if row.place is not None and row.place <= 3
        )
        return ("status", f"UNOFFICIAL result{': ' + podium if podium else ''}{why}", False)
    if status == "official":
        winners = [row for row in rows if row.place == 1]
        if not winners:
            return ("status", f"OFFICIAL result{why}", True)
        names = _join([_name(race, row.athlete_id) for row in winners])
        verb = "wins" if len(winners) == 1 else "share the win"
        return ("status", f"OFFICIAL: {names} {verb} in {winners[0].time}{why}", True)
    if status == "protested":
        return ("status", f"PROTESTED: the result is under review{why}", True)
    return ("status", f"Result status: {status.replace('_', ' ')}{why}", False)


def _amendment(
    race: _Race, race_id: str, data: ResultAmendedData, projection: Projection
) -> tuple[NarrativeKind, str, bool]:
    old_ms = race.times.get(data.athlete_id)
    was = f" (was {format_time(old_ms)})" if old_ms is not None else ""
    place = _place(projection, race_id, data.athlete_id)
    now = f", now {_ordinal(place)}" if place is not None else ""
    why = f": {data.reason}" if data.reason else ""
    name = _name(race, data.athlete_id)
    text = f"Correction: {name} {format_time(data.elapsed_ms)}{was}{now}{why}"
    return ("correction", text, True)
