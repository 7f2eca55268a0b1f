"""The start list and the records a race is run against, as published before the gun.

The start list keeps the order of ``race_scheduled`` (a 1500 m has no lanes: the
order is the published one). Bests before the race are written by ``feed.timing``;
an unknown best is an empty text, never a guess. Records keep the order of the
race's header (championship record, world lead ...).
"""

from __future__ import annotations

from feed.events import RaceInfo
from feed.projections.state import RaceFold
from feed.projections.views import RecordView, StartListEntry
from feed.timing import format_time

__all__ = ["records_of", "start_list_of"]


def start_list_of(race: RaceFold) -> list[StartListEntry]:
    """Every entrant in start-list order, with bib, nation, PB and SB."""
    return [
        StartListEntry(
            order=order,
            bib=runner.bib,
            athlete_id=runner.athlete_id,
            name=runner.name,
            nation=runner.nation,
            pb_ms=runner.pb_ms,
            pb_text="" if runner.pb_ms is None else format_time(runner.pb_ms),
            sb_ms=runner.sb_ms,
            sb_text="" if runner.sb_ms is None else format_time(runner.sb_ms),
            dns=runner.dns,
        )
        for order, runner in enumerate(race.runners.values(), start=1)
    ]


def records_of(info: RaceInfo) -> list[RecordView]:
    """The race's records, written."""
    return [
        RecordView(
            kind=record.kind,
            time_ms=record.time_ms,
            time_text=format_time(record.time_ms),
            holder=record.holder,
            nation=record.nation,
        )
        for record in info.records
    ]
