"""Golden tests: each built-in scenario at named checkpoints equals its checked-in record.

Checkpoints are found from the events themselves (each lap, the bell, the first
finish, every status change, the end), so a new scenario needs no list of its own.
After a deliberate change, regenerate with ``RACEFEED_REGEN_GOLDEN=1 pytest tests/golden``
and review the diff of ``tests/golden/expected/``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from feed.events import Event, ResultStatusChanged, SplitRecorded
from feed.io import catalog, load_scenario
from feed.projections import Projection, project

EXPECTED = Path(__file__).parent / "expected"
REGENERATE = os.environ.get("RACEFEED_REGEN_GOLDEN") == "1"
SCENARIOS = [entry.id for entry in catalog() if entry.kind != "invalid"]


def checkpoints(events: list[Event]) -> dict[str, int]:
    """Named seqs worth pinning down: laps, the bell, finishes, photos, status changes, the end."""
    named: dict[str, int] = {}
    distance = {e.race: e.data.race.distance_m for e in events if e.type == "race_scheduled"}  # type: ignore[union-attr]
    lap = {e.race: e.data.race.lap_m for e in events if e.type == "race_scheduled"}  # type: ignore[union-attr]
    for event in events:
        race = event.race
        if isinstance(event, SplitRecorded):
            metres = event.data.distance_m
            if metres == distance[race] - lap[race]:
                named.setdefault(f"{race}/bell", event.seq)
            elif metres % lap[race] == 0:
                named.setdefault(f"{race}/lap-{metres}m", event.seq)
        elif event.type == "athlete_finished":
            named.setdefault(f"{race}/first-finish", event.seq)
        elif isinstance(event, ResultStatusChanged):
            key = f"{race}/{event.data.status}"
            count = sum(1 for name in named if name.startswith(key))
            named[key if not count else f"{key}-{count + 1}"] = event.seq
        elif event.type in (
            "athlete_disqualified",
            "result_amended",
            "athlete_reinstated",
            "photo_finish_requested",
            "photo_finish_resolved",
        ):
            named.setdefault(f"{race}/{event.type}", event.seq)
    named["end"] = events[-1].seq
    return dict(sorted(named.items(), key=lambda item: item[1]))


def summary(projection: Projection, race: str | None) -> dict[str, object]:
    """What a results screen shows at one moment, in a diff-friendly shape."""
    state = projection.race_state(race)
    standings = projection.standings(race)
    return {
        "seq": projection.head_seq,
        "race": standings.race,
        "status": standings.status,
        "leader": state.leader,
        "laps_to_go": state.laps_to_go,
        "order": [runner.athlete_id for runner in state.order[:5]],
        "standings": [
            " ".join(str(part) for part in (
                row.place if row.place is not None else "-", row.athlete_id, row.time or "-",
                row.mark or "", ",".join(row.annotations),
            )).rstrip()
            for row in standings.rows
        ],
        "medals": [
            f"{row.rank} {row.nation} {row.gold}-{row.silver}-{row.bronze}"
            for row in projection.medal_table().rows
        ],
        "gaps": [runner.gap_text for runner in state.order[:5]],
        "splits": [
            f"{lead.distance_m} {lead.athlete_id} {lead.time_text} {lead.lap_text}"
            for lead in state.splits.leaders
        ],
        "photo_finish": standings.photo_finish,
        "headline": [standings.winner_label, standings.notice],
        "shown": [
            " ".join(part for part in (
                "-" if row.place is None else str(row.place), row.athlete_id, row.medal or "",
                row.thousandths or "", "under review" if row.under_review else "",
                row.incident or "",
            ) if part)
            for row in standings.rows
            if row.medal or row.thousandths or row.under_review or row.incident
        ],
    }  # fmt: skip


def record(scenario_id: str) -> dict[str, object]:
    events = load_scenario(scenario_id).events
    result: dict[str, object] = {}
    for name, seq in checkpoints(events).items():
        race = None if name == "end" else name.split("/")[0]
        result[name] = summary(project(events, until_seq=seq), race)
    return result


@pytest.mark.parametrize("scenario_id", SCENARIOS)
def test_projections_at_each_checkpoint_match_the_golden_record(scenario_id: str) -> None:
    """Race state, standings and medals at every checkpoint are as checked in."""
    path = EXPECTED / f"{scenario_id}.json"
    actual = record(scenario_id)
    if REGENERATE:
        path.write_text(json.dumps(actual, indent=1, ensure_ascii=False) + "\n")
    assert path.exists(), f"no golden record for {scenario_id}: run with RACEFEED_REGEN_GOLDEN=1"
    expected = json.loads(path.read_text())
    assert list(actual) == list(expected), "the checkpoints changed"
    for name in expected:
        assert actual[name] == expected[name], f"{scenario_id} at {name}"


def test_every_scenario_has_a_golden_record_and_no_record_is_orphaned() -> None:
    """The records on disk are exactly the catalog's scenarios."""
    assert sorted(p.stem for p in EXPECTED.glob("*.json")) == sorted(SCENARIOS)
