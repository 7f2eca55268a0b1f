"""Projections: pure folds of an event stream into race state, standings and medals.

``Projection`` folds one event at a time (``apply``) into a ``ProjectionState`` and
derives every view from it on demand; ``project`` folds a whole stream, as of a
seq or a race time. The server's snapshots and the client SDK use the same code.
Rules live in one module each: ``marks`` (PB, SB, NR, CR, WL, WR), ``medals``,
``standings`` (places, result marks, what the result says: photo finish, winner
label), ``race_state`` (the running order and the gap rule), ``splits`` (the
splits table) and ``feed.timing`` (rounding, and every text a view shows).
"""

from feed.projections.fold import Projection, project
from feed.projections.medals import medal_table, race_counts, rank_nations
from feed.projections.state import ProjectionState
from feed.projections.views import (
    IncidentView,
    LapLeader,
    MedalAward,
    MedalRow,
    MedalTable,
    RaceStateView,
    RecordView,
    RunnerView,
    Snapshot,
    SplitCell,
    SplitRow,
    SplitsTable,
    StandingRow,
    Standings,
    StartListEntry,
)

__all__ = [
    "IncidentView",
    "LapLeader",
    "MedalAward",
    "MedalRow",
    "MedalTable",
    "Projection",
    "ProjectionState",
    "RaceStateView",
    "RecordView",
    "RunnerView",
    "Snapshot",
    "SplitCell",
    "SplitRow",
    "SplitsTable",
    "StandingRow",
    "Standings",
    "StartListEntry",
    "medal_table",
    "project",
    "race_counts",
    "rank_nations",
]
