"""Result marks: PB, SB, NR, CR, WL, WR against official (rounded-up) times."""

from __future__ import annotations

from feed.events import Entrant, Record
from feed.projections import project
from feed.projections.marks import Performance, annotate
from tests.projections.builders import Stream, athlete, record


def _marks(
    entrants: list[Entrant], times: dict[str, str], records: list[Record] | None = None
) -> dict[str, list[str]]:
    stream = Stream()
    stream.schedule(entrants, records=records or [])
    stream.gun()
    stream.finishes(dict(times))
    return {r.athlete_id: r.annotations for r in project(stream.events).standings().rows}


def test_a_personal_best_is_marked_pb_and_not_also_sb() -> None:
    """Faster than both bests: PB only; faster than the SB only: SB; slower: nothing."""
    marks = _marks(
        [
            athlete(1, "ann", pb="3:31.00", sb="3:32.00"),
            athlete(2, "bea", pb="3:29.00", sb="3:33.00"),
            athlete(3, "cat", pb="3:29.00", sb="3:30.00"),
        ],
        {"ann": "3:30.50", "bea": "3:31.00", "cat": "3:32.00"},
    )
    assert marks == {"ann": ["PB"], "bea": ["SB"], "cat": []}


def test_marks_compare_the_rounded_up_official_time() -> None:
    """3:30.991 reads 3:31.00 officially: it equals a 3:31.00 best, so it is no PB."""
    marks = _marks([athlete(1, "ann", pb="3:31.00")], {"ann": "3:30.991"})
    assert marks == {"ann": []}
    marks = _marks([athlete(1, "ann", pb="3:31.00")], {"ann": "3:30.990"})
    assert marks == {"ann": ["PB"]}


def test_an_unknown_best_is_never_beaten() -> None:
    """No PB or SB on record: no PB or SB mark."""
    assert _marks([athlete(1, "ann")], {"ann": "3:40.0"}) == {"ann": []}


def test_a_national_record_goes_only_to_the_fastest_of_that_nation() -> None:
    """Both Kenyans beat the NR; only the faster one is marked NR."""
    marks = _marks(
        [athlete(1, "ken1", "KEN"), athlete(2, "ken2", "KEN"), athlete(3, "gbr1", "GBR")],
        {"ken1": "3:27.00", "ken2": "3:27.50", "gbr1": "3:28.00"},
        [record("NR", "3:28.00", "KEN"), record("NR", "3:27.90", "GBR")],
    )
    assert marks == {"ken1": ["NR"], "ken2": [], "gbr1": []}


def test_a_championship_record_goes_only_to_the_fastest_in_the_race() -> None:
    """Two under the CR: only the winner gets CR; a WL also goes only to the winner."""
    marks = _marks(
        [athlete(1, "ann", "NOR"), athlete(2, "bea", "KEN")],
        {"ann": "3:27.00", "bea": "3:27.20"},
        [record("CR", "3:27.65"), record("WL", "3:28.00"), record("WR", "3:26.00")],
    )
    assert marks == {"ann": ["CR", "WL"], "bea": []}


def test_athletes_equal_at_the_hundredth_share_a_record_mark() -> None:
    """3:27.001 and 3:27.009 are both 3:27.01 officially: both are the fastest."""
    marks = annotate(
        [Performance("ann", "NOR", 207_001), Performance("bea", "KEN", 207_009)],
        [record("CR", "3:27.65")],
    )
    assert marks == {"ann": ["CR"], "bea": ["CR"]}


def test_equalling_a_record_is_not_beating_it() -> None:
    """A record must be beaten: 3:27.65 against a 3:27.65 CR is no CR."""
    assert annotate([Performance("ann", "NOR", 207_650)], [record("CR", "3:27.65")]) == {"ann": []}


def test_disqualified_athletes_get_no_marks_and_do_not_block_the_fastest() -> None:
    """A disqualified winner loses the CR; the new fastest finisher gets it."""
    stream = Stream()
    stream.schedule([athlete(1, "ann"), athlete(2, "bea")], records=[record("CR", "3:28")])
    stream.gun()
    stream.finishes({"ann": "3:27.0", "bea": "3:27.5"})
    stream.disqualify("ann")
    rows = {r.athlete_id: r.annotations for r in project(stream.events).standings().rows}
    assert rows == {"ann": [], "bea": ["CR"]}
