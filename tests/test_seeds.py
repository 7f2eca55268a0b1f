"""Seeds hold the published facts behind each real scenario; the scenarios agree with them."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from feed.timing import format_time, parse_time

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.toml"))
REAL_SCENARIOS = [
    "tokyo-2025-m1500-final",
    "budapest-2023-m1500-final",
    "eugene-2022-m1500-final",
    "tokyo-2020-m1500-final",
]


def load(path: Path) -> dict[str, Any]:
    with path.open("rb") as file:
        return tomllib.load(file)


def test_every_real_scenario_has_a_seed() -> None:
    """Each scenario built from published results names the facts it came from."""
    seeded = {load(path)["seed"]["scenario"] for path in SEEDS}
    assert set(REAL_SCENARIOS) <= seeded


@pytest.mark.parametrize("seed_path", SEEDS, ids=lambda path: path.stem)
def test_a_seed_cites_only_sources_it_lists_with_a_confidence(seed_path: Path) -> None:
    """Every fact names known sources and a confidence of H, M or L."""
    seed = load(seed_path)
    source_ids = {source["id"] for source in seed["sources"]}
    assert all("publication" in source for source in seed["sources"])
    for fact in seed.get("facts", []):
        assert set(fact["sources"]) <= source_ids, fact["field"]
        assert fact["confidence"] in {"H", "M", "L"}, fact["field"]


@pytest.mark.parametrize("scenario_id", REAL_SCENARIOS)
def test_published_finish_times_match_the_scenario_readings_rounded_up(scenario_id: str) -> None:
    """A synthesised thousandth always rounds up to the published hundredth."""
    seed = load(ROOT / "seeds" / f"{scenario_id}.toml")
    athletes = {a["id"]: a for a in load(ROOT / "scenarios" / f"{scenario_id}.toml")["athletes"]}
    checked = 0
    for fact in seed["facts"]:
        parts = fact["field"].split(".")
        if parts[0] == "athletes" and parts[2:] == ["finish"] and _is_time(fact["value"]):
            athlete = athletes[parts[1]]
            assert format_time(parse_time(athlete["finish"])) == fact["value"], parts[1]
            checked += 1
    assert checked >= 9


@pytest.mark.parametrize("scenario_id", REAL_SCENARIOS)
def test_seed_facts_refer_to_athletes_in_the_scenario(scenario_id: str) -> None:
    """A fact about an athlete names an athlete the scenario has."""
    seed = load(ROOT / "seeds" / f"{scenario_id}.toml")
    athletes = {a["id"] for a in load(ROOT / "scenarios" / f"{scenario_id}.toml")["athletes"]}
    named = {
        fact["field"].split(".")[1]
        for fact in seed["facts"] + seed.get("synthesised", [])
        if fact["field"].startswith("athletes.")
    }
    assert named - {"*"} <= athletes


def _is_time(text: str) -> bool:
    try:
        parse_time(text)
    except ValueError:
        return False
    return True
