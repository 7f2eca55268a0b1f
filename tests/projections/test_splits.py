"""The splits table: the leader and lap at each lap mark, and every athlete's splits."""

from __future__ import annotations

from feed.io import load_scenario
from feed.projections import project
from feed.projections.splits import split_marks
from tests.projections.builders import Stream, athlete


def test_the_marks_are_each_lap_then_the_finish() -> None:
    assert split_marks(1500, 400) == [400, 800, 1200, 1500]
    assert split_marks(800, 400) == [400, 800]
    assert split_marks(5000, 400)[-2:] == [4800, 5000]


def test_the_tokyo_final_is_led_by_laros_then_timothy_cheruiyot_with_a_fast_third_lap() -> None:
    """59.50 at 400 m, 1:59.88 at 800 m, a 55.50 third lap, Nader first at the line."""
    splits = project(load_scenario("tokyo-2025-m1500-final").events).race_state().splits
    assert [(lead.distance_m, lead.athlete_id, lead.time_text, lead.lap_text)
            for lead in splits.leaders] == [
        (400, "laros-niels", "59.50", "59.50"),
        (800, "cheruiyot-timothy", "1:59.88", "1:00.38"),
        (1200, "cheruiyot-timothy", "2:55.38", "55.50"),
        (1500, "nader-isaac", "3:34.10", "38.72"),
    ]  # fmt: skip
    nader = next(row for row in splits.rows if row.athlete_id == "nader-isaac")
    assert [cell.position for cell in nader.cells] == [8, 7, 6, 1]  # 7th at 800 m, as reported
    assert [cell.time_text for cell in nader.cells] == ["1:00.28", "2:00.52", "2:55.84", "3:34.10"]
    assert [cell.lap_text for cell in nader.cells] == ["1:00.28", "1:00.24", "55.32", "38.26"]
    assert splits.rows[0].athlete_id == "nader-isaac"  # rows follow the running order


def test_while_running_the_cells_ahead_are_empty_and_non_starters_are_left_out() -> None:
    stream = Stream()
    stream.schedule([athlete(1, "ann"), athlete(2, "bea"), athlete(3, "cat")])
    stream.dns("cat")
    stream.gun()
    stream.split("bea", 400, "59.000")
    stream.split("ann", 400, "59.400")
    stream.split("bea", 800, "1:59.500")
    splits = project(stream.events).race_state().splits
    assert [row.athlete_id for row in splits.rows] == ["bea", "ann"]
    assert [(c.time_text, c.position) for c in splits.rows[1].cells] == [
        ("59.40", 2), ("", None), ("", None), ("", None),
    ]  # fmt: skip
    assert [lead.distance_m for lead in splits.leaders] == [400, 800]


def test_a_lap_whose_readings_go_backwards_is_left_empty_not_negative() -> None:
    """Only inconsistent events can do it (an amendment below a split): show nothing."""
    stream = Stream()
    stream.schedule([athlete(1, "ann")])
    stream.gun()
    stream.split("ann", 1200, "2:55.000")
    finish = stream.finish("ann", "3:35.000")
    stream.amend("ann", "2:50.000", finish.seq)
    cell = project(stream.events).race_state().splits.rows[0].cells[-1]
    assert (cell.time_text, cell.lap_ms, cell.lap_text) == ("2:50.00", None, "")
