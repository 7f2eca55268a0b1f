"""The splits table: the leader and lap time at every lap mark, and each athlete's splits.

The marks are every lap (``lap_m``, 400 m on a standard track) short of the
distance, then the finish. At a lap mark an athlete's time is their split there;
at the finish it is the time in force (finish, photo finish or amendment) of an
athlete with a result. The leader at a mark is whoever recorded the earliest time
there (the first finisher at the finish; equal times go to the lower bib); their
lap is the leader's time at the mark minus the leader's time at the last mark
before it that anyone reached, so the lap column reads as the pace at the front. An
athlete's own lap is their time at the mark minus their time at the mark before.
A place at a mark counts the athletes strictly faster there, plus one (equal
times share it). A lap whose readings go backwards (only inconsistent events can
do that) is left empty rather than shown negative. Times and laps are written as
results are (``feed.timing``).
"""

from __future__ import annotations

from feed.projections.state import RaceFold, RunnerFold, outcome
from feed.projections.views import LapLeader, SplitCell, SplitRow, SplitsTable
from feed.timing import format_time

__all__ = ["split_marks", "splits_of"]


def split_marks(distance_m: int, lap_m: int) -> list[int]:
    """The columns of the table: each lap mark short of ``distance_m``, then the finish."""
    if lap_m <= 0:
        return [distance_m]
    return [*range(lap_m, distance_m, lap_m), distance_m]


def splits_of(race: RaceFold, order: list[RunnerFold]) -> SplitsTable:
    """The splits table of ``race``, a row per starter in ``order`` (DNS left out)."""
    distance = race.info.distance_m
    marks = split_marks(distance, race.info.lap_m)
    starters = [runner for runner in order if not runner.dns]
    times = [[_time_at(runner, mark, distance) for mark in marks] for runner in starters]
    columns = [[row[column] for row in times] for column in range(len(marks))]
    leaders: list[LapLeader] = []
    previous_lead = 0
    for mark, column in zip(marks, columns, strict=True):
        at_mark = [(time, starters[i].bib, i) for i, time in enumerate(column) if time is not None]
        if not at_mark:
            continue
        best, _, index = min(at_mark)
        lap = _lap(best, previous_lead)
        leaders.append(
            LapLeader(
                distance_m=mark,
                athlete_id=starters[index].athlete_id,
                name=starters[index].name,
                time_ms=best,
                time_text=format_time(best),
                lap_ms=lap,
                lap_text="" if lap is None else format_time(lap),
            )
        )
        previous_lead = best
    rows = [
        SplitRow(
            athlete_id=runner.athlete_id,
            bib=runner.bib,
            name=runner.name,
            nation=runner.nation,
            cells=_cells(row, columns),
        )
        for runner, row in zip(starters, times, strict=True)
    ]
    return SplitsTable(marks=marks, leaders=leaders, rows=rows)


def _time_at(runner: RunnerFold, mark: int, distance_m: int) -> int | None:
    if mark == distance_m:
        return runner.finish_ms if outcome(runner) == "finished" else None
    return runner.splits.get(mark)


def _lap(time: int, before: int) -> int | None:
    """A lap time; ``None`` where the readings go backwards (inconsistent events)."""
    return time - before if time >= before else None


def _cells(row: list[int | None], columns: list[list[int | None]]) -> list[SplitCell]:
    cells: list[SplitCell] = []
    before: int | None = 0
    for time, column in zip(row, columns, strict=True):
        lap = None if time is None or before is None else _lap(time, before)
        position = None
        if time is not None:
            position = 1 + sum(1 for other in column if other is not None and other < time)
        cells.append(
            SplitCell(
                time_ms=time,
                time_text="" if time is None else format_time(time),
                lap_ms=lap,
                lap_text="" if lap is None else format_time(lap),
                position=position,
            )
        )
        before = time
    return cells
