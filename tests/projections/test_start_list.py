"""Before the gun: the start list in its published order, with bests, and the records."""

from __future__ import annotations

from feed.io import load_scenario
from feed.projections import project
from tests.projections.builders import Stream, athlete, record


def test_the_start_list_keeps_its_order_and_writes_the_bests() -> None:
    stream = Stream()
    stream.schedule(
        [athlete(7, "ann", pb="3:29.05", sb="3:30.921"), athlete(3, "bea", "KEN")],
        records=[record("CR", "3:27.65"), record("NR", "3:30.00", "KEN")],
    )
    stream.dns("bea")
    state = project(stream.events).race_state()
    assert [(e.order, e.bib, e.athlete_id, e.pb_text, e.sb_text, e.dns)
            for e in state.start_list] == [
        (1, 7, "ann", "3:29.05", "3:30.93", False),
        (2, 3, "bea", "", "", True),
    ]  # fmt: skip
    assert [(r.kind, r.time_text, r.nation) for r in state.records] == [
        ("CR", "3:27.65", None),
        ("NR", "3:30.00", "KEN"),
    ]
    assert (state.status, state.clock_text) == ("start_list", "-0:29.0")


def test_the_tokyo_final_is_run_against_the_championship_record() -> None:
    events = load_scenario("tokyo-2025-m1500-final").events
    state = project(events, until_seq=1).race_state()
    assert len(state.start_list) == 14
    assert [(r.kind, r.time_text, r.holder) for r in state.records] == [
        ("CR", "3:27.65", "Hicham El Guerrouj")
    ]
