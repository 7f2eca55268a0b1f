"""``racefeed new``'s template: a complete race for any distance and field, valid as written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feed.events import AthleteFinished, RaceScheduled
from feed.projections import project
from feed.scenario import RaceSpec, compile_race, parse_scenario
from feed.scenario.template import MAX_ATHLETES, race_template, split_resolution


@settings(max_examples=60, deadline=None, print_blob=True)
@given(
    distance=st.one_of(st.sampled_from([100, 400, 800, 1500, 1609, 5000, 42_195]),
                       st.integers(1, 100_000)),
    athletes=st.integers(1, MAX_ATHLETES),
)  # fmt: skip
def test_the_template_validates_and_compiles_for_any_distance_and_field(
    distance: int, athletes: int
) -> None:
    """Every athlete finishes, in bib order, and the result goes official."""
    spec = parse_scenario(race_template("new-race", distance_m=distance, athletes=athletes),
                          "new-race.toml")  # fmt: skip
    assert isinstance(spec, RaceSpec)
    events = compile_race(spec)
    scheduled = next(e for e in events if isinstance(e, RaceScheduled))
    assert scheduled.data.race.distance_m == distance
    assert sum(isinstance(e, AthleteFinished) for e in events) == athletes
    standings = project(events).standings()
    assert standings.status == "official"
    assert [row.bib for row in standings.rows] == list(range(101, 101 + athletes))


def test_every_template_value_is_marked_synthetic() -> None:
    """Nothing in a template passes for a record: race and athletes say they are invented."""
    spec = parse_scenario(race_template("new-race", distance_m=800, athletes=3), "new-race.toml")
    assert isinstance(spec, RaceSpec)
    assert {"championship", "venue", "gun"} <= set(spec.race.synthetic)
    for athlete in spec.athletes:
        assert {"name", "nation", "splits", "finish"} <= set(athlete.synthetic)


@pytest.mark.parametrize(("distance", "every"), [(800, 100), (1500, 100), (110, 55), (1609, 1609)])
def test_the_split_resolution_divides_the_distance(distance: int, every: int) -> None:
    """Up to 100 m, never under 10 m: a prime distance has splits only at the finish."""
    assert split_resolution(distance) == every


def test_a_field_too_large_is_refused() -> None:
    """The template names at most MAX_ATHLETES athletes."""
    with pytest.raises(ValueError, match="athletes"):
        race_template("x", distance_m=800, athletes=MAX_ATHLETES + 1)
