"""What a results screen says about the result: photo finish, winner label, colours, notes."""

from __future__ import annotations

from feed.projections import Standings, project
from tests.projections.builders import Stream, athlete


def _photo_race() -> Stream:
    """ann crosses first on the clock, bea 8 ms later; cat well behind; dot hurt and last."""
    stream = Stream()
    stream.schedule([athlete(1, "ann"), athlete(2, "bea", "KEN"), athlete(3, "cat", "POR"),
                     athlete(4, "dot", "NED")])  # fmt: skip
    stream.gun()
    stream.incident("dot", 900, "2:20.0", kind="injury", detail="calf")
    stream.finishes({"ann": "3:36.004", "bea": "3:36.012", "cat": "3:37.000", "dot": "4:10.000"})
    return stream


def _shown(standings: Standings) -> list[tuple[int | None, str, str | None, bool]]:
    return [(r.place, r.athlete_id, r.medal, r.under_review) for r in standings.rows]


def test_while_the_photo_is_under_review_nobody_is_winner_and_no_row_wears_a_medal() -> None:
    """The rows in the photo are flagged, the notice says so, places stay provisional."""
    stream = _photo_race()
    stream.photo_requested("ann", "bea")
    standings = project(stream.events).standings()
    assert standings.photo_finish == "under_review"
    assert standings.notice == "Photo finish - under review"
    assert standings.winner_label is None
    assert _shown(standings) == [
        (1, "ann", None, True), (2, "bea", None, True), (3, "cat", None, False),
        (4, "dot", None, False),
    ]  # fmt: skip
    state = project(stream.events).race_state()
    assert (state.photo_finish, state.under_review) == ("under_review", ["ann", "bea"])
    assert [runner.under_review for runner in state.order] == [True, True, False, False]


def test_a_photo_that_reverses_the_order_gives_the_new_winner_the_gold_and_both_thousandths() -> (
    None
):
    """bea is first by the photo; both are 3:36.01 officially, so the readings are shown."""
    stream = _photo_race()
    stream.photo_requested("ann", "bea")
    stream.photo({"bea": "3:36.006", "ann": "3:36.009"})
    standings = project(stream.events).standings()
    assert (standings.photo_finish, standings.notice) == ("resolved", None)
    assert _shown(standings)[:3] == [
        (1, "bea", "gold", False), (2, "ann", "silver", False), (3, "cat", "bronze", False),
    ]  # fmt: skip
    assert [(r.time, r.thousandths, r.gap_text) for r in standings.rows[:3]] == [
        ("3:36.01", "3:36.006", ""),
        ("3:36.01", "3:36.009", "+0.00"),
        ("3:37.00", None, "+0.99"),
    ]


def test_the_winner_label_follows_the_result_status() -> None:
    """First across the line while live, then unofficial, official, protested."""
    stream = _photo_race()
    labels = [project(stream.events).standings().winner_label]
    for status in ("unofficial", "official", "protested"):
        stream.status(status)  # type: ignore[arg-type]
        labels.append(project(stream.events).standings().winner_label)
    assert labels == ["First across the line", "Winner (unofficial)", "Winner",
                      "Winner (protested)"]  # fmt: skip
    assert project(stream.events).standings().notice == "Protest - result under review"


def test_before_anyone_finishes_there_is_no_winner_label() -> None:
    stream = Stream()
    stream.schedule([athlete(1, "ann")])
    stream.gun()
    assert project(stream.events).standings().winner_label is None


def test_the_injury_note_stays_on_the_final_result() -> None:
    """dot's calf is on his result row once official, beside his time."""
    stream = _photo_race()
    stream.status("official")
    dot = project(stream.events).standings().rows[-1]
    assert (dot.place, dot.time, dot.incident) == (4, "4:10.00", "injury: calf")


def test_a_disqualified_medallist_wears_no_colour_and_the_others_move_up() -> None:
    stream = _photo_race()
    stream.disqualify("ann")
    rows = project(stream.events).standings().rows
    assert [(r.athlete_id, r.medal, r.mark) for r in rows] == [
        ("bea", "gold", None), ("cat", "silver", None), ("dot", "bronze", None),
        ("ann", None, "DQ"),
    ]  # fmt: skip
