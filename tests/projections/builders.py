"""Build event streams for projection tests, one readable call per fact, numbered 1, 2, 3 ..."""

from __future__ import annotations

from collections.abc import Iterable

from feed import events as ev
from feed.events import Event, IncidentKind, RecordKind, ResultStatus
from feed.timing import parse_time

__all__ = ["Stream", "athlete", "record", "to_ms"]

GUN_AT_MS = 1_758_115_240_000  # 2025-09-17T13:20:40Z, only used to write ``at``


def to_ms(time: str | int) -> int:
    """A time written as in results (``"3:34.094"``) or already in milliseconds."""
    return time if isinstance(time, int) else parse_time(time)


def athlete(
    bib: int,
    athlete_id: str,
    nation: str = "GBR",
    *,
    pb: str | int | None = None,
    sb: str | int | None = None,
    name: str | None = None,
) -> ev.Entrant:
    """One line of a start list; the name defaults to the id."""
    return ev.Entrant(
        bib=bib,
        athlete_id=athlete_id,
        name=name or athlete_id,
        nation=nation,
        pb_ms=None if pb is None else to_ms(pb),
        sb_ms=None if sb is None else to_ms(sb),
    )


def record(kind: RecordKind, time: str | int, nation: str | None = None) -> ev.Record:
    """A record the race's marks are computed against."""
    return ev.Record(kind=kind, time_ms=to_ms(time), nation=nation)


def _at(race_ms: int) -> str:
    total = GUN_AT_MS + race_ms
    seconds, ms = divmod(total, 1000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"2025-09-17T{hours % 24:02d}:{minute:02d}:{second:02d}.{ms:03d}Z"


class Stream:
    """An event stream under construction; every method appends one event and returns it."""

    def __init__(self, stream: str = "test-stream", race: str = "final") -> None:
        self.stream = stream
        self.race = race  # the race events name unless told otherwise
        self.events: list[Event] = []

    @property
    def seq(self) -> int:
        """The seq of the latest event."""
        return len(self.events)

    def _add(self, cls: type[Event], race_ms: int, data: object, race: str | None) -> Event:
        event = cls(  # type: ignore[call-arg]
            seq=len(self.events) + 1,
            stream=self.stream,
            race=race or self.race,
            race_ms=race_ms,
            at=_at(race_ms),
            data=data,
        )
        self.events.append(event)
        return event

    def schedule(
        self,
        entrants: Iterable[ev.Entrant],
        *,
        race: str | None = None,
        distance_m: int = 1500,
        lap_m: int = 400,
        records: Iterable[ev.Record] = (),
        event: str = "Men's 1500 metres",
        round: str = "Final",
    ) -> Event:
        info = ev.RaceInfo(
            championship="Test Championships",
            event=event,
            round=round,
            venue="Test Stadium",
            scheduled_start="2025-09-17T22:20:00+09:00",
            distance_m=distance_m,
            lap_m=lap_m,
            records=list(records),
        )
        data = ev.RaceScheduledData(race=info, start_list=list(entrants))
        return self._add(ev.RaceScheduled, -30_000, data, race)

    def gun(self, *, race: str | None = None) -> Event:
        return self._add(ev.RaceStarted, 0, ev.RaceStartedData(), race)

    def split(
        self, athlete_id: str, distance_m: int, elapsed: str | int, *, race: str | None = None
    ) -> Event:
        ms = to_ms(elapsed)
        data = ev.SplitRecordedData(athlete_id=athlete_id, distance_m=distance_m, elapsed_ms=ms)
        return self._add(ev.SplitRecorded, ms, data, race)

    def incident(
        self,
        athlete_id: str,
        distance_m: int,
        race_ms: str | int,
        *,
        kind: IncidentKind = "injury",
        detail: str = "",
        continues: bool = True,
        race: str | None = None,
    ) -> Event:
        data = ev.AthleteIncidentData(
            athlete_id=athlete_id,
            distance_m=distance_m,
            kind=kind,
            detail=detail,
            continues=continues,
        )
        return self._add(ev.AthleteIncident, to_ms(race_ms), data, race)

    def dns(self, athlete_id: str, *, race: str | None = None) -> Event:
        data = ev.AthleteDidNotStartData(athlete_id=athlete_id)
        return self._add(ev.AthleteDidNotStart, -29_000, data, race)

    def dnf(
        self, athlete_id: str, race_ms: str | int = 100_000, *, race: str | None = None
    ) -> Event:
        data = ev.AthleteDidNotFinishData(athlete_id=athlete_id)
        return self._add(ev.AthleteDidNotFinish, to_ms(race_ms), data, race)

    def finish(self, athlete_id: str, elapsed: str | int, *, race: str | None = None) -> Event:
        ms = to_ms(elapsed)
        data = ev.AthleteFinishedData(athlete_id=athlete_id, elapsed_ms=ms)
        return self._add(ev.AthleteFinished, ms, data, race)

    def finishes(self, times: dict[str, str | int], *, race: str | None = None) -> None:
        """Every athlete's finish, in the order of their times."""
        for athlete_id, time in sorted(times.items(), key=lambda item: to_ms(item[1])):
            self.finish(athlete_id, time, race=race)

    def photo_requested(self, *athlete_ids: str, race: str | None = None) -> Event:
        data = ev.PhotoFinishRequestedData(athlete_ids=list(athlete_ids))
        return self._add(ev.PhotoFinishRequested, self._after(race), data, race)

    def photo(self, order: dict[str, str | int], *, race: str | None = None) -> Event:
        places = [ev.PhotoPlace(athlete_id=a, elapsed_ms=to_ms(t)) for a, t in order.items()]
        data = ev.PhotoFinishResolvedData(order=places)
        return self._add(ev.PhotoFinishResolved, self._after(race), data, race)

    def status(self, status: ResultStatus, *, race: str | None = None) -> Event:
        data = ev.ResultStatusChangedData(status=status)
        return self._add(ev.ResultStatusChanged, self._after(race), data, race)

    def protest(
        self, protest_id: str, by: str, against: str | None = None, *, race: str | None = None
    ) -> Event:
        data = ev.ProtestLodgedData(protest_id=protest_id, by=by, against=against)
        return self._add(ev.ProtestLodged, self._after(race), data, race)

    def decide(self, protest_id: str, upheld: bool, *, race: str | None = None) -> Event:
        data = ev.ProtestDecidedData(protest_id=protest_id, upheld=upheld)
        return self._add(ev.ProtestDecided, self._after(race), data, race)

    def disqualify(
        self, athlete_id: str, rule: str = "TR17.1.2", *, race: str | None = None
    ) -> Event:
        data = ev.AthleteDisqualifiedData(athlete_id=athlete_id, rule=rule)
        return self._add(ev.AthleteDisqualified, self._after(race), data, race)

    def reinstate(self, athlete_id: str, supersedes: int, *, race: str | None = None) -> Event:
        data = ev.AthleteReinstatedData(athlete_id=athlete_id, supersedes=supersedes)
        return self._add(ev.AthleteReinstated, self._after(race), data, race)

    def amend(
        self, athlete_id: str, elapsed: str | int, supersedes: int, *, race: str | None = None
    ) -> Event:
        data = ev.ResultAmendedData(
            athlete_id=athlete_id, elapsed_ms=to_ms(elapsed), supersedes=supersedes
        )
        return self._add(ev.ResultAmended, self._after(race), data, race)

    def comment(
        self, text: str, race_ms: str | int | None = None, *, race: str | None = None
    ) -> Event:
        data = ev.CommentaryData(text=text)
        when = self._after(race) if race_ms is None else to_ms(race_ms)
        return self._add(ev.Commentary, when, data, race)

    def _after(self, race: str | None) -> int:
        """A race time just after the latest event of that race (post-race decisions)."""
        name = race or self.race
        times = [e.race_ms for e in self.events if e.race == name]
        return (max(times) if times else 0) + 1_000
