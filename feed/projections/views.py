"""What the projections show: frozen msgspec Structs, alike in code, on the wire and in ``--json``.

Views are computed on demand from a ``ProjectionState``; they never feed back into
the fold. Every field is always present in the JSON (``null`` where there is no
value), so a client can rely on the shape.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

from feed.events import IncidentKind, ResultStatus
from feed.projections.state import Outcome, ProjectionState

__all__ = [
    "IncidentView",
    "Mark",
    "Medal",
    "MedalAward",
    "MedalRow",
    "MedalTable",
    "RaceStateView",
    "RunnerStatus",
    "RunnerView",
    "Snapshot",
    "StandingRow",
    "Standings",
]

Mark: TypeAlias = Literal["DNF", "DNS", "DQ"]
RunnerStatus: TypeAlias = Outcome  # "running", "finished", "dnf", "dns", "dq"
Medal: TypeAlias = Literal["gold", "silver", "bronze"]


class _View(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every view."""


class StandingRow(_View, frozen=True):
    """One line of a result table.

    Attributes:
        place: shared by athletes equal at 1/1000; ``None`` for marks and runners.
        time: the official time (1/100, rounded up), e.g. ``"3:34.10"``.
        time_ms: the 1/1000 reading the official time comes from.
        mark: ``DNF``, ``DNS`` or ``DQ``; ``None`` for finishers and runners.
        rule: the rule broken, for ``DQ``.
        annotations: ``WR``, ``CR``, ``WL``, ``NR``, ``PB``, ``SB`` (see ``marks``).
    """

    place: int | None
    athlete_id: str
    bib: int
    name: str
    nation: str
    time: str | None
    time_ms: int | None
    mark: Mark | None
    rule: str | None
    annotations: list[str]


class Standings(_View, frozen=True):
    """The result table of one race as of one seq."""

    race: str
    title: str
    status: ResultStatus
    as_of_seq: int
    rows: list[StandingRow]


class IncidentView(_View, frozen=True):
    """Something that happened to an athlete during the race."""

    seq: int
    race_ms: int
    athlete_id: str
    name: str
    distance_m: int
    kind: IncidentKind
    detail: str
    continues: bool


class RunnerView(_View, frozen=True):
    """One athlete in the running order.

    Attributes:
        position: 1, 2, 3 ... for finishers and runners; ``None`` for DNF, DNS, DQ.
        distance_m: metres covered at the athlete's latest split.
        elapsed_ms: race time at that split (the finish reading once finished).
        gap_ms: behind the leader at the same distance; ``None`` for the leader
            and for athletes no longer (or not yet) running.
        incident: the athlete's latest incident, ``"kind: detail"``.
        estimated: the time at the latest split is an estimate (interpolated, not
            measured): show it as one.
    """

    position: int | None
    athlete_id: str
    bib: int
    name: str
    nation: str
    distance_m: int
    elapsed_ms: int | None
    gap_ms: int | None
    status: RunnerStatus
    incident: str | None
    estimated: bool = False


class RaceStateView(_View, frozen=True):
    """The race as it is being run: leader, running order, gaps, laps to go.

    Attributes:
        clock_ms: race time of the latest event of this race.
        laps_to_go: laps the leader still has to run, rounded up (1 at the bell);
            ``None`` before the first split.
    """

    race: str
    distance_m: int
    lap_m: int
    status: ResultStatus
    clock_ms: int
    leader: str | None
    laps_to_go: int | None
    order: list[RunnerView]
    incidents: list[IncidentView]


class MedalRow(_View, frozen=True):
    """One nation's line of the medal table."""

    rank: int
    nation: str
    gold: int
    silver: int
    bronze: int
    total: int


class MedalAward(_View, frozen=True):
    """One medal given to one athlete in one race."""

    race: str
    medal: Medal
    athlete_id: str
    name: str
    nation: str


class MedalTable(_View, frozen=True):
    """Medals by nation over the races that count (see ``medals``)."""

    rows: list[MedalRow]
    awards: list[MedalAward]
    races_counted: list[str]


class Snapshot(_View, frozen=True):
    """Everything a client needs at one seq: the state to keep folding, and the views.

    ``Projection.from_state(snapshot.state)`` continues from ``seq``.
    """

    seq: int
    state: ProjectionState
    race_states: list[RaceStateView]
    standings: list[Standings]
    medal_table: MedalTable
