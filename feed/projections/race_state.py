"""The race as it is run: running order, leader, gaps, laps to go and incidents.

Order: finishers first (in place order), then athletes still running (furthest
first, then the earlier at that distance), then DQ, DNF and DNS, each by bib. The
leader is the first of that order once anyone has a split. A gap is measured at
equal distance: the athlete's time at their latest split minus the leader's time
at that same distance.
"""

from __future__ import annotations

from feed.projections.standings import finishers, running_order
from feed.projections.state import Outcome, RaceFold, RunnerFold, latest_split, outcome
from feed.projections.views import IncidentView, RaceStateView, RunnerView

__all__ = ["race_state_of"]

_STOPPED: tuple[Outcome, ...] = ("dq", "dnf", "dns")


def race_state_of(race: RaceFold) -> RaceStateView:
    """The live picture of ``race`` as its fold stands."""
    distance = race.info.distance_m
    groups: dict[Outcome, list[RunnerFold]] = {kind: [] for kind in (*_STOPPED, "running")}
    for runner in race.runners.values():
        kind = outcome(runner)
        if kind != "finished":
            groups[kind].append(runner)
    done = finishers(race)
    moving = done + running_order(groups["running"])
    # (distance covered, time there) of everyone in the running order
    reached = [(distance, r.finish_ms) for r in done] + [
        latest_split(r) for r in moving[len(done) :]
    ]
    leader = moving[0] if moving and reached[0][1] is not None else None
    latest: dict[str, str] = {}
    for incident in race.incidents:
        latest[incident.athlete_id] = (
            f"{incident.kind}: {incident.detail}" if incident.detail else incident.kind
        )
    order: list[RunnerView] = []
    for position, (runner, (at_m, elapsed)) in enumerate(zip(moving, reached, strict=True), 1):
        gap: int | None = None
        if leader is not None and runner is not leader and elapsed is not None:
            lead = reached[0][1] if at_m == reached[0][0] else leader.splits.get(at_m)
            gap = None if lead is None else elapsed - lead
        status: Outcome = "finished" if position <= len(done) else "running"
        order.append(
            _view(runner, latest, status=status, position=position, at=(at_m, elapsed), gap=gap)
        )
    for kind in _STOPPED:
        for runner in sorted(groups[kind], key=lambda r: r.bib):
            at = latest_split(runner)
            order.append(_view(runner, latest, status=kind, position=None, at=at, gap=None))
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
    )


def _view(
    runner: RunnerFold,
    incidents: dict[str, str],
    *,
    status: Outcome,
    position: int | None,
    at: tuple[int, int | None],
    gap: int | None,
) -> RunnerView:
    return RunnerView(
        position=position,
        athlete_id=runner.athlete_id,
        bib=runner.bib,
        name=runner.name,
        nation=runner.nation,
        distance_m=at[0],
        elapsed_ms=at[1],
        gap_ms=gap,
        status=status,
        incident=incidents.get(runner.athlete_id),
        estimated=status != "finished" and at[0] in runner.estimated,
    )
