"""A championship session: the events of all its races merged into one stream.

Each race keeps its own race clock and its own ``race`` id; the merged stream is
ordered by ``at`` (the absolute time), then by the order the file lists the races,
then by each race's own order, and renumbered 1, 2, 3 ... Corrections are pointed
at the new seq of what they supersede.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import msgspec

from feed.errors import ScenarioError, ScenarioInvalid
from feed.events import AthleteReinstated, Event, ResultAmended
from feed.scenario.compile import compile_race
from feed.scenario.model import ChampionshipSpec, RaceSpec

__all__ = ["compile_championship"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def compile_championship(spec: ChampionshipSpec, races: Mapping[str, RaceSpec]) -> list[Event]:
    """All the races' events in one stream, merged by ``at`` and then by race order.

    Raises:
        ScenarioInvalid: a race named in ``spec`` is missing from ``races``, is named
            twice, or has problems of its own.
    """
    header = spec.scenario
    errors: list[ScenarioError] = []
    seen: set[str] = set()
    for index, race_id in enumerate(header.races):
        field = f"scenario.races[{index}]"
        if race_id in seen:
            errors.append(
                ScenarioError(header.id, f"race {race_id!r} is listed twice", field=field)
            )
        elif race_id not in races:
            errors.append(ScenarioError(header.id, f"race {race_id!r} not found", field=field))
        elif races[race_id].scenario.id != race_id:
            found = races[race_id].scenario.id
            message = f"race {race_id!r} is given a spec whose id is {found!r}"
            errors.append(ScenarioError(header.id, message, field=field))
        seen.add(race_id)
    if errors:
        raise ScenarioInvalid(errors)
    merged: list[tuple[int, int, int, Event]] = []
    for order, race_id in enumerate(header.races):
        race = races[race_id]
        gun = race.race.gun or race.race.scheduled_start
        gun_ms = (gun - _EPOCH) // timedelta(milliseconds=1)
        for event in compile_race(race, stream=header.id):
            merged.append((gun_ms + event.race_ms, order, event.seq, event))
    merged.sort(key=lambda item: item[:3])
    renumbered: dict[tuple[str, int], int] = {}
    events: list[Event] = []
    for seq, (_, _, old_seq, event) in enumerate(merged, start=1):
        renumbered[(event.race, old_seq)] = seq
        events.append(_renumber(event, seq, renumbered))
    return events


def _renumber(event: Event, seq: int, renumbered: Mapping[tuple[str, int], int]) -> Event:
    """Give ``event`` its championship seq, and its correction the new seq it supersedes."""
    match event:
        case AthleteReinstated() | ResultAmended():
            new = renumbered[(event.race, event.data.supersedes)]
            data = msgspec.structs.replace(event.data, supersedes=new)
            return msgspec.structs.replace(event, seq=seq, data=data)
        case _:
            return msgspec.structs.replace(event, seq=seq)
