"""The fold's state: plain mutable msgspec Structs, enough to keep folding after a JSON round trip.

A ``ProjectionState`` is what a snapshot carries: a client decodes it, hands it to
``Projection.from_state`` and applies the events that follow. It holds facts only
(latest split, current time reading, marks); places, orders and medals are derived
from it on demand by the view modules.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

from feed.events import IncidentKind, RaceInfo, ResultStatus

__all__ = [
    "STATE_VERSION",
    "DisqualificationFold",
    "IncidentFold",
    "Outcome",
    "ProjectionState",
    "RaceFold",
    "RunnerFold",
    "incident_notes",
    "latest_split",
    "outcome",
    "photo_finish_of",
]

STATE_VERSION = 1
"""Bumped when a field changes meaning; new fields get defaults instead."""

Outcome: TypeAlias = Literal["dq", "dnf", "finished", "dns", "running"]
PhotoFinish: TypeAlias = Literal["none", "under_review", "resolved"]


class DisqualificationFold(msgspec.Struct, kw_only=True):
    """A disqualification in force: the seq that imposed it and the rule."""

    seq: int
    rule: str


class IncidentFold(msgspec.Struct, kw_only=True):
    """An incident as it was recorded."""

    seq: int
    race_ms: int
    athlete_id: str
    distance_m: int
    kind: IncidentKind
    detail: str = ""
    continues: bool = True


class RunnerFold(msgspec.Struct, kw_only=True):
    """One entrant of one race, as the events so far leave them.

    Attributes:
        splits: race time at every split distance (the latest split is the furthest;
            gaps are taken at equal distance).
        estimated: the split distances whose time is an estimate, not a measurement.
        finish_ms: the current 1/1000 reading: the latest of the finish, a photo
            finish reading and amendments.
        dnf_seq: the seq of the ``athlete_did_not_finish`` in force.
        disqualifications: those in force (a reinstatement removes one).
    """

    athlete_id: str
    bib: int
    name: str
    nation: str
    pb_ms: int | None = None
    sb_ms: int | None = None
    splits: dict[int, int] = {}
    estimated: set[int] = set()
    finish_ms: int | None = None
    dnf_seq: int | None = None
    dns: bool = False
    disqualifications: list[DisqualificationFold] = []


class RaceFold(msgspec.Struct, kw_only=True):
    """One race: its header, its status and its runners (in start-list order).

    Attributes:
        clock_ms: race time of the latest event of this race.
        been_official: the result has been official at least once (medals keep
            counting through a later protest).
        photo_asked: a photo finish has been asked for (or resolved) in this race.
        under_review: athletes in a photo finish asked for and not yet resolved.
    """

    race: str
    info: RaceInfo
    status: ResultStatus = "start_list"
    clock_ms: int = 0
    been_official: bool = False
    runners: dict[str, RunnerFold] = {}
    incidents: list[IncidentFold] = []
    photo_asked: bool = False
    under_review: list[str] = []


class ProjectionState(msgspec.Struct, kw_only=True):
    """Every race of one stream, in the order they were scheduled, and the last seq applied."""

    version: int = STATE_VERSION
    head_seq: int = 0
    races: dict[str, RaceFold] = {}


def outcome(runner: RunnerFold) -> Outcome:
    """Where an athlete stands: DQ beats DNF, which beats a time in force, which beats DNS."""
    if runner.disqualifications:
        return "dq"
    if runner.dnf_seq is not None:
        return "dnf"
    if runner.finish_ms is not None:
        return "finished"
    if runner.dns:
        return "dns"
    return "running"


def latest_split(runner: RunnerFold) -> tuple[int, int | None]:
    """The furthest split: (metres, race time there), or ``(0, None)`` before any."""
    splits = runner.splits
    if not splits:
        return 0, None
    furthest = max(splits)
    return furthest, splits[furthest]


def photo_finish_of(race: RaceFold) -> PhotoFinish:
    """Where the race's photo finish stands: none asked for, under review, or resolved."""
    if race.under_review:
        return "under_review"
    return "resolved" if race.photo_asked else "none"


def incident_notes(race: RaceFold) -> dict[str, str]:
    """Each athlete's latest incident as screens show it: ``"injury: calf"``."""
    notes: dict[str, str] = {}
    for incident in race.incidents:
        kind = incident.kind
        notes[incident.athlete_id] = f"{kind}: {incident.detail}" if incident.detail else kind
    return notes
