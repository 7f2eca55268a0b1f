"""Projections: pure folds of an event stream into race state, standings and medals.

``Projection`` folds one event at a time (``apply``) into a ``ProjectionState`` and
derives every view from it on demand; ``project`` folds a whole stream, as of a
seq or a race time. The server's snapshots and the client SDK use the same code.
Rules live in one module each: ``marks`` (PB, SB, NR, CR, WL, WR), ``medals``,
``standings`` (places and result marks) and ``feed.timing`` (rounding).
"""

from feed.projections.fold import Projection, project
from feed.projections.medals import medal_table, race_counts, rank_nations
from feed.projections.state import ProjectionState
from feed.projections.views import (
    IncidentView,
    MedalAward,
    MedalRow,
    MedalTable,
    RaceStateView,
    RunnerView,
    Snapshot,
    StandingRow,
    Standings,
)

__all__ = [
    "IncidentView",
    "MedalAward",
    "MedalRow",
    "MedalTable",
    "Projection",
    "ProjectionState",
    "RaceStateView",
    "RunnerView",
    "Snapshot",
    "StandingRow",
    "Standings",
    "medal_table",
    "project",
    "race_counts",
    "rank_nations",
]
