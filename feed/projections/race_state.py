"""The race as it is run: running order, leader, gaps, laps to go and incidents.

Order: finishers first (in place order), then athletes still running (furthest
first, then the earlier at that distance), then DQ, DNF and DNS, each by bib. The
leader is the first of that order once anyone has a split.

The gap rule, the only one: a gap is measured at equal distance, against the
leader *at that distance*. An athlete still running is behind by their time at
their latest split minus the earliest time any athlete still in the race (running
or finished) recorded at that same distance. When the order changes between splits
(the leader passed someone after that athlete's latest split), the gap stays the
one measured at that split, so an athlete who was first there shows ``+0.00``
until their next split: a gap is never negative. A finisher is behind by their
official time minus the first finisher's, as a result reads it. The leader has no
gap, nor has anyone out of the race or without a split.
"""

from __future__ import annotations

from feed.projections.splits import splits_of
from feed.projections.standings import finishers, running_order
from feed.projections.start_list import records_of, start_list_of
from feed.projections.state import (
    Outcome,
    RaceFold,
    RunnerFold,
    incident_notes,
    latest_split,
    outcome,
    photo_finish_of,
)
from feed.projections.views import IncidentView, RaceStateView, RunnerView
from feed.timing import format_clock, format_gap, format_time, official_ms

__all__ = ["gaps_of", "race_state_of"]

_STOPPED: tuple[Outcome, ...] = ("dq", "dnf", "dns")


def gaps_of(done: list[RunnerFold], running: list[RunnerFold]) -> list[int | None]:
    """The gap of each of ``done + running`` by the rule above (``None`` for the leader).

    Args:
        done: the finishers, in place order.
        running: the athletes still running, in running order.
    """
    first_at: dict[int, int] = {}  # distance -> earliest time recorded there
    for runner in (*done, *running):
        for metres, split_ms in runner.splits.items():
            if split_ms < first_at.get(metres, split_ms + 1):
                first_at[metres] = split_ms
    gaps: list[int | None] = []
    winner = done[0].finish_ms if done else None
    for runner in done:
        reading = runner.finish_ms
        if winner is None or reading is None:
            gaps.append(None)
        else:
            gaps.append(official_ms(reading) - official_ms(winner))
    for runner in running:
        distance, elapsed = latest_split(runner)
        gaps.append(None if elapsed is None else elapsed - first_at[distance])
    if gaps:
        gaps[0] = None  # the leader (or the winner) is behind nobody
    return gaps


def race_state_of(race: RaceFold) -> RaceStateView:
    """The live picture of ``race`` as its fold stands."""
    distance = race.info.distance_m
    groups: dict[Outcome, list[RunnerFold]] = {kind: [] for kind in (*_STOPPED, "running")}
    for runner in race.runners.values():
        kind = outcome(runner)
        if kind != "finished":
            groups[kind].append(runner)
    done = finishers(race)
    running = running_order(groups["running"])
    moving = done + running
    # (distance covered, time there) of everyone in the running order
    reached = [(distance, r.finish_ms) for r in done] + [latest_split(r) for r in running]
    leader = moving[0] if moving and reached[0][1] is not None else None
    gaps = gaps_of(done, running)
    latest = incident_notes(race)
    review = set(race.under_review)
    order: list[RunnerView] = []
    for position, (runner, at, gap) in enumerate(zip(moving, reached, gaps, strict=True), 1):
        status: Outcome = "finished" if position <= len(done) else "running"
        order.append(
            _view(runner, latest, review, status=status, position=position, at=at, gap=gap)
        )
    for kind in _STOPPED:
        for runner in sorted(groups[kind], key=lambda r: r.bib):
            at = latest_split(runner)
            order.append(_view(runner, latest, review, status=kind, position=None, at=at, gap=None))
    laps_to_go: int | None = None
    if leader is not None:
        laps_to_go = max(0, -(-(distance - reached[0][0]) // race.info.lap_m))
    names = {r.athlete_id: r.name for r in race.runners.values()}
    return RaceStateView(
        race=race.race,
        distance_m=distance,
        lap_m=race.info.lap_m,
        status=race.status,
        clock_ms=race.clock_ms,
        leader=leader.athlete_id if leader is not None else None,
        laps_to_go=laps_to_go,
        order=order,
        incidents=[
            IncidentView(
                seq=i.seq,
                race_ms=i.race_ms,
                athlete_id=i.athlete_id,
                name=names.get(i.athlete_id, i.athlete_id),
                distance_m=i.distance_m,
                kind=i.kind,
                detail=i.detail,
                continues=i.continues,
            )
            for i in race.incidents
        ],
        clock_text=format_clock(race.clock_ms),
        photo_finish=photo_finish_of(race),
        under_review=list(race.under_review),
        start_list=start_list_of(race),
        records=records_of(race.info),
        splits=splits_of(race, [race.runners[view.athlete_id] for view in order]),
    )


def _view(
    runner: RunnerFold,
    incidents: dict[str, str],
    review: set[str],
    *,
    status: Outcome,
    position: int | None,
    at: tuple[int, int | None],
    gap: int | None,
) -> RunnerView:
    elapsed = at[1]
    shown = elapsed is not None and status in ("running", "finished")
    return RunnerView(
        position=position,
        athlete_id=runner.athlete_id,
        bib=runner.bib,
        name=runner.name,
        nation=runner.nation,
        distance_m=at[0],
        elapsed_ms=elapsed,
        gap_ms=gap,
        status=status,
        incident=incidents.get(runner.athlete_id),
        estimated=status != "finished" and at[0] in runner.estimated,
        time_text=format_time(elapsed) if shown and elapsed is not None else "",
        gap_text="" if gap is None else format_gap(gap),
        under_review=runner.athlete_id in review,
    )
