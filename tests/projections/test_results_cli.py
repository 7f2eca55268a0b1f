"""``racefeed standings`` and ``racefeed medals``: tables for people, stable JSON, clean errors."""

from __future__ import annotations

import json
import types
from collections.abc import Callable

import pytest

from feed.cli import main, results
from feed.errors import ScenarioError, ScenarioInvalid, UnknownScenario
from feed.events import Event
from tests.projections.builders import Stream, athlete

_ROW_FIELDS = ["place", "athlete_id", "bib", "name", "nation", "time", "time_ms", "mark", "rule",
               "annotations", "gap_text", "thousandths", "medal", "under_review",
               "incident"]  # fmt: skip


def _final(race: str = "m1500", nations: tuple[str, str, str] = ("POR", "GBR", "KEN")) -> Stream:
    stream = Stream(race=race)
    stream.schedule(
        [
            athlete(7, "nader", nations[0], name="Isaac Nader", pb="3:35.00"),
            athlete(9, "wightman", nations[1], name="Jake Wightman"),
            athlete(3, "cheruiyot", nations[2], name="Reynold Cheruiyot"),
            athlete(4, "kerr", "GBR", name="Josh Kerr"),
        ]
    )
    stream.gun()
    stream.split("wightman", 1400, "3:20.0")
    stream.finish("nader", "3:34.094")
    stream.finish("wightman", "3:34.117")
    stream.finish("cheruiyot", "3:34.250")
    stream.finish("kerr", "4:11.230")
    stream.status("official")
    return stream


@pytest.fixture
def scenarios(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, list[Event]]], None]:
    """Serve the given event lists as the scenarios ``load_scenario`` finds."""

    def install(catalog: dict[str, list[Event]]) -> None:
        def load_scenario(name: str) -> types.SimpleNamespace:
            if name == "broken.toml":
                raise ScenarioInvalid([ScenarioError("broken.toml", "expected a time", line=3)])
            if name not in catalog:
                raise UnknownScenario(name, sorted(catalog))
            return types.SimpleNamespace(id=name, title=name, events=catalog[name])

        monkeypatch.setattr(results, "load_scenario", load_scenario)

    return install


def test_standings_prints_a_table_for_people(
    scenarios: Callable[[dict[str, list[Event]]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    """Place, bib, name, nation, time and marks, with the status and seq."""
    scenarios({"final": _final().events})
    assert main(["standings", "final"]) == 0
    out = capsys.readouterr().out
    assert "Isaac Nader" in out
    assert "3:34.10" in out
    assert "3:34.12" in out
    assert "PB" in out
    assert "official, as of seq 8" in out


def test_standings_json_has_exactly_the_documented_fields(
    scenarios: Callable[[dict[str, list[Event]]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    """The documented fields, in order, nulls included; each row has the documented fields."""
    scenarios({"final": _final().events})
    assert main(["standings", "final", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert list(document) == [
        "race", "title", "status", "as_of_seq", "rows", "photo_finish", "winner_label", "notice",
    ]  # fmt: skip
    assert (document["race"], document["status"], document["as_of_seq"]) == ("m1500", "official", 8)
    assert all(list(row) == _ROW_FIELDS for row in document["rows"])
    assert document["rows"][0] == {
        "place": 1, "athlete_id": "nader", "bib": 7, "name": "Isaac Nader", "nation": "POR",
        "time": "3:34.10", "time_ms": 214094, "mark": None, "rule": None, "annotations": ["PB"],
        "gap_text": "", "thousandths": None, "medal": "gold", "under_review": False,
        "incident": None,
    }  # fmt: skip
    assert document["winner_label"] == "Winner"


def test_standings_travel_back_by_seq_and_by_race_time(
    scenarios: Callable[[dict[str, list[Event]]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    """--at-seq 4 shows one finisher; --at-race-ms before the finish shows a live race."""
    scenarios({"final": _final().events})
    assert main(["standings", "final", "--at-seq", "4", "--json"]) == 0
    by_seq = json.loads(capsys.readouterr().out)
    assert [r["place"] for r in by_seq["rows"]] == [1, None, None, None]
    assert main(["standings", "final", "--at-race-ms", "200000", "--json"]) == 0
    by_time = json.loads(capsys.readouterr().out)
    assert (by_time["status"], by_time["as_of_seq"]) == ("live", 3)
    assert by_time["rows"][0]["athlete_id"] == "wightman"


def test_standings_of_one_race_of_a_championship(
    scenarios: Callable[[dict[str, list[Event]]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    """--race picks a race; an unknown race is an error that lists the known ones."""
    stream = _final()
    stream.schedule([athlete(1, "solo", "USA")], race="m800")
    scenarios({"champs": stream.events})
    assert main(["standings", "champs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["race"] == "m800"
    assert main(["standings", "champs", "--race", "m1500", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["race"] == "m1500"
    assert main(["standings", "champs", "--race", "m400"]) == 1
    err = capsys.readouterr().err
    assert "unknown race 'm400' (races: m1500, m800)" in err


@pytest.mark.parametrize("command", ["standings", "medals"])
def test_bad_scenarios_give_a_message_and_exit_1_without_a_traceback(
    command: str,
    scenarios: Callable[[dict[str, list[Event]]], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An unknown id names the known ones; an invalid file says file:line."""
    scenarios({"final": _final().events})
    assert main([command, "nope"]) == 1
    err = capsys.readouterr().err
    assert "unknown scenario 'nope'" in err
    assert "final" in err
    assert "Traceback" not in err
    assert main([command, "broken.toml"]) == 1
    assert "broken.toml:3: expected a time" in capsys.readouterr().err


def test_a_stream_with_a_gap_is_reported_not_raised(
    scenarios: Callable[[dict[str, list[Event]]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    """Folding errors end the command with exit 1 and the message."""
    events = _final().events
    scenarios({"gappy": [*events[:3], *events[4:]]})
    assert main(["standings", "gappy"]) == 1
    assert "expected seq 4, got 5" in capsys.readouterr().err


def test_medals_combine_the_races_of_every_scenario(
    scenarios: Callable[[dict[str, list[Event]]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    """Two finals: equal nations share rank 1; KEN's extra bronze puts it above GBR."""
    scenarios(
        {
            "tokyo": _final("tokyo").events,
            "eugene": _final("eugene", ("NOR", "KEN", "ESP")).events,
        }
    )
    assert main(["medals", "tokyo", "eugene", "--json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table["races_counted"] == ["tokyo", "eugene"]
    assert [
        (r["rank"], r["nation"], r["gold"], r["silver"], r["bronze"]) for r in table["rows"]
    ] == [
        (1, "NOR", 1, 0, 0),
        (1, "POR", 1, 0, 0),
        (3, "KEN", 0, 1, 1),
        (4, "GBR", 0, 1, 0),
        (5, "ESP", 0, 0, 1),
    ]
    assert len(table["awards"]) == 6


def test_medals_count_a_race_named_twice_once_and_print_a_table(
    scenarios: Callable[[dict[str, list[Event]]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    """The same scenario given twice does not double its medals."""
    scenarios({"tokyo": _final("tokyo").events})
    assert main(["medals", "tokyo", "tokyo"]) == 0
    out = capsys.readouterr().out
    assert "Medal table" in out
    assert "Isaac Nader" in out
    assert main(["medals", "tokyo", "tokyo", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["awards"]) == 3


def test_medals_before_any_official_result_say_so(
    scenarios: Callable[[dict[str, list[Event]]], None], capsys: pytest.CaptureFixture[str]
) -> None:
    """A race that is not official yet gives an empty table and a plain message."""
    scenarios({"live": _final().events[:-1]})
    assert main(["medals", "live"]) == 0
    assert "No race is official yet" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["standings", "medals"])
def test_help_says_what_the_command_does_with_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--help has a description and an example line."""
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert f"racefeed {command} tokyo-2025" in out
    assert "--json" in out


def test_the_tokyo_final_from_the_catalog_has_nader_two_hundredths_ahead_of_wightman(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The real scenario: Nader 3:34.10, Wightman 3:34.12, Kerr 14th in 4:11.23, official."""
    assert main(["standings", "tokyo-2025-m1500-final", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    rows = [(r["place"], r["name"], r["time"]) for r in document["rows"]]
    assert rows[:2] == [(1, "Isaac Nader", "3:34.10"), (2, "Jake Wightman", "3:34.12")]
    assert rows[-1] == (14, "Josh Kerr", "4:11.23")
    assert document["status"] == "official"
