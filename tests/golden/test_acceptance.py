"""What the built-in races must show, checked through the command line's JSON."""

from __future__ import annotations

import json

import pytest

from feed.cli import main
from feed.io import load_scenario
from feed.projections import project


def standings_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["standings", "tokyo-2025-m1500-final", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_the_tokyo_final_result_is_the_published_one(capsys: pytest.CaptureFixture[str]) -> None:
    """Nader 3:34.10, Wightman 3:34.12, R. Cheruiyot 3:34.25 ... Kerr 14th in 4:11.23, official."""
    result = standings_json(capsys)
    rows = {row["place"]: row for row in result["rows"]}  # type: ignore[attr-defined]
    expected = {1: ("nader-isaac", "3:34.10"), 2: ("wightman-jake", "3:34.12"),
                3: ("cheruiyot-reynold", "3:34.25"), 10: ("gourley-neil", "3:35.56"),
                12: ("coscoran-andrew", "3:35.87"), 14: ("kerr-josh", "4:11.23")}  # fmt: skip
    for place, (athlete, time) in expected.items():
        assert (rows[place]["athlete_id"], rows[place]["time"]) == (athlete, time)
    assert result["status"] == "official"
    assert set(rows[1]) >= {"place", "athlete_id", "name", "nation", "time", "time_ms", "mark",
                            "annotations"}  # fmt: skip


@pytest.mark.parametrize(("race_ms", "leader"), [(60_000, "laros-niels"),
                                                 (120_500, "cheruiyot-timothy")])  # fmt: skip
def test_a_little_after_each_lap_the_right_athlete_leads(
    capsys: pytest.CaptureFixture[str], race_ms: int, leader: str
) -> None:
    """Just after 400 m Laros leads; just after 800 m Timothy Cheruiyot does."""
    result = standings_json(capsys, "--at-race-ms", str(race_ms))
    assert result["status"] == "live"
    assert result["rows"][0]["athlete_id"] == leader  # type: ignore[index]
    assert result["rows"][0]["place"] is None  # type: ignore[index]


def test_a_late_disqualification_changes_the_championship_medal_table() -> None:
    """In the championship, a medallist's DQ after the result was official re-ranks the nations."""
    events = load_scenario("tokyo-2025-championship").events
    dq = next(e for e in events if e.type == "athlete_disqualified")
    before = project(events, until_seq=dq.seq - 1).medal_table()
    after = project(events, until_seq=dq.seq).medal_table()
    assert before != after
    loser = next(a for a in before.awards if a.athlete_id == dq.data.athlete_id)  # type: ignore[union-attr]
    assert all(a.athlete_id != loser.athlete_id for a in after.awards)
    assert sum(r.total for r in after.rows) == sum(r.total for r in before.rows)


def test_the_championship_table_has_a_shared_rank() -> None:
    """Nations with identical gold, silver and bronze counts share a rank."""
    rows = project(load_scenario("tokyo-2025-championship").events).medal_table().rows
    ranks = [row.rank for row in rows]
    assert len(set(ranks)) < len(ranks)
