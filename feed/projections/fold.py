"""The fold: ``Projection.apply`` takes one event at a time into a ``ProjectionState``.

``apply`` is the hot path of every rebuild (see docs/bench-rebuild.md), so it only
records facts: each split, the time in force, marks and statuses. It never sorts
and never builds a view; standings, race state and medals are derived from the
state when asked for. The seq check is one comparison: a gap, a rewind or a
duplicate raises ``SequenceError``. Splits, by far the most frequent event, take
an inline path before the ``match``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import assert_never

import msgspec

from feed.codec import check_sequence
from feed.errors import ScenarioError, SequenceError
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
from feed.projections.medals import medal_table, race_counts
from feed.projections.race_state import race_state_of
from feed.projections.standings import standings_of
from feed.projections.state import (
    DisqualificationFold,
    IncidentFold,
    ProjectionState,
    RaceFold,
    RunnerFold,
)
from feed.projections.views import MedalTable, RaceStateView, Snapshot, Standings

__all__ = ["Projection", "project"]

_copy_encoder = msgspec.msgpack.Encoder()
_copy_decoder = msgspec.msgpack.Decoder(ProjectionState)


class Projection:
    """Every view of one stream, folded one event at a time.

    Create an empty one with ``Projection()``, or continue from a snapshot with
    ``Projection.from_state(state)``; then ``apply`` the events that follow.
    """

    __slots__ = ("_state",)

    def __init__(self, state: ProjectionState | None = None) -> None:
        self._state = ProjectionState() if state is None else state

    @classmethod
    def from_state(cls, state: ProjectionState) -> Projection:
        """Continue folding from ``state`` (taken as is, not copied)."""
        return cls(state)

    @property
    def state(self) -> ProjectionState:
        """The live state: JSON-serialisable, enough to continue folding (``copy`` detaches)."""
        return self._state

    @property
    def head_seq(self) -> int:
        """The last seq applied (or skipped); 0 before any."""
        return self._state.head_seq

    def copy(self) -> Projection:
        """An independent projection with an equal state."""
        return Projection(_copy_decoder.decode(_copy_encoder.encode(self._state)))

    def apply(self, event: Event) -> None:
        """Fold one event in.

        Raises:
            SequenceError: the event's seq is not the one after ``head_seq``.
            ScenarioError: the event names a race or athlete the stream never scheduled.
        """
        state = self._state
        seq = event.seq
        if seq - state.head_seq != 1:  # a difference of 1 is a cached int: no allocation
            raise SequenceError(state.head_seq + 1, seq, where=event.stream)
        if type(event) is SplitRecorded:  # most events are splits: inline, no call, no match
            data = event.data
            try:
                race = state.races[event.race]
                runner = race.runners[data.athlete_id]
            except KeyError:
                raise _unknown(state, event, data.athlete_id) from None
            runner.splits[data.distance_m] = data.elapsed_ms
            if data.estimated:
                runner.estimated.add(data.distance_m)
            elif runner.estimated:
                runner.estimated.discard(data.distance_m)
            race.clock_ms = event.race_ms
            state.head_seq = seq
            return
        match event:
            case AthleteFinished():
                self._set_time(event, event.data.athlete_id, event.data.elapsed_ms)
            case Commentary():
                commented = state.races.get(event.race)
                if commented is not None:  # commentary may talk about the whole session
                    commented.clock_ms = event.race_ms
            case AthleteIncident():
                data_i = event.data
                self._runner(event, data_i.athlete_id)
                self._race(event).incidents.append(
                    IncidentFold(
                        seq=seq,
                        race_ms=event.race_ms,
                        athlete_id=data_i.athlete_id,
                        distance_m=data_i.distance_m,
                        kind=data_i.kind,
                        detail=data_i.detail,
                        continues=data_i.continues,
                    )
                )
            case RaceScheduled():
                self._schedule(event)
            case RaceStarted():
                self._race(event).status = "live"
            case AthleteDidNotStart():
                self._runner(event, event.data.athlete_id).dns = True
            case AthleteDidNotFinish():
                self._runner(event, event.data.athlete_id).dnf_seq = seq
            case PhotoFinishResolved():
                for place in event.data.order:
                    self._set_time(event, place.athlete_id, place.elapsed_ms)
                photo = self._race(event)
                decided = {place.athlete_id for place in event.data.order}
                photo.under_review = [a for a in photo.under_review if a not in decided]
                photo.photo_asked = True
            case PhotoFinishRequested():
                asked = self._race(event)
                for athlete_id in event.data.athlete_ids:
                    self._runner(event, athlete_id)
                    if athlete_id not in asked.under_review:
                        asked.under_review.append(athlete_id)
                asked.photo_asked = True
            case ResultStatusChanged():
                race_s = self._race(event)
                race_s.status = event.data.status
                race_s.been_official = race_s.been_official or event.data.status == "official"
            case AthleteDisqualified():
                self._runner(event, event.data.athlete_id).disqualifications.append(
                    DisqualificationFold(seq=seq, rule=event.data.rule)
                )
            case AthleteReinstated():
                _reinstate(self._runner(event, event.data.athlete_id), event.data.supersedes)
            case ResultAmended():
                self._set_time(event, event.data.athlete_id, event.data.elapsed_ms)
            case SplitRecorded():  # only when a subclass of it comes in
                self._split(event)
            case ProtestLodged() | ProtestDecided():
                self._race(event)  # no result changes until a decision is an event of its own
            case _:
                assert_never(event)
        state.head_seq = seq

    def apply_all(self, events: Iterable[Event]) -> None:
        """Fold every event in, in order."""
        apply = self.apply
        for event in events:
            apply(event)

    def skip(self, event: Event) -> None:
        """Move past ``event`` without folding it in (the seq is still checked).

        ``project`` uses this for events outside the requested race or time.
        """
        state = self._state
        if event.seq != state.head_seq + 1:
            raise SequenceError(state.head_seq + 1, event.seq, where=event.stream)
        state.head_seq = event.seq

    def race_ids(self) -> list[str]:
        """Every race of the stream, in the order they were scheduled."""
        return list(self._state.races)

    def race_state(self, race: str | None = None) -> RaceStateView:
        """Leader, running order, gaps and incidents of ``race`` (default: the latest scheduled).

        Raises:
            KeyError: no such race in this stream (or no race at all).
        """
        return race_state_of(self._fold_of(race))

    def standings(self, race: str | None = None) -> Standings:
        """The result table of ``race`` (default: the latest scheduled).

        Raises:
            KeyError: no such race in this stream (or no race at all).
        """
        return standings_of(self._fold_of(race), self._state.head_seq)

    def all_standings(self) -> list[Standings]:
        """The result table of every race, in the order they were scheduled."""
        head = self._state.head_seq
        return [standings_of(fold, head) for fold in self._state.races.values()]

    def counted_standings(self) -> list[Standings]:
        """The result tables of the races that count for medals (see ``medals``)."""
        head = self._state.head_seq
        return [
            standings_of(fold, head)
            for fold in self._state.races.values()
            if race_counts(fold.status, fold.been_official)
        ]

    def medal_table(self) -> MedalTable:
        """Medals by nation over the races of this stream that count."""
        return medal_table(self.counted_standings())

    def snapshot(self) -> Snapshot:
        """The state (detached) and every view at ``head_seq``, for the wire."""
        return Snapshot(
            seq=self._state.head_seq,
            state=self.copy().state,
            race_states=[race_state_of(fold) for fold in self._state.races.values()],
            standings=self.all_standings(),
            medal_table=self.medal_table(),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Projection):
            return NotImplemented
        return self._state == other._state

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Projection(head_seq={self._state.head_seq}, races={self.race_ids()!r})"

    def _fold_of(self, race: str | None) -> RaceFold:
        races = self._state.races
        if race is None:
            if not races:
                raise KeyError("no race has been scheduled in this stream yet")
            return races[next(reversed(races))]
        try:
            return races[race]
        except KeyError:
            known = ", ".join(races) or "none"
            raise KeyError(f"unknown race {race!r} (races in this stream: {known})") from None

    def _race(self, event: Event) -> RaceFold:
        try:
            race = self._state.races[event.race]
        except KeyError:
            raise _unknown(self._state, event, None) from None
        race.clock_ms = event.race_ms
        return race

    def _runner(self, event: Event, athlete_id: str) -> RunnerFold:
        try:
            return self._race(event).runners[athlete_id]
        except KeyError:
            raise _unknown(self._state, event, athlete_id) from None

    def _split(self, event: SplitRecorded) -> None:
        data = event.data
        runner = self._runner(event, data.athlete_id)
        runner.splits[data.distance_m] = data.elapsed_ms
        if data.estimated:
            runner.estimated.add(data.distance_m)
        else:
            runner.estimated.discard(data.distance_m)

    def _set_time(self, event: Event, athlete_id: str, elapsed_ms: int) -> None:
        # The latest reading wins, whether a finish, a photo finish or an amendment.
        runner = self._runner(event, athlete_id)
        runner.finish_ms = elapsed_ms
        runner.dnf_seq = None
        runner.dns = False

    def _schedule(self, event: RaceScheduled) -> None:
        races = self._state.races
        fold = races.get(event.race)
        if fold is None:
            fold = races[event.race] = RaceFold(race=event.race, info=event.data.race)
        else:  # a republished start list: new header, new entrants, progress kept
            fold.info = event.data.race
        fold.clock_ms = event.race_ms
        for entrant in event.data.start_list:
            runner = fold.runners.get(entrant.athlete_id)
            if runner is None:
                fold.runners[entrant.athlete_id] = RunnerFold(
                    athlete_id=entrant.athlete_id,
                    bib=entrant.bib,
                    name=entrant.name,
                    nation=entrant.nation,
                    pb_ms=entrant.pb_ms,
                    sb_ms=entrant.sb_ms,
                )
            else:
                runner.bib, runner.name, runner.nation = entrant.bib, entrant.name, entrant.nation
                runner.pb_ms, runner.sb_ms = entrant.pb_ms, entrant.sb_ms


def project(
    events: Iterable[Event],
    *,
    until_seq: int | None = None,
    until_race_ms: int | None = None,
    race: str | None = None,
) -> Projection:
    """Fold a stream from its first event, as of a seq or a race time, optionally for one race.

    Args:
        events: the stream, from seq 1.
        until_seq: apply only events with ``seq <= until_seq`` ("as of seq N").
        until_race_ms: apply only events whose ``race_ms <= until_race_ms`` ("as of
            race time T"; in a championship every race has its own clock).
        race: apply only the events of this race.

    Events left out by ``race`` or ``until_race_ms`` are still checked for order and
    counted in ``head_seq`` when an applied event follows them.

    Raises:
        SequenceError: a gap, rewind or duplicate seq.
    """
    projection = Projection()
    apply = projection.apply
    held: list[Event] = []  # left out, and not yet followed by an applied event
    for event in events:
        if until_seq is not None and event.seq > until_seq:
            break
        if (race is not None and event.race != race) or (
            until_race_ms is not None and event.race_ms > until_race_ms
        ):
            held.append(event)
            continue
        if held:
            for skipped in held:
                projection.skip(skipped)
            held.clear()
        apply(event)
    # Trailing events left out do not move head_seq (so as_of_seq names the last applied
    # event), but their order is still checked.
    check_sequence(held, first=projection.head_seq + 1)
    return projection


def _reinstate(runner: RunnerFold, supersedes: int) -> None:
    for index, disqualification in enumerate(runner.disqualifications):
        if disqualification.seq == supersedes:
            del runner.disqualifications[index]
            return
    if runner.dnf_seq == supersedes:
        runner.dnf_seq = None
    elif runner.disqualifications:  # names no seq we hold: undo the latest disqualification
        runner.disqualifications.pop()
    else:
        runner.dnf_seq = None


def _unknown(state: ProjectionState, event: Event, athlete_id: str | None) -> ScenarioError:
    where = f"seq {event.seq} ({event.__struct_config__.tag})"
    fold = state.races.get(event.race)
    if fold is None:
        known = ", ".join(state.races) or "none"
        message = f"{where}: race {event.race!r} was never scheduled (scheduled: {known})"
        return ScenarioError(event.stream, message, field="race")
    message = f"{where}: athlete {athlete_id!r} is not on the start list of race {event.race!r}"
    return ScenarioError(event.stream, message, field="data.athlete_id")
