"""A real race that is not in the catalog: the Paris 2024 men's 800 m final, from its table.

The published places and times are in ``seeds/paris-2024-m800-final.toml`` with their
sources; the table is ``docs/examples/results/``. Imported, validated, compiled and
replayed over a real websocket, it gives those places and times back.
"""

from __future__ import annotations

import contextlib
import io
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from feed.cli import main
from feed.client import connect
from feed.events import SplitRecorded
from feed.io import load_scenario
from feed.projections import project
from feed.server import SessionSpec, run_server

ROOT = Path(__file__).parents[2]
TABLES = ROOT / "docs" / "examples" / "results"
SEED = ROOT / "seeds" / "paris-2024-m800-final.toml"
DETAILS = [
    "--championship", "Olympic Games Paris 2024", "--event", "Men's 800 metres",
    "--round", "Final", "--venue", "Stade de France, Saint-Denis",
    "--scheduled-start", "2024-08-10T19:05:00+02:00",
]  # fmt: skip


def published() -> list[tuple[int, str, str]]:
    """(place, athlete id, time) as the seed's sources give them, in place order."""
    facts = tomllib.loads(SEED.read_text())["facts"]
    found: dict[str, dict[str, str]] = {}
    for fact in facts:
        parts = fact["field"].split(".")
        if parts[0] != "athletes" or len(parts) != 3:
            continue
        _, athlete, what = parts
        if what in ("place", "finish") and fact["value"][0].isdigit():
            found.setdefault(athlete, {})[what] = fact["value"]
    rows = [(int(f["place"]), athlete, f["finish"]) for athlete, f in found.items()]
    return sorted(rows)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(params=["csv", "lif"])
def scenario(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The race imported from its table (CSV, or the FinishLynx file of the same race)."""
    path = tmp_path / "paris-2024-m800-final.toml"
    table = TABLES / f"paris-2024-m800-final.{request.param}"
    code, _, said = run("import", str(table), "-o", str(path), *DETAILS)
    assert code == 0, said
    return path


def test_the_seed_lists_the_whole_final() -> None:
    """Eight finishers, places 1 to 8, each time from at least one source."""
    assert [place for place, _, _ in published()] == list(range(1, 9))


def test_the_imported_final_validates_and_gives_back_its_published_result(
    scenario: Path,
) -> None:
    """racefeed validate, then racefeed standings --json: the published places and times."""
    code, _, said = run("validate", str(scenario))
    assert code == 0 and "warning" not in said, said
    code, out, said = run("standings", str(scenario), "--json")
    assert code == 0, said
    standings: dict[str, Any] = json.loads(out)
    assert standings["status"] == "official"
    rows = [(row["place"], row["athlete_id"], row["time"]) for row in standings["rows"]]
    assert rows == published()


def test_only_the_published_splits_are_measured(scenario: Path) -> None:
    """The leader's 400 m and 600 m from the CSV are measurements; every other split is not."""
    splits = [e.data for e in load_scenario(str(scenario)).events if isinstance(e, SplitRecorded)]
    measured = {(s.athlete_id, s.distance_m, s.elapsed_ms) for s in splits if not s.estimated}
    if scenario.read_text().count("splits = "):
        assert measured == {("wanyonyi-emmanuel", 400, 50_280), ("wanyonyi-emmanuel", 600, 75_500)}
    else:  # the .lif carries no splits
        assert measured == set()
    for distance in (100, 200, 300, 500, 700):
        at = sorted((s.elapsed_ms, s.athlete_id) for s in splits if s.distance_m == distance)
        assert at[0][1] == "wanyonyi-emmanuel", distance  # he led from the gun to the line


async def test_the_imported_final_replays_to_its_published_result(scenario: Path) -> None:
    """Served by racefeed and followed by the SDK, the race ends with the published result."""
    spec = SessionSpec(name="main", scenario=str(scenario), speed="instant")
    async with run_server(sessions=[spec]) as server, connect(server.url) as feed:
        await feed.wait_until(
            lambda f: f.standings().status == "official", timeout=30, what="the official result"
        )
        rows = [(row.place, row.athlete_id, row.time) for row in feed.standings().rows]
    assert rows == published()


def test_the_race_state_says_when_a_runners_latest_split_is_an_estimate(tmp_path: Path) -> None:
    """At Wanyonyi's measured 400 m he is timed; a split later, he is estimated again."""
    path = tmp_path / "paris-2024-m800-final.toml"
    table = TABLES / "paris-2024-m800-final.csv"
    assert run("import", str(table), "-o", str(path), *DETAILS)[0] == 0
    events = load_scenario(str(path)).events
    seqs = {
        (e.data.distance_m, e.data.athlete_id): e.seq
        for e in events
        if isinstance(e, SplitRecorded)
    }
    for distance, estimated in ((300, True), (400, False), (500, True)):
        state = project(events, until_seq=seqs[(distance, "wanyonyi-emmanuel")]).race_state()
        leader = state.order[0]
        assert (leader.athlete_id, leader.distance_m) == ("wanyonyi-emmanuel", distance)
        assert leader.estimated is estimated, distance
