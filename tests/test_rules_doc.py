"""docs/rules.md: every worked example on the page, run through the real code.

Each ```json example``` block names a ``check``; the block is turned into events (or
calls) and the result compared with its ``expect``, so the page cannot drift from
the projection, the timing rules or the replay clock.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from feed import codec
from feed.events import Event
from feed.projections import Projection, medal_table
from feed.projections.views import Standings
from feed.replay import Replay
from feed.timing import format_gap, format_time, official_ms, parse_time
from tests.kit.races import make_race

Json = Any
DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
_BLOCK = re.compile(r"```json example\n(.*?)```", re.DOTALL)


def _examples() -> list[Json]:
    return [json.loads(text) for text in _BLOCK.findall(DOC.read_text(encoding="utf-8"))]


def _race_events(race_id: str, example: Json) -> list[Event]:
    """The example's race as a stream: schedule, gun, then its events in order."""
    info = {
        "championship": "Rules",
        "event": "Men's 1500 metres",
        "round": "Final",
        "venue": "Doc Stadium",
        "scheduled_start": "2025-09-17T22:20:00+09:00",
        "distance_m": 1500,
        "records": example.get("records", []),
        **example.get("race", {}),
    }
    start_list = []
    for entry in example["start_list"]:
        bib, nation, *bests = [*entry, None, None][:4]
        start_list.append(
            {
                "bib": bib,
                "athlete_id": f"a{bib}",
                "name": f"Runner {bib}",
                "nation": nation,
                "pb_ms": bests[0],
                "sb_ms": bests[1],
            }
        )
    pairs: list[tuple[str, Json]] = [
        ("race_scheduled", {"race": info, "start_list": start_list}),
        ("race_started", {}),
        *[(kind, data) for kind, data in example.get("events", [])],
    ]
    events = []
    for seq, (kind, data) in enumerate(pairs, start=1):
        race_ms = -30_000 if kind == "race_scheduled" else int(data.get("elapsed_ms", 0))
        envelope = {
            "type": kind,
            "seq": seq,
            "stream": race_id,
            "race": race_id,
            "race_ms": race_ms,
            "at": "2025-09-17T13:20:40.000Z",
            "data": data,
        }
        events.append(codec.decode(json.dumps(envelope)))
    return events


def _standings(example: Json) -> Json:
    projection = Projection()
    projection.apply_all(_race_events("race-1", example))
    standings: Standings = projection.standings()
    return msgspec.to_builtins(standings)


def _check_timing(example: Json) -> None:
    for reading, written in example["times"]:
        assert format_time(parse_time(reading)) == written, reading
    for first, other, gap in example["gaps"]:
        amount = official_ms(parse_time(other)) - official_ms(parse_time(first))
        assert format_gap(amount) == gap, (first, other)


def _check_standings(example: Json) -> None:
    got = _standings(example)
    expect = dict(example["expect"])
    rows = expect.pop("rows", None)
    for key, value in expect.items():
        assert got[key] == value, key
    if rows is not None:
        assert len(got["rows"]) == len(rows)
        for want, row in zip(rows, got["rows"], strict=True):
            assert {key: row[key] for key in want} == want


def _check_medals(example: Json) -> None:
    counted = []
    for number, race in enumerate(example["races"], start=1):
        events = [
            ["athlete_finished", {"athlete_id": a, "elapsed_ms": ms}] for a, ms in race["finish"]
        ]
        events.append(["result_status_changed", {"status": "unofficial"}])
        if race["status"] == "official":
            events.append(["result_status_changed", {"status": "official"}])
        projection = Projection()
        projection.apply_all(_race_events(f"race-{number}", {**race, "events": events}))
        counted.extend(projection.counted_standings())
    table = msgspec.to_builtins(medal_table(counted))
    expect = example["expect"]
    assert table["rows"] == expect["rows"]
    assert [[a["race"], a["medal"], a["nation"]] for a in table["awards"]] == expect["awards"]
    assert table["races_counted"] == expect["races_counted"]


def _check_replay(example: Json) -> None:
    for case in example["cases"]:
        replay = Replay(make_race(athletes=1, split_m=1500)[:3], speed="instant")
        states = []
        for op in case["ops"]:
            match op.split():
                case ["play"]:
                    replay.play(0.0)
                case ["pause"]:
                    replay.pause(0.0)
                case ["drain"]:
                    replay.due(0.0)
                case ["seek", seq]:
                    replay.seek_seq(int(seq), 0.0)
                case _:
                    raise AssertionError(f"unknown op {op!r}")
            states.append(replay.state)
        assert states == case["states"], case["ops"]


_CHECKS = {
    "timing": _check_timing,
    "standings": _check_standings,
    "medals": _check_medals,
    "replay": _check_replay,
}


def test_the_page_has_an_example_for_every_kind_of_rule() -> None:
    kinds = [example["check"] for example in _examples()]
    assert set(kinds) == set(_CHECKS)
    assert kinds.count("standings") >= 4


@pytest.mark.parametrize("example", _examples(), ids=lambda e: str(e["check"]))
def test_worked_example_holds(example: Json) -> None:
    _CHECKS[example["check"]](example)


def test_a_wrong_example_is_caught() -> None:
    """The checker is not vacuous: changing one expected value fails it."""
    example = next(e for e in _examples() if e["check"] == "standings" and "rows" in e["expect"])
    broken = json.loads(json.dumps(example))
    broken["expect"]["rows"][0]["bib"] = 99
    with pytest.raises(AssertionError):
        _check_standings(broken)


def test_as_of_seq_after_a_snapshot_is_its_seq_then_each_folded_event() -> None:
    """As the page says: a snapshot's ``seq``, then the seq of every later event folded."""
    events = make_race(athletes=2)
    cut = 5
    snapshot = Projection()
    snapshot.apply_all(events[:cut])
    taken = snapshot.snapshot()
    assert taken.seq == cut
    assert [s.as_of_seq for s in taken.standings] == [cut]
    resumed = Projection.from_state(
        msgspec.convert(msgspec.to_builtins(taken.state), type(taken.state))
    )
    assert resumed.standings().as_of_seq == cut
    resumed.apply(events[cut])
    assert resumed.standings().as_of_seq == events[cut].seq
