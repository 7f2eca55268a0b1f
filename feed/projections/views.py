"""What the projections show: frozen msgspec Structs, alike in code, on the wire and in ``--json``.

Views are computed on demand from a ``ProjectionState``; they never feed back into
the fold. Every field is always present in the JSON (``null`` where there is no
value), so a client can rely on the shape. Next to every number that a screen
shows as a time, a gap or a clock there is its text (``time_text``, ``gap_text``,
``clock_text``), written by ``feed.timing``: a client draws the text and never
rounds or formats a time itself. Fields added after the first release have
defaults, so an older message still decodes.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

from feed.events import IncidentKind, ResultStatus
from feed.projections.state import Outcome, PhotoFinish, ProjectionState

__all__ = [
    "IncidentView",
    "LapLeader",
    "Mark",
    "Medal",
    "MedalAward",
    "MedalRow",
    "MedalTable",
    "PhotoFinish",
    "RaceStateView",
    "RecordView",
    "RunnerStatus",
    "RunnerView",
    "Snapshot",
    "SplitCell",
    "SplitRow",
    "SplitsTable",
    "StandingRow",
    "Standings",
    "StartListEntry",
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
        gap_text: behind the first finisher, between official times (``"+0.02"``);
            empty for place 1 and for rows without a time.
        thousandths: the 1/1000 reading (``"3:35.101"``), given only when another
            finisher has the same official time.
        medal: the colour the row may wear (places 1-3 of a result with no photo
            finish under review); the medal table counts only official results.
        under_review: the athlete is in a photo finish not yet resolved.
        incident: the athlete's latest incident (``"injury: calf"``), kept on the result.
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
    gap_text: str = ""
    thousandths: str | None = None
    medal: Medal | None = None
    under_review: bool = False
    incident: str | None = None


class Standings(_View, frozen=True):
    """The result table of one race as of one seq.

    Attributes:
        photo_finish: ``under_review`` from the request until every athlete in it
            is resolved, then ``resolved``; ``none`` if no photo was asked for.
        winner_label: how to head the place-1 row(s) (``"Winner (unofficial)"``);
            ``None`` when nobody has finished or a photo finish is under review.
        notice: what a screen must say about the result before anything else
            (``"Photo finish - under review"``), or ``None``.
    """

    race: str
    title: str
    status: ResultStatus
    as_of_seq: int
    rows: list[StandingRow]
    photo_finish: PhotoFinish = "none"
    winner_label: str | None = None
    notice: str | None = None


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
        gap_ms: behind the leader at the same distance, never negative (the rule is
            in ``race_state``); ``None`` for the leader and for athletes no longer
            (or not yet) running.
        incident: the athlete's latest incident, ``"kind: detail"``.
        estimated: the time at the latest split is an estimate (interpolated, not
            measured): a client shows it as one (the reference clients put ``~``
            before ``time_text`` and ``gap_text``).
        time_text: the official time once finished, else the time at the latest split.
        gap_text: ``gap_ms`` written (``"+0.43"``), empty where it is ``None``.
        under_review: the athlete is in a photo finish not yet resolved.
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
    time_text: str = ""
    gap_text: str = ""
    under_review: bool = False


class StartListEntry(_View, frozen=True):
    """One line of the start list, as published before the gun.

    Attributes:
        order: the athlete's place on the start list (a 1500 m has no lanes).
        pb_text, sb_text: the bests before the race, written; empty when unknown.
    """

    order: int
    bib: int
    athlete_id: str
    name: str
    nation: str
    pb_ms: int | None
    pb_text: str
    sb_ms: int | None
    sb_text: str
    dns: bool


class RecordView(_View, frozen=True):
    """A record the race is run against (championship record, world lead ...)."""

    kind: str
    time_ms: int
    time_text: str
    holder: str | None
    nation: str | None


class LapLeader(_View, frozen=True):
    """The leader at one split mark and the lap time of the front of the race.

    Attributes:
        lap_ms: the leader's time here minus the leader's time at the mark before.
    """

    distance_m: int
    athlete_id: str
    name: str
    time_ms: int
    time_text: str
    lap_ms: int | None
    lap_text: str


class SplitCell(_View, frozen=True):
    """One athlete at one split mark: time, lap and place there (all ``None``/empty if not yet)."""

    time_ms: int | None
    time_text: str
    lap_ms: int | None
    lap_text: str
    position: int | None


class SplitRow(_View, frozen=True):
    """One athlete's splits, a cell for each mark of the table."""

    athlete_id: str
    bib: int
    name: str
    nation: str
    cells: list[SplitCell]


class SplitsTable(_View, frozen=True):
    """Splits at every lap mark and the finish: the leader there, and every athlete.

    Attributes:
        marks: the distances of the columns, each lap (``lap_m``) and the finish.
        leaders: the leader at each mark reached so far, in mark order.
        rows: every starter in running order, a cell per mark.
    """

    marks: list[int] = []
    leaders: list[LapLeader] = []
    rows: list[SplitRow] = []


class RaceStateView(_View, frozen=True):
    """The race as it is being run: leader, running order, gaps, laps to go.

    Attributes:
        clock_ms: race time of the latest event of this race.
        laps_to_go: laps the leader still has to run, rounded up (1 at the bell);
            ``None`` before the first split.
        clock_text: ``clock_ms`` written for the race clock (``"2:41.5"``).
        photo_finish: as in ``Standings``; under_review: who is in it.
        start_list: the start list, in its published order.
        records: the records the race is run against (CR, WL ...).
        splits: the splits table.
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
    clock_text: str = ""
    photo_finish: PhotoFinish = "none"
    under_review: list[str] = []
    start_list: list[StartListEntry] = []
    records: list[RecordView] = []
    splits: SplitsTable = msgspec.field(default_factory=SplitsTable)


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
