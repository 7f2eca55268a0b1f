"""Loading files: TOML scenarios, JSONL logs, championships beside their races, checking."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from feed.codec import encode, encode_events
from feed.errors import ScenarioInvalid
from feed.io import load_path, load_scenario, validate_paths, write_events
from feed.scenario import RaceSpec, compile_race, parse_scenario

MINI = Path(__file__).parents[1] / "scenario" / "fixtures" / "mini-final.toml"


def _mini() -> RaceSpec:
    spec = parse_scenario(MINI.read_text(), str(MINI))
    assert isinstance(spec, RaceSpec)
    return spec


@pytest.fixture
def log(tmp_path: Path) -> Path:
    """The mini final, compiled and written as a JSONL log."""
    path = tmp_path / "mini.jsonl"
    write_events(path, compile_race(_mini()))
    return path


def _errors(path: Path | str) -> list[str]:
    with pytest.raises(ScenarioInvalid) as caught:
        load_path(str(path))
    return [error.format() for error in caught.value.errors]


def test_a_written_log_loads_back_as_the_same_events(log: Path) -> None:
    """compile -o then load gives identical events, with the title from the schedule."""
    loaded = load_scenario(str(log))
    assert loaded.events == compile_race(_mini())
    assert (loaded.id, loaded.kind, loaded.races) == ("mini-final", "race", ["mini-final"])
    assert loaded.title.startswith("Mini final")


def _with_lines(log: Path, lines: list[int]) -> None:
    """Rewrite the log as its lines in this order (1-based; repeats and omissions allowed)."""
    original = log.read_bytes().splitlines()
    log.write_bytes(b"".join(original[n - 1] + b"\n" for n in lines))


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ([1, 2, 4, 5], ":3: seq: seq gap: expected seq 3, got 4"),
        ([1, 2, 3, 4, 2, 5], ":5: seq: seq rewind: expected seq 5, got 2"),
        ([1, 2, 2, 3, 4], ":3: seq: seq duplicate: expected seq 3, got 2"),
    ],
)
def test_a_log_with_a_bad_seq_is_reported_at_its_line(
    log: Path, order: list[int], expected: str
) -> None:
    """Gaps, rewinds and duplicates are each located by line number."""
    _with_lines(log, order)
    assert _errors(log) == [f"{log}{expected}"]


def test_a_log_line_that_is_not_an_event_is_reported_at_its_line(log: Path) -> None:
    """A bad line says which line and why."""
    lines = log.read_bytes().splitlines()
    lines[4] = b'{"type": "split_recorded", "seq": 5}'
    log.write_bytes(b"\n".join(lines))
    first, *rest = _errors(log)
    assert first.startswith(f"{log}:5: not a valid event envelope")
    # The line was not an event, so seq 5 is missing when line 6 comes.
    assert rest == [f"{log}:6: seq: seq gap: expected seq 5, got 6"]


def _champs(folder: Path, races: str) -> Path:
    path = folder / "champs.toml"
    path.write_text(
        f'[scenario]\nid = "champs"\ntitle = "Session"\nkind = "championship"\nraces = {races}\n'
    )
    return path


def test_a_championship_loads_the_races_beside_it(tmp_path: Path) -> None:
    """races names files <id>.toml in the championship's directory."""
    shutil.copy(MINI, tmp_path / "mini-final.toml")
    loaded = load_path(str(_champs(tmp_path, '["mini-final"]')))
    assert (loaded.kind, loaded.races, loaded.id) == ("championship", ["mini-final"], "champs")
    assert {e.stream for e in loaded.events} == {"champs"}
    assert {e.race for e in loaded.events} == {"mini-final"}


def test_a_championship_race_that_cannot_be_found_is_located_at_its_line(tmp_path: Path) -> None:
    """A missing race file is reported at the line of races that names it."""
    shutil.copy(MINI, tmp_path / "mini-final.toml")
    path = _champs(tmp_path, '[\n  "mini-final",\n  "ghost-race",\n]')
    (error,) = _errors(path)
    assert error.startswith(f"{path}:7: scenario.races[1]: race 'ghost-race' not found")
    assert "ghost-race.toml" in error


def test_a_championship_with_a_broken_race_reports_the_race_problems_too(tmp_path: Path) -> None:
    """The race's own errors come with it, and the championship line that names it."""
    (tmp_path / "bad-race.toml").write_text("[scenario]\ntitle = 3\n")
    path = _champs(tmp_path, '["bad-race"]')
    errors = _errors(path)
    assert any(e.startswith(f"{path}:5: scenario.races[0]: race 'bad-race' has") for e in errors)
    assert any(e.startswith(f"{tmp_path / 'bad-race.toml'}:2: scenario.title") for e in errors)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.txt", b"hello", "expected a .toml scenario or a .jsonl event file, found .txt"),
        ("missing.toml", None, "no such file"),
        ("garbage.toml", b"\x00\x01\xff\xfe", "expected UTF-8 text"),
        ("empty.jsonl", b"", "expected at least one event envelope, found none"),
    ],
)
def test_files_that_cannot_be_scenarios_are_reported_not_raised(
    tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    """Each file that cannot be read as a scenario gives a located error."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    errors = validate_paths([str(path)])
    assert len(errors) == 1
    assert errors[0].path == str(path)
    assert expected in errors[0].message


def test_a_directory_is_reported_not_raised(tmp_path: Path) -> None:
    """A directory named like a scenario is a problem, not a crash."""
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    (error,) = validate_paths([str(folder)])
    assert "is a directory" in error.message


def test_validate_paths_reports_every_problem_of_every_file(tmp_path: Path, log: Path) -> None:
    """Valid files give nothing; each broken file gives all of its problems."""
    (tmp_path / "a.toml").write_text("[scenario]\nid = 1\ntitle = 2\n")
    (tmp_path / "b.toml").write_text("x = \n")
    errors = validate_paths(
        [str(MINI), str(log), str(tmp_path / "a.toml"), str(tmp_path / "b.toml")]
    )
    assert {e.path for e in errors} == {str(tmp_path / "a.toml"), str(tmp_path / "b.toml")}
    assert len([e for e in errors if e.path.endswith("a.toml")]) > 2


def test_write_log_writes_one_envelope_a_line(tmp_path: Path) -> None:
    """The log is the codec's JSONL."""
    events = compile_race(_mini())
    path = tmp_path / "out.jsonl"
    write_events(path, events)
    assert path.read_bytes() == encode_events(events)
    assert path.read_bytes().splitlines()[0] == encode(events[0])


def test_a_pipe_or_a_device_is_refused_without_reading_it(tmp_path: Path) -> None:
    """A FIFO would block for ever and /dev/zero never end: neither is read."""
    import os

    fifo = tmp_path / "race.toml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioInvalid, match="not a regular file"):
        load_path(str(fifo))
    errors = validate_paths(["/dev/zero"])
    assert len(errors) == 1 and "expected a .toml scenario" in errors[0].message


def test_a_file_too_large_to_be_a_scenario_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feed.io import loading

    monkeypatch.setattr(loading, "MAX_FILE_BYTES", 1024)
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(ScenarioInvalid, match="larger than 0 MiB"):
        load_path(str(big))
