"""Result marks: the one place that decides PB, SB, NR, CR, WL and WR.

Every comparison uses the official time (1/1000 rounded up to 1/100, see
``feed.timing``), and a record must be beaten, not equalled:

- ``PB``: faster than the athlete's personal best before the race.
- ``SB``: faster than the season's best, shown only when ``PB`` is not.
- ``NR``: faster than the national record of the athlete's nation, and the
  fastest of that nation in the race (equal official times share it).
- ``WR``, ``CR``, ``WL``: faster than that record, and the fastest in the race
  (equal official times share it).

Area records (``AR``) are not marked: an event holds no map from nation to area.
An unknown best (``None``) is never beaten. Annotations are listed in the order
WR, CR, WL, NR, PB, SB.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from feed.events import Record
from feed.timing import official_ms

__all__ = ["Performance", "annotate"]

_RACE_WIDE = ("WR", "CR", "WL")


class Performance(NamedTuple):
    """A finisher's time and bests, as marks need them."""

    athlete_id: str
    nation: str
    time_ms: int  # the 1/1000 reading
    pb_ms: int | None = None
    sb_ms: int | None = None


def annotate(
    performances: Sequence[Performance], records: Iterable[Record]
) -> dict[str, list[str]]:
    """The annotations of every finisher (by athlete id) against the race's records."""
    official = {p.athlete_id: official_ms(p.time_ms) for p in performances}
    if not official:
        return {}
    fastest = min(official.values())
    fastest_of: dict[str, int] = {}
    for p in performances:
        time = official[p.athlete_id]
        if time < fastest_of.get(p.nation, time + 1):
            fastest_of[p.nation] = time
    best: dict[str, int] = {}
    national: dict[str, int] = {}
    for record in records:
        if record.kind in _RACE_WIDE:
            best[record.kind] = min(best.get(record.kind, record.time_ms), record.time_ms)
        elif record.kind == "NR" and record.nation is not None:
            national[record.nation] = min(
                national.get(record.nation, record.time_ms), record.time_ms
            )
    marks: dict[str, list[str]] = {}
    for p in performances:
        time = official[p.athlete_id]
        found = [kind for kind in _RACE_WIDE if time == fastest and time < best.get(kind, time)]
        if time == fastest_of[p.nation] and time < national.get(p.nation, time):
            found.append("NR")
        if p.pb_ms is not None and time < p.pb_ms:
            found.append("PB")
        elif p.sb_ms is not None and time < p.sb_ms:
            found.append("SB")
        marks[p.athlete_id] = found
    return marks
