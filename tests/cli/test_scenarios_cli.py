"""The scenario commands: validate, compile, schema, scenarios."""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import jsonschema  # type: ignore[import-untyped]
import pytest

from feed.cli import build_parser, main
from feed.codec import decode_events
from feed.io import catalog

MINI = Path(__file__).parents[1] / "scenario" / "fixtures" / "mini-final.toml"
COMMANDS = ("validate", "compile", "schema", "scenarios")


@pytest.fixture
def own_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini-final.toml")
    (folder / "broken.toml").write_text('[scenario]\nid = "broken"\nkind = "race"\n')
    monkeypatch.setenv("RACEFEED_SCENARIOS", str(folder))
    return folder


def test_validate_exits_0_and_prints_nothing_for_valid_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """All valid: no problem lines, a count on stderr, exit 0."""
    assert main(["validate", str(MINI)]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "ok: 1 file(s)" in err


def test_validate_prints_file_line_field_message_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each problem is one line: file:line: field: message; a structural problem (a missing
    field) does not hide a problem of meaning (a duplicate bib) elsewhere in the file."""
    bad = tmp_path / "mini-final.toml"
    text = (
        MINI.read_text().replace("bib = 3\n", "bib = 7\n").replace('venue = "Test Stadium"\n', "")
    )
    bad.write_text(text)
    assert main(["validate", str(bad)]) == 1
    out, err = capsys.readouterr()
    lines = out.splitlines()
    bib_line = 1 + text.splitlines().index("bib = 7", text.splitlines().index("bib = 7") + 1)
    assert lines == [
        f"{bad}:10: race.venue: missing required field",
        f"{bad}:{bib_line}: athletes[1].bib: duplicate bib 7 (first at athletes[0])",
    ]
    assert "2 problem(s) in 1 file(s)" in err
    bad.write_text(MINI.read_text().replace("bib = 3\n", "bib = 7\n"))
    assert main(["validate", str(bad), str(MINI)]) == 1
    out, _ = capsys.readouterr()
    bib_line = 1 + MINI.read_text().splitlines().index("bib = 3")
    assert out == f"{bad}:{bib_line}: athletes[1].bib: duplicate bib 7 (first at athletes[0])\n"


@pytest.mark.parametrize(
    "content", [b"", b"\x00\xff\x00garbage\x89PNG", b"[[[[", b"\xef\xbb\xbf[scenario]\n"]
)
def test_validate_never_raises_whatever_the_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    """Binary garbage, empty files and broken TOML give messages and exit 1, not tracebacks."""
    path = tmp_path / "x.toml"
    path.write_bytes(content)
    assert main(["validate", str(path)]) == 1
    out, _ = capsys.readouterr()
    assert out and all(line.startswith(f"{path}") for line in out.splitlines())


def test_validate_reports_a_directory_and_a_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Paths that are not files are problems, reported by path."""
    assert main(["validate", str(tmp_path), str(tmp_path / "nope.jsonl")]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        f"{tmp_path}: is a directory; expected a .toml scenario or a .jsonl event file",
        f"{tmp_path / 'nope.jsonl'}: no such file",
    ]


def test_compile_writes_a_log_that_reads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """compile -o FILE writes a gapless JSONL log."""
    out_path = tmp_path / "events.jsonl"
    assert main(["compile", str(MINI), "-o", str(out_path)]) == 0
    events = decode_events(out_path.read_bytes(), str(out_path))
    assert events[0].stream == "mini-final"
    assert f"{len(events)} events" in capsys.readouterr().err


def test_compile_to_stdout_by_catalog_id(
    own_dir: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    """-o - writes the log to stdout; the scenario can be a catalog id."""
    assert main(["compile", "mini-final", "-o", "-"]) == 0
    out, _ = capsysbinary.readouterr()
    events = decode_events(out)
    assert events[-1].seq == len(events)


def test_compile_of_an_unknown_or_invalid_scenario_exits_1(
    own_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input gives a message on stderr and exit 1."""
    assert main(["compile", "no-such-thing"]) == 1
    assert "unknown scenario 'no-such-thing'" in capsys.readouterr().err
    assert main(["compile", "broken"]) == 1
    assert "broken.toml: race: missing required field" in capsys.readouterr().err


def test_schema_prints_a_json_schema_that_accepts_compiled_events(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The printed schema validates every envelope the compiler writes."""
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    out_path = tmp_path / "e.jsonl"
    assert main(["compile", str(MINI), "-o", str(out_path)]) == 0
    validator = jsonschema.Draft202012Validator(schema)
    for line in out_path.read_text().splitlines():
        validator.validate(json.loads(line))


def test_scenarios_json_lists_ids_titles_counts_and_kinds(
    own_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json gives each entry with its number of events; broken ones carry their error."""
    assert main(["scenarios", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    mini = rows["mini-final"]
    assert (mini["kind"], mini["error"]) == ("race", None)
    assert mini["events"] == 67
    broken = rows["broken"]
    assert (broken["kind"], broken["events"]) == ("invalid", None)
    assert "missing required field" in broken["error"]


def test_scenarios_prints_a_table_for_people(
    own_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --json, a table with the ids and counts."""
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert "mini-final" in out and "67" in out and "invalid" in out


def test_scenarios_table_keeps_every_id_whole_at_80_columns(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids are copied from the table: at 80 columns none is wrapped or cut."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    ids = [entry.id for entry in catalog()]
    assert max(len(i) for i in ids) > 20  # long enough that a squeezed column would wrap
    for scenario_id in ids:
        assert re.search(rf"\b{re.escape(scenario_id)}\b", out), scenario_id


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself_with_an_example(command: str) -> None:
    """--help has a description and an example of use."""
    groups = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    sub = groups[0].choices[command]
    assert sub.description
    assert sub.epilog and f"racefeed {command}" in sub.epilog


def test_validate_refuses_special_files_and_deep_nesting_without_hanging(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pipe is not waited on, a device not read to its end, deep JSON not followed."""
    import os

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"a":' * 5000 + "1" + "}" * 5000 + "\n")
    assert main(["validate", str(fifo), "/dev/zero", str(deep)]) == 1
    out, _ = capsys.readouterr()
    assert f"{fifo}: is not a regular file" in out
    assert "/dev/zero: expected a .toml scenario" in out
    assert f"{deep}:1: not valid JSON: JSON is nested too deeply" in out
