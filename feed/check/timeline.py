"""The feed through time: the state at any seq, the seqs of a stamp's window, and evidence.

A claim is judged against a ``State``: the projection as of one seq plus an index
of which event showed each fact (so a verdict can name its seq). A stamped entry
covers a window (a second of race time, a minute of wall time); ``seqs_for``
gives the states inside it: the one standing when the window opens and one after
each event in it. Projections are folded forward from the nearest state already
built, so walking a stream in order costs one fold.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from feed.check.model import Moment
from feed.check.stamps import Stamp
from feed.events import (
    AthleteDidNotFinish,
    AthleteDidNotStart,
    AthleteDisqualified,
    AthleteFinished,
    AthleteReinstated,
    Event,
    PhotoFinishRequested,
    PhotoFinishResolved,
    ProtestDecided,
    ProtestLodged,
    RaceScheduled,
    ResultAmended,
    ResultStatusChanged,
    SplitRecorded,
)
from feed.projections import Projection

__all__ = ["Evidence", "State", "Timeline", "stamp_moment"]

_Key = tuple[str, ...]
_KEPT_STATES = 512  # states kept for reuse: a whole built-in race, a window of a long stream


class Evidence:
    """Which events show which facts: seqs by key, ascending, for "the latest up to seq N"."""

    def __init__(self, events: Sequence[Event]) -> None:
        self._seqs: dict[_Key, list[int]] = {}
        self.by_seq: dict[int, Event] = {}
        for event in events:
            self.by_seq[event.seq] = event
            for key in _keys(event):
                self._seqs.setdefault(key, []).append(event.seq)

    def latest(self, *key: str, until: int) -> int | None:
        """The seq of the latest event with ``key`` at or before ``until``."""
        seqs = self._seqs.get(key, [])
        index = bisect.bisect_right(seqs, until)
        return seqs[index - 1] if index else None

    def all(self, *key: str, until: int) -> list[int]:
        """Every seq with ``key`` at or before ``until``."""
        seqs = self._seqs.get(key, [])
        return seqs[: bisect.bisect_right(seqs, until)]


class State:
    """The feed as of one seq: the projection, the evidence index and the seq."""

    __slots__ = ("evidence", "projection", "seq")

    def __init__(self, seq: int, projection: Projection, evidence: Evidence) -> None:
        self.seq = seq
        self.projection = projection
        self.evidence = evidence


class Timeline:
    """States of one stream at any seq, and the seqs a stamped window covers."""

    def __init__(self, events: Sequence[Event]) -> None:
        self.events = list(events)
        self.evidence = Evidence(self.events)
        self.final_seq = self.events[-1].seq if self.events else 0
        self._first_seq = self.events[0].seq if self.events else 1
        self._states: dict[int, State] = {}  # the latest built, oldest dropped first
        self._cursor = Projection()
        self._cursor_index = 0

    def state(self, seq: int) -> State:
        """The state as of ``seq`` (clamped to the stream)."""
        seq = max(min(seq, self.final_seq), self._first_seq - 1)
        cached = self._states.get(seq)
        if cached is not None:
            return cached
        index = seq - self._first_seq + 1  # events applied
        if index < self._cursor_index:
            self._cursor, self._cursor_index = Projection(), 0
        while self._cursor_index < index:
            self._cursor.apply(self.events[self._cursor_index])
            self._cursor_index += 1
        state = State(seq, self._cursor.copy(), self.evidence)
        self._states[seq] = state
        if len(self._states) > _KEPT_STATES:
            del self._states[next(iter(self._states))]
        return state

    def seqs_for(self, moment: Moment, race: str | None) -> list[int]:
        """The seqs whose states a claim at ``moment`` (about ``race``) is judged against."""
        if moment.kind == "final":
            return [self.final_seq]
        if moment.kind == "seq":
            return [moment.seq if moment.seq is not None else self.final_seq]
        if moment.kind == "race_time":
            low, high = moment.start_ms or 0, moment.end_ms or 0
            inside = [
                e.seq for e in self.events if (race is None or e.race == race) and e.race_ms < high
            ]
            before = [s for s in inside if self.evidence.by_seq[s].race_ms < low]
            within = [s for s in inside if self.evidence.by_seq[s].race_ms >= low]
            return ([before[-1]] if before else [self._first_seq - 1]) + within
        start, end = _utc(moment.start_at), _utc(moment.end_at)
        before_wall = [e.seq for e in self.events if _utc(e.at) < start]
        within_wall = [e.seq for e in self.events if start <= _utc(e.at) < end]
        return ([before_wall[-1]] if before_wall else [self._first_seq - 1]) + within_wall


def stamp_moment(stamp: Stamp, scheduled_start: str, default_offset_min: int | None) -> Moment:
    """The window a stamp covers, in race time or in UTC for wall time.

    Args:
        stamp: the entry's stamp.
        scheduled_start: the race's scheduled start (ISO 8601 with the venue's offset):
            gives the local date and, by default, the zone of a wall time.
        default_offset_min: the zone of wall times written without one; None: the venue's.
    """
    if stamp.kind == "race_time":
        return Moment(
            kind="race_time", label=stamp.label, start_ms=stamp.ms, end_ms=stamp.ms + stamp.unit_ms
        )
    start = datetime.fromisoformat(scheduled_start)
    venue_offset = start.utcoffset() or timedelta(0)
    offset_min = stamp.utc_offset_min
    if offset_min is None:
        offset_min = (
            default_offset_min
            if default_offset_min is not None
            else int(venue_offset.total_seconds() // 60)
        )
    local_start = start.astimezone(UTC) + timedelta(minutes=offset_min)
    midnight = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
    written = midnight + timedelta(milliseconds=stamp.ms)
    # The day that puts the stamp nearest the race (a blog may run past midnight).
    best = min(
        (written + timedelta(days=days) for days in (-1, 0, 1)),
        key=lambda t: abs(t - local_start),
    )
    utc_start = best - timedelta(minutes=offset_min)
    utc_end = utc_start + timedelta(milliseconds=stamp.unit_ms)
    return Moment(
        kind="wall_time",
        label=stamp.label,
        start_at=_iso(utc_start),
        end_at=_iso(utc_end),
    )


def _keys(event: Event) -> list[_Key]:
    race = event.race
    if isinstance(event, SplitRecorded):
        return [("split", race, event.data.athlete_id, str(event.data.distance_m))]
    if isinstance(event, AthleteFinished | ResultAmended):
        keys: list[_Key] = [("time", race, event.data.athlete_id)]
        if isinstance(event, ResultAmended):
            keys.append(("amended", race, event.data.athlete_id))
        return keys
    if isinstance(event, PhotoFinishResolved):
        return [("time", race, place.athlete_id) for place in event.data.order] + [
            ("photo_resolved", race)
        ]
    if isinstance(event, AthleteDidNotFinish):
        return [("dnf", race, event.data.athlete_id)]
    if isinstance(event, AthleteDidNotStart):
        return [("dns", race, event.data.athlete_id)]
    if isinstance(event, AthleteDisqualified):
        return [("dq", race, event.data.athlete_id)]
    if isinstance(event, AthleteReinstated):
        return [("reinstated", race, event.data.athlete_id)]
    if isinstance(event, ResultStatusChanged):
        return [("status", race, event.data.status), ("status", race)]
    if isinstance(event, ProtestLodged):
        return [("protest", race)]
    if isinstance(event, ProtestDecided):
        return [("decided", race)]
    if isinstance(event, PhotoFinishRequested):
        return [("photo", race)]
    if isinstance(event, RaceScheduled):
        return [("scheduled", race)]
    return [(event.type, race)]


def _utc(text: str | None) -> datetime:
    if not text:
        return datetime.min.replace(tzinfo=UTC)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
