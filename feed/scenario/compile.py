"""A race spec to its event stream, as docs/scenario-format.md "How a race compiles" says.

Every event is placed by a sort key: race time, then kind (schedule, DNS, gun,
splits, incidents, DNF, finishes, commentary, post-race), then distance (further
first), then the elapsed reading, then bib, then the order written. The key is total,
so the same spec always gives the same bytes. Seqs are given after sorting, and only
then are corrections told which seq they supersede.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from feed.errors import ScenarioInvalid
from feed.events import (
    AthleteDidNotFinish,
    AthleteDidNotFinishData,
    AthleteDidNotStart,
    AthleteDidNotStartData,
    AthleteDisqualified,
    AthleteFinished,
    AthleteFinishedData,
    AthleteIncident,
    AthleteIncidentData,
    AthleteReinstated,
    Commentary,
    CommentaryData,
    Entrant,
    Event,
    PhotoFinishResolved,
    RaceInfo,
    RaceScheduled,
    RaceScheduledData,
    RaceStarted,
    Record,
    ResultAmended,
    SplitRecorded,
    SplitRecordedData,
)
from feed.scenario.after import after_event
from feed.scenario.envelope import BLANK as _BLANK
from feed.scenario.field import FieldPaths, Track
from feed.scenario.interpolate import MonotoneCurve
from feed.scenario.model import AthleteSpec, RaceSpec
from feed.scenario.problem import to_errors
from feed.scenario.validate import parse_clock, split_points, validate_race
from feed.timing import parse_time

__all__ = ["compile_race", "dnf_time_ms", "timestamp"]

# Tie-break ranks for events at the same race time, in the order the spec lists them.
_SCHEDULE, _DNS, _GUN, _SPLIT, _INCIDENT, _DNF, _FINISH, _COMMENTARY, _AFTER = range(9)
_FALLBACK_SPEED_M_PER_S = 7.0  # a DNF nobody else's race can place: a 1500 m pace

_Key = tuple[int, int, int, int, int, int]


def timestamp(gun: datetime, race_ms: int) -> str:
    """``gun`` plus ``race_ms``, in UTC to the millisecond: ``2025-09-17T13:20:40.000Z``."""
    moment = (gun + timedelta(milliseconds=race_ms)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def compile_race(spec: RaceSpec, *, stream: str | None = None) -> list[Event]:
    """The race's events, numbered 1, 2, 3 ...; ``race`` is the scenario id.

    Raises:
        ScenarioInvalid: ``spec`` has problems (only possible for a spec built in code,
            since ``parse_scenario`` never returns one).
    """
    problems = validate_race(spec)
    if problems:
        raise ScenarioInvalid(to_errors(problems, spec.scenario.id))
    race_id = spec.scenario.id
    gun = spec.race.gun or spec.race.scheduled_start
    pending = _Planner(spec).plan()
    pending.sort(key=lambda item: item[0])
    events: list[Event] = []
    for seq, (_, race_ms, event) in enumerate(pending, start=1):
        events.append(
            msgspec.structs.replace(
                event,
                seq=seq,
                stream=stream or race_id,
                race=race_id,
                race_ms=race_ms,
                at=timestamp(gun, race_ms),
            )
        )
    return _fill_supersedes(events)


def _fill_supersedes(events: list[Event]) -> list[Event]:
    """Point each correction at the seq it replaces: the latest DQ, or the latest time."""
    latest_time: dict[str, int] = {}
    latest_dq: dict[str, int] = {}
    filled: list[Event] = []
    for original in events:
        event = original
        match event:
            case AthleteFinished():
                latest_time[event.data.athlete_id] = event.seq
            case PhotoFinishResolved():
                for place in event.data.order:
                    latest_time[place.athlete_id] = event.seq
            case AthleteDisqualified():
                latest_dq[event.data.athlete_id] = event.seq
            case AthleteReinstated():
                undone = latest_dq.pop(event.data.athlete_id)
                reinstated = msgspec.structs.replace(event.data, supersedes=undone)
                event = msgspec.structs.replace(event, data=reinstated)
            case ResultAmended():
                athlete = event.data.athlete_id
                amended = msgspec.structs.replace(event.data, supersedes=latest_time[athlete])
                event = msgspec.structs.replace(event, data=amended)
                latest_time[athlete] = event.seq
            case _:
                pass
        filled.append(event)
    return filled


def dnf_time_ms(knots: list[tuple[int, int]], at_m: int, field: list[MonotoneCurve]) -> int:
    """When an athlete reaches the DNF point, which the file gives as a distance only.

    With known splits, the athlete's pace over the last known segment carries on to
    the DNF point; with none, the DNF happens with the field (the median of the
    finishers' times there); with no finishers either, at an even 7 m/s.
    """
    last_m, last_ms = knots[-1]
    if at_m <= last_m:
        return last_ms
    if len(knots) > 1:
        before_m, before_ms = knots[-2]
        pace = (last_ms - before_ms) / (last_m - before_m)
        return last_ms + max(1, round(pace * (at_m - last_m)))
    if field:
        times = sorted(curve.at(at_m) for curve in field)
        middle = len(times) // 2
        median = times[middle] if len(times) % 2 else (times[middle - 1] + times[middle]) / 2
        # Never faster than a human can run from the gun (validate's speed limit).
        return max(round(median), -(-at_m * 1000 // 11))
    return round(at_m * 1000 / _FALLBACK_SPEED_M_PER_S)


_Pending = tuple[_Key, int, Event]


class _Planner:
    """Builds every event of a valid race with its sort key and race time."""

    def __init__(self, spec: RaceSpec) -> None:
        self.spec = spec
        self.pending: list[_Pending] = []
        self.tracks: list[tuple[AthleteSpec, Track]] = []  # everyone who ran more than 0 m
        self.ends: dict[str, tuple[int, int]] = {}  # athlete -> (metres, ms) of finish or DNF
        self.paths: FieldPaths | None = None

    def plan(self) -> list[_Pending]:
        spec = self.spec
        lead_ms = -spec.scenario.lead_in_s * 1000
        self._add((lead_ms, _SCHEDULE, 0, 0, 0, 0), lead_ms, self._scheduled())
        for index, athlete in enumerate(spec.athletes):
            if athlete.dns is not None:
                absent = AthleteDidNotStartData(athlete_id=athlete.id, reason=athlete.dns.reason)
                key = (lead_ms, _DNS, 0, 0, athlete.bib, index)
                self._add(key, lead_ms, AthleteDidNotStart(**_BLANK, data=absent))
        self._add((0, _GUN, 0, 0, 0, 0), 0, RaceStarted(**_BLANK))
        self._tracks()
        self.paths = FieldPaths([track for _, track in self.tracks])
        for athlete, track in self.tracks:
            self._run(athlete, track)
        for athlete in spec.athletes:
            if athlete.dnf is not None and athlete.id not in self.ends:
                self._stop(athlete, athlete.dnf.at_m, 0)  # stopped at the gun
        self._incidents()
        for index, line in enumerate(spec.commentary):
            at = parse_clock(line.at)
            data = CommentaryData(text=line.text, athlete_ids=list(line.athletes))
            self._add((at, _COMMENTARY, 0, 0, 0, index), at, Commentary(**_BLANK, data=data))
        for index, entry in enumerate(spec.after):
            at = parse_clock(entry.at)
            self._add((at, _AFTER, 0, 0, 0, index), at, after_event(entry))
        return self.pending

    def _tracks(self) -> None:
        """Known points of everyone who ran: finishers first, whose pace places the DNFs."""
        distance = self.spec.race.distance_m
        own: list[MonotoneCurve] = []
        for athlete in self.spec.athletes:
            if athlete.finish is not None:
                knots = [(0, 0), *sorted(split_points(athlete))]
                knots.append((distance, parse_time(athlete.finish)))
                own.append(MonotoneCurve(knots))
                self.tracks.append((athlete, Track(athlete.id, knots, dict(knots[1:]))))
        for athlete in self.spec.athletes:
            if athlete.dnf is not None:
                knots = [(0, 0), *sorted(split_points(athlete))]
                data = dict(knots[1:])  # the DNF time is estimated: it orders nobody
                at_m = athlete.dnf.at_m
                if at_m > knots[-1][0]:
                    knots.append((at_m, dnf_time_ms(knots, at_m, own)))
                if len(knots) >= 2:
                    self.tracks.append((athlete, Track(athlete.id, knots, data, end_known=False)))

    def _add(self, key: _Key, race_ms: int, event: Event) -> None:
        self.pending.append((key, race_ms, event))

    def _scheduled(self) -> RaceScheduled:
        spec = self.spec
        race = spec.race
        info = RaceInfo(
            championship=race.championship,
            event=race.event,
            round=race.round,
            venue=race.venue,
            scheduled_start=race.scheduled_start.isoformat(),
            distance_m=race.distance_m,
            lap_m=race.lap_m,
            records=[
                Record(
                    kind=r.kind,
                    time_ms=parse_time(r.time),
                    nation=r.nation,
                    holder=r.holder,
                    synthetic=list(r.synthetic),
                )
                for r in race.records
            ],
            title=spec.scenario.title,
            synthetic=list(race.synthetic),
        )
        start_list = [_entrant(athlete) for athlete in spec.athletes]
        data = RaceScheduledData(race=info, start_list=start_list)
        return RaceScheduled(**_BLANK, data=data)

    def _run(self, athlete: AthleteSpec, track: Track) -> None:
        """Splits every ``split_every_m`` below the end, then the finish or the DNF."""
        assert self.paths is not None
        end_m = track.end
        end_ms = round(self.paths.time_at(athlete.id, end_m))  # a DNF's time is placed too
        self.ends[athlete.id] = (end_m, end_ms)
        bib = athlete.bib
        measured = _measured_splits(athlete)
        every = self.spec.scenario.split_every_m
        previous = 0
        for metres in range(every, end_m, every):
            # Rounding to the ms could tie two close points; the clock still moves on.
            ms = max(round(self.paths.time_at(athlete.id, metres)), previous + 1)
            previous = ms
            data = SplitRecordedData(
                athlete_id=athlete.id,
                distance_m=metres,
                elapsed_ms=ms,
                estimated=metres not in measured,
            )
            self._add((ms, _SPLIT, -metres, ms, bib, 0), ms, SplitRecorded(**_BLANK, data=data))
        if athlete.finish is not None:
            finished = AthleteFinishedData(
                athlete_id=athlete.id, elapsed_ms=end_ms, synthetic=_finish_synthetic(athlete)
            )
            key = (end_ms, _FINISH, -end_m, end_ms, bib, 0)
            self._add(key, end_ms, AthleteFinished(**_BLANK, data=finished))
        elif athlete.dnf is not None:
            self._stop(athlete, athlete.dnf.at_m, end_ms)

    def _stop(self, athlete: AthleteSpec, at_m: int, end_ms: int) -> None:
        assert athlete.dnf is not None
        self.ends.setdefault(athlete.id, (at_m, end_ms))
        stopped = AthleteDidNotFinishData(
            athlete_id=athlete.id, distance_m=at_m, reason=athlete.dnf.reason
        )
        key = (end_ms, _DNF, -at_m, end_ms, athlete.bib, 0)
        self._add(key, end_ms, AthleteDidNotFinish(**_BLANK, data=stopped))

    def _incidents(self) -> None:
        bibs = {athlete.id: athlete.bib for athlete in self.spec.athletes}
        for index, incident in enumerate(self.spec.incidents):
            ms = self._time_at(incident.athlete, incident.at_m)
            data = AthleteIncidentData(
                athlete_id=incident.athlete,
                distance_m=incident.at_m,
                kind=incident.kind,
                detail=incident.detail,
                continues=incident.continues,
            )
            key = (ms, _INCIDENT, -incident.at_m, ms, bibs[incident.athlete], index)
            self._add(key, ms, AthleteIncident(**_BLANK, data=data))

    def _time_at(self, athlete: str, metres: int) -> int:
        end_m, end_ms = self.ends[athlete]
        if metres >= end_m:
            return end_ms
        assert self.paths is not None
        return round(self.paths.time_at(athlete, metres))


def _measured_splits(athlete: AthleteSpec) -> set[int]:
    """Distances of the athlete's splits that were measured, not marked synthetic."""
    if "splits" in athlete.synthetic:
        return set()
    invented = {item.split(".", 1)[1] for item in athlete.synthetic if item.startswith("splits.")}
    return {int(key) for key in athlete.splits if key not in invented}


def _finish_synthetic(athlete: AthleteSpec) -> list[str]:
    """What of the finish reading the scenario marks as invented, in the event's words."""
    if "finish" in athlete.synthetic:
        return ["elapsed_ms"]
    if "finish.thousandths" in athlete.synthetic:
        return ["thousandths"]
    return []


def _entrant(athlete: AthleteSpec) -> Entrant:
    return Entrant(
        bib=athlete.bib,
        athlete_id=athlete.id,
        name=athlete.name,
        nation=athlete.nation,
        pb_ms=None if athlete.pb is None else parse_time(athlete.pb),
        sb_ms=None if athlete.sb is None else parse_time(athlete.sb),
        born=None if athlete.born is None else athlete.born.isoformat(),
        synthetic=list(athlete.synthetic),
    )
