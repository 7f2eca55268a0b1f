"""Medal rules: the one place that decides which races count and who gets which medal.

- A race counts once its result is official, and keeps counting while it is
  protested after having been official; a race that is only unofficial does not.
- Place 1 is gold, 2 silver, 3 bronze, read from the standings: a dead heat for
  gold gives two golds and no silver (the next place is 3); two bronzes and no 4th.
  A disqualification or amendment re-ranks the standings, so medals move at once.
- Nations are ranked by golds, then silvers, then bronzes; equal rows share a rank
  (1, 2, 2, 4) and are listed by nation code. Only nations with a medal are listed.
- A race that is given twice (the same race id) counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from feed.events import ResultStatus
from feed.projections.views import Medal, MedalAward, MedalRow, MedalTable, Standings

__all__ = ["MEDAL_FOR_PLACE", "medal_table", "race_counts", "rank_nations"]

MEDAL_FOR_PLACE: dict[int, Medal] = {1: "gold", 2: "silver", 3: "bronze"}


def race_counts(status: ResultStatus, been_official: bool) -> bool:
    """Whether a race with this status (and history) counts in the medal table."""
    return status == "official" or (status == "protested" and been_official)


def medal_table(counted: Iterable[Standings]) -> MedalTable:
    """The medal table over the standings of races that count (see ``race_counts``)."""
    awards: list[MedalAward] = []
    races: list[str] = []
    for standings in counted:
        if standings.race in races:
            continue
        races.append(standings.race)
        for row in standings.rows:
            medal = MEDAL_FOR_PLACE.get(row.place) if row.place is not None else None
            if medal is not None and row.mark is None:
                awards.append(
                    MedalAward(
                        race=standings.race,
                        medal=medal,
                        athlete_id=row.athlete_id,
                        name=row.name,
                        nation=row.nation,
                    )
                )
    tally: dict[str, list[int]] = {}
    for award in awards:
        counts = tally.setdefault(award.nation, [0, 0, 0])
        counts[("gold", "silver", "bronze").index(award.medal)] += 1
    return MedalTable(
        rows=rank_nations({nation: (g, s, b) for nation, (g, s, b) in tally.items()}),
        awards=awards,
        races_counted=races,
    )


def rank_nations(tally: Mapping[str, tuple[int, int, int]]) -> list[MedalRow]:
    """Rows ranked by golds, silvers, bronzes; equal counts share a rank, listed by nation."""
    ordered = sorted(
        tally.items(), key=lambda item: (-item[1][0], -item[1][1], -item[1][2], item[0])
    )
    rows: list[MedalRow] = []
    rank = 0
    previous: tuple[int, int, int] | None = None
    for index, (nation, counts) in enumerate(ordered, start=1):
        if counts != previous:
            rank, previous = index, counts
        gold, silver, bronze = counts
        rows.append(
            MedalRow(
                rank=rank,
                nation=nation,
                gold=gold,
                silver=silver,
                bronze=bronze,
                total=gold + silver + bronze,
            )
        )
    return rows
