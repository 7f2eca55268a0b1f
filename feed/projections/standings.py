"""The result table of one race, derived from its fold on demand.

Finishers come first, ordered by their 1/1000 reading then bib; a place is one
more than the number of finishers strictly faster at 1/1000, so a dead heat shares
a place and skips the next. Then athletes still running (in running order, while
there are any), then DQ, DNF and DNS, each group by bib, without a place or time.
"""

from __future__ import annotations

from feed.projections.marks import Performance, annotate
from feed.projections.state import Outcome, RaceFold, RunnerFold, latest_split, outcome
from feed.projections.views import Mark, StandingRow, Standings
from feed.timing import format_time

__all__ = ["finishers", "running_order", "standings_of", "title_of"]

_NOT_YET = 1 << 62  # sorts athletes without a split after those with one
_MARKS: tuple[tuple[Outcome, Mark], ...] = (("dq", "DQ"), ("dnf", "DNF"), ("dns", "DNS"))


def title_of(race: RaceFold) -> str:
    """The race's heading: its event and round, ``"Men's 1500 metres, Final"``."""
    parts = [part for part in (race.info.event, race.info.round) if part]
    return ", ".join(parts) or race.race


def finishers(race: RaceFold) -> list[RunnerFold]:
    """Athletes with a time in force, fastest first at 1/1000, then by bib."""
    done = [r for r in race.runners.values() if outcome(r) == "finished"]
    done.sort(key=lambda r: (r.finish_ms, r.bib))
    return done


def running_order(runners: list[RunnerFold]) -> list[RunnerFold]:
    """Athletes still running: furthest first, then the earlier at that distance, then bib."""
    keyed = []
    for runner in runners:
        distance, elapsed = latest_split(runner)
        keyed.append((-distance, _NOT_YET if elapsed is None else elapsed, runner.bib, runner))
    keyed.sort(key=lambda item: item[:3])
    return [item[3] for item in keyed]


def standings_of(race: RaceFold, as_of_seq: int) -> Standings:
    """The result table of ``race`` as its fold stands at ``as_of_seq``."""
    done = finishers(race)
    by_outcome: dict[Outcome, list[RunnerFold]] = {"running": [], "dq": [], "dnf": [], "dns": []}
    for runner in race.runners.values():
        kind = outcome(runner)
        if kind != "finished":
            by_outcome[kind].append(runner)
    marks = annotate(
        [
            Performance(r.athlete_id, r.nation, r.finish_ms, r.pb_ms, r.sb_ms)
            for r in done
            if r.finish_ms is not None
        ],
        race.info.records,
    )
    rows: list[StandingRow] = []
    place = 0
    previous: int | None = None
    for index, runner in enumerate(done, start=1):
        if runner.finish_ms != previous:
            place, previous = index, runner.finish_ms
        rows.append(_row(runner, place=place, annotations=marks.get(runner.athlete_id, [])))
    rows.extend(_row(r) for r in running_order(by_outcome["running"]))
    for kind, mark in _MARKS:
        for runner in sorted(by_outcome[kind], key=lambda r: r.bib):
            rule = runner.disqualifications[-1].rule if mark == "DQ" else None
            rows.append(_row(runner, mark=mark, rule=rule))
    return Standings(
        race=race.race,
        title=title_of(race),
        status=race.status,
        as_of_seq=as_of_seq,
        rows=rows,
    )


def _row(
    runner: RunnerFold,
    *,
    place: int | None = None,
    annotations: list[str] | None = None,
    mark: Mark | None = None,
    rule: str | None = None,
) -> StandingRow:
    time_ms = runner.finish_ms if place is not None else None  # only a place shows a time
    return StandingRow(
        place=place,
        athlete_id=runner.athlete_id,
        bib=runner.bib,
        name=runner.name,
        nation=runner.nation,
        time=None if time_ms is None else format_time(time_ms),
        time_ms=time_ms,
        mark=mark,
        rule=rule,
        annotations=annotations or [],
    )
