"""The README's Python test example runs as written, and the diff helpers name who differs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from feed.io import load_scenario
from feed.projections import project
from feed.pytest_plugin import Racefeed
from feed.testing import assert_standings, finishers, standings_diff

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_test_source() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    [source] = [block for block in blocks if "async def test_" in block]
    return str(source)


async def test_the_readme_test_example_passes_as_written(racefeed: Racefeed) -> None:
    """The example is executed verbatim with the plugin's ``racefeed`` fixture."""
    namespace: dict[str, Any] = {}
    exec(compile(_readme_test_source(), str(README), "exec"), namespace)
    tests = [value for key, value in namespace.items() if key.startswith("test_")]
    assert len(tests) == 1
    await tests[0](racefeed)


def test_finishers_keeps_only_placed_rows_of_a_mid_race_table() -> None:
    """Mid-race the reference holds runners still out; ``finishers`` leaves them out."""
    events = load_scenario("tokyo-2025-m1500-final").events
    first_finish = next(e.seq for e in events if e.type == "athlete_finished")
    standings = project(events, until_seq=first_finish).standings()
    assert len(standings.rows) > 1
    placed = finishers(standings)
    assert [row.place for row in placed] == [1]
    as_mappings = [{"place": row.place, "athlete_id": row.athlete_id} for row in standings.rows]
    assert finishers(as_mappings) == [as_mappings[0]]


def test_a_failing_diff_names_the_reference_row() -> None:
    """A wrong time is reported with the place and name of the athlete it belongs to."""
    standings = project(load_scenario("tokyo-2025-m1500-final").events).standings()
    shown = [{"place": r.place, "athlete_id": r.athlete_id, "time": r.time} for r in standings.rows]
    shown[1]["time"] = "3:34.13"
    lines = standings_diff(shown, standings, ("place", "athlete_id", "time"))
    assert lines[0].split() == ["row", "field", "client", "reference", "reference", "row"]
    assert lines[1].split() == [
        "2",
        "time",
        "3:34.13",
        "3:34.12",
        "place",
        "2,",
        "Jake",
        "Wightman",
    ]
    with pytest.raises(AssertionError, match="place 2, Jake Wightman"):
        assert_standings(shown, standings, ("place", "athlete_id", "time"))
