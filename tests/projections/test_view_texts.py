"""No view text is negative or malformed: not in any built-in scenario, not in any generated race.

The built-in scenarios are walked at every seq (all of them, not a sample); hypothesis
then generates races in which the order changes between splits, photo finishes are
asked for and resolved in any order and times are amended, and checks every prefix.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feed.commentary import commentary_window
from feed.events import Event
from feed.io import catalog, load_scenario
from feed.narrative import Narrator
from feed.projections import Projection
from tests.projections.builders import Stream, athlete
from tests.projections.view_texts import problems

SCENARIOS = [entry.id for entry in catalog() if entry.kind != "invalid"]


def _every_prefix_problems(events: list[Event]) -> list[str]:
    """Fold ``events`` one at a time; the problems of every view at every seq."""
    projection = Projection()
    narrator = Narrator()
    found: list[str] = []
    for event in events:
        projection.apply(event)
        narrator.apply(event, projection)
        where = f"seq {event.seq}"
        for race in projection.race_ids():
            found += problems(projection.race_state(race), f"{where} race_state")
        found += problems(projection.all_standings(), f"{where} standings")
        found += problems(commentary_window(narrator.lines, event.seq), f"{where} commentary")
    return found


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_no_view_text_is_negative_or_malformed_at_any_seq_of_a_built_in_scenario(
    scenario_id: str,
) -> None:
    """Every time, gap, lap and clock text of every view, at every seq, is well formed."""
    assert _every_prefix_problems(load_scenario(scenario_id).events) == []


def test_the_tokyo_final_has_no_negative_gap_where_the_order_changes_between_splits() -> None:
    """Right after Nader finishes, those still at 1400 m are behind by zero or more, never less."""
    events = load_scenario("tokyo-2025-m1500-final").events
    finish = next(e.seq for e in events if e.type == "athlete_finished")
    projection = Projection()
    projection.apply_all(events[:finish])
    order = projection.race_state().order
    at_1400 = [runner for runner in order if runner.distance_m == 1400]
    assert at_1400[0].athlete_id == "wightman-jake"
    assert (at_1400[0].gap_ms, at_1400[0].gap_text) == (0, "+0.00")  # he led at 1400 m
    assert all(runner.gap_ms is not None and runner.gap_ms >= 0 for runner in at_1400)


@st.composite
def races(draw: st.DrawFn) -> list[Event]:
    """A race run split by split in time order (so the order changes between splits), then
    finishes, photo finishes asked for and resolved, amendments and status changes."""
    stream = Stream()
    size = draw(st.integers(2, 6))
    ids = [f"a{i}" for i in range(size)]
    stream.schedule(
        [
            athlete(bib, a, pb=draw(st.none() | st.integers(200_000, 220_000)))
            for bib, a in enumerate(ids, 1)
        ],
        records=[],
    )
    stream.gun()
    splits: list[tuple[int, str, int]] = []
    finish: dict[str, int] = {}
    for a in ids:
        elapsed = 0
        for distance in range(100, 1600, 100):
            elapsed += draw(st.integers(12_000, 16_000))
            if distance < 1500:
                splits.append((elapsed, a, distance))
            else:
                finish[a] = elapsed
    for elapsed, a, distance in sorted(splits):
        stream.split(a, distance, elapsed)
    for a in sorted(ids, key=lambda a: finish[a]):
        if draw(st.booleans()) or a == ids[0]:
            stream.finish(a, finish[a])
    finished = [a for a in ids if a in finish and any(
        e.type == "athlete_finished" and e.data.athlete_id == a  # type: ignore[union-attr]
        for e in stream.events
    )]  # fmt: skip
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["ask", "photo", "amend", "status"]))
        chosen = draw(st.lists(st.sampled_from(finished), min_size=1, max_size=3, unique=True))
        if action == "ask":
            stream.photo_requested(*chosen)
        elif action == "photo":
            base = min(finish[a] for a in chosen)
            stream.photo({a: base + draw(st.integers(0, 30)) for a in chosen})
        elif action == "amend":
            stream.amend(chosen[0], finish[chosen[0]] + draw(st.integers(-30, 30)), 1)
        else:
            stream.status(draw(st.sampled_from(["unofficial", "official", "protested"])))
    return stream.events


@settings(max_examples=150, deadline=None)
@given(events=races())
def test_no_view_text_is_negative_or_malformed_in_any_generated_race(events: list[Event]) -> None:
    """Order changes between splits, photos in any order and amendments never give garbage."""
    assert _every_prefix_problems(events) == []


def test_the_check_flags_the_garbage_negative_gaps_used_to_give() -> None:
    """The check itself fails on what the views once showed, and passes what they show now."""
    bad = {"order": [{"gap_text": "+-1:59:59.57", "gap_ms": -430}], "clock_text": "-0:05.0"}
    assert problems(bad) == [
        "$.clock_text = '-0:05.0' is negative after the gun",
        "$.order[0].gap_text = '+-1:59:59.57' is not a gap",
        "$.order[0].gap_ms = -430 is negative",
    ]
    good = {"clock_ms": -5000, "clock_text": "-0:05.0", "time": "3:34.10", "gap_text": "+0.02"}
    assert problems(good) == []
