"""The medal table: which races count, who gets which medal, how nations rank."""

from __future__ import annotations

from feed.events import AthleteFinished
from feed.projections import MedalTable, Projection, project, rank_nations
from tests.projections.builders import Stream, athlete


def _medals(table: MedalTable) -> list[tuple[str, str, str]]:
    return [(a.race, a.medal, a.athlete_id) for a in table.awards]


def _race(stream: Stream, race: str, results: dict[str, tuple[str, str]]) -> None:
    """Schedule, run and make official one race: results maps athlete -> (nation, time)."""
    entrants = [athlete(bib, a, nation) for bib, (a, (nation, _)) in enumerate(results.items(), 1)]
    stream.schedule(entrants, race=race)
    stream.gun(race=race)
    stream.finishes({a: time for a, (_, time) in results.items()}, race=race)
    stream.status("official", race=race)


def test_nations_rank_by_gold_then_silver_then_bronze_and_equal_rows_share_a_rank() -> None:
    """Ranks go 1, 2, 2, 4; nations equal on every count are listed by code."""
    rows = rank_nations({"KEN": (1, 0, 0), "NOR": (0, 1, 1), "ESP": (0, 1, 1), "GBR": (0, 1, 0)})
    assert [(r.rank, r.nation, r.total) for r in rows] == [
        (1, "KEN", 1),
        (2, "ESP", 2),
        (2, "NOR", 2),
        (4, "GBR", 1),
    ]


def test_one_silver_outranks_any_number_of_bronzes() -> None:
    """Counts compare gold first, then silver, then bronze, not the total."""
    rows = rank_nations({"AAA": (0, 0, 5), "BBB": (0, 1, 0)})
    assert [r.nation for r in rows] == ["BBB", "AAA"]


def test_a_championship_table_counts_every_official_race() -> None:
    """Two races: medals add up by nation and both races are counted."""
    stream = Stream()
    _race(stream, "m1500", {"a": ("POR", "3:34.1"), "b": ("GBR", "3:34.2"), "c": ("KEN", "3:35")})
    _race(stream, "m800", {"d": ("GBR", "1:44.0"), "e": ("KEN", "1:44.5"), "f": ("USA", "1:45")})
    table = project(stream.events).medal_table()
    assert table.races_counted == ["m1500", "m800"]
    assert [(r.rank, r.nation, r.gold, r.silver, r.bronze) for r in table.rows] == [
        (1, "GBR", 1, 1, 0),
        (2, "POR", 1, 0, 0),
        (3, "KEN", 0, 1, 1),
        (4, "USA", 0, 0, 1),
    ]


def test_a_dead_heat_for_gold_gives_two_golds_and_no_silver() -> None:
    """Equal at 1/1000 for first: two golds, then bronze for the next athlete."""
    stream = Stream()
    _race(stream, "r", {"a": ("POR", "3:34.100"), "b": ("GBR", "3:34.100"), "c": ("KEN", "3:35")})
    assert _medals(project(stream.events).medal_table()) == [
        ("r", "gold", "a"),
        ("r", "gold", "b"),
        ("r", "bronze", "c"),
    ]


def test_a_dead_heat_for_bronze_gives_two_bronzes() -> None:
    """Two athletes share third: both get bronze, and fifth gets nothing."""
    stream = Stream()
    _race(
        stream,
        "r",
        {"a": ("POR", "3:34"), "b": ("GBR", "3:35"), "c": ("KEN", "3:36"), "d": ("NED", "3:36")},
    )
    assert [m for _, m, _ in _medals(project(stream.events).medal_table())] == [
        "gold", "silver", "bronze", "bronze",
    ]  # fmt: skip


def test_a_race_counts_only_once_official() -> None:
    """Live and unofficial results give no medals; official ones do."""
    stream = Stream()
    stream.schedule([athlete(1, "a", "POR"), athlete(2, "b", "GBR")])
    stream.gun()
    stream.finishes({"a": "3:34", "b": "3:35"})
    assert project(stream.events).medal_table().races_counted == []
    stream.status("unofficial")
    assert project(stream.events).medal_table().rows == []
    stream.status("official")
    assert project(stream.events).medal_table().races_counted == ["final"]


def test_a_protested_race_keeps_counting_only_if_it_had_been_official() -> None:
    """Protested after official: still counted; protested while unofficial: not counted."""
    after = Stream()
    after.schedule([athlete(1, "a", "POR")])
    after.gun()
    after.finish("a", "3:34")
    after.status("official")
    after.status("protested")
    assert project(after.events).medal_table().races_counted == ["final"]
    before = Stream()
    before.schedule([athlete(1, "a", "POR")])
    before.gun()
    before.finish("a", "3:34")
    before.status("unofficial")
    before.status("protested")
    assert project(before.events).medal_table().races_counted == []


def test_a_medallist_disqualified_after_the_result_is_official_loses_the_medal() -> None:
    """The gold medallist is disqualified on appeal: silver moves to gold, 4th gets bronze."""
    stream = Stream()
    _race(
        stream,
        "r",
        {"a": ("USA", "3:34"), "b": ("GBR", "3:35"), "c": ("KEN", "3:36"), "d": ("NED", "3:37")},
    )
    projection = Projection()
    projection.apply_all(stream.events)
    assert projection.medal_table().rows[0].nation == "USA"
    stream.status("protested", race="r")
    stream.disqualify("a", "TR17.1.2", race="r")
    projection.apply_all(stream.events[projection.head_seq :])
    table = projection.medal_table()
    assert _medals(table) == [("r", "gold", "b"), ("r", "silver", "c"), ("r", "bronze", "d")]
    assert [r.nation for r in table.rows] == ["GBR", "KEN", "NED"]


def test_an_amendment_after_official_re_ranks_the_medals() -> None:
    """A corrected time that moves an athlete from 4th to 2nd moves the medals too."""
    stream = Stream()
    _race(
        stream,
        "r",
        {"a": ("USA", "3:34"), "b": ("GBR", "3:35"), "c": ("KEN", "3:36"), "d": ("NED", "3:37")},
    )
    finish_d = next(
        e for e in stream.events if isinstance(e, AthleteFinished) and e.data.athlete_id == "d"
    )
    stream.amend("d", "3:34.5", supersedes=finish_d.seq, race="r")
    assert _medals(project(stream.events).medal_table()) == [
        ("r", "gold", "a"),
        ("r", "silver", "d"),
        ("r", "bronze", "b"),
    ]
