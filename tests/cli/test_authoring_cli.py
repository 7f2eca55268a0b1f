"""``racefeed new`` and ``racefeed import`` write files that validate and replay at once."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest

from feed.cli import main
from feed.client import connect
from feed.server import SessionSpec, run_server

ROOT = Path(__file__).parents[2]


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


async def test_a_new_race_validates_and_replays_to_an_official_result(tmp_path: Path) -> None:
    """racefeed new my-race --distance 800 --athletes 8, then validate and replay: no edits."""
    path = tmp_path / "my-race.toml"
    code, said = run("new", str(path), "--distance", "800", "--athletes", "8")
    assert code == 0, said
    assert run("validate", str(path)) == (0, "ok: 1 file(s)\n")
    spec = SessionSpec(name="main", scenario=str(path), speed="instant")
    async with run_server(sessions=[spec]) as server, connect(server.url) as feed:
        await feed.wait_until(lambda f: f.standings().status == "official", timeout=30)
        standings = feed.standings()
    assert standings.race == "my-race"
    assert [row.place for row in standings.rows] == list(range(1, 9))


def test_new_refuses_to_overwrite_and_to_take_a_name_that_is_not_an_id(tmp_path: Path) -> None:
    """An existing file needs --force; ``My Race`` cannot be an id."""
    path = tmp_path / "my-race.toml"
    assert run("new", str(path))[0] == 0
    code, said = run("new", str(path))
    assert code == 1 and "--force" in said
    assert run("new", str(path), "--force", "--athletes", "3")[0] == 0
    code, said = run("new", str(tmp_path / "My Race.toml"))
    assert code == 1 and "lowercase letters" in said
    code, said = run("new", str(tmp_path / "big.toml"), "--athletes", "500")
    assert code == 1 and "athletes" in said


def test_a_copied_scenario_validates_with_a_warning_about_its_id(tmp_path: Path) -> None:
    """The file name is the id: a copy of the Tokyo final is the race my-copy."""
    copy = tmp_path / "my-copy.toml"
    shutil.copy(ROOT / "scenarios" / "tokyo-2025-m1500-final.toml", copy)
    code, said = run("validate", str(copy))
    assert code == 0
    assert f"{copy}:6: warning: scenario.id: the file name is the id: 'my-copy'" in said
    code, said = run("standings", str(copy), "--json")
    assert code == 0 and '"race": "my-copy"' in said


def test_a_damaged_table_gets_located_errors_and_nothing_is_written(tmp_path: Path) -> None:
    """Every bad cell on stderr as FILE:LINE: row R, column C (NAME): ...; exit 1."""
    table = tmp_path / "results.csv"
    table.write_text("place,name,time\n1,Ann,3:40.00\nsecond,Bea,3:4l.00\n")
    out = tmp_path / "club-race.toml"
    code, said = run("import", str(table), "-o", str(out), "--distance", "1500")
    assert code == 1
    assert f"{table}:3: row 2, column 1 (place): expected a place" in said
    assert f"{table}:3: row 2, column 3 (time): expected a time" in said
    assert "Traceback" not in said and not out.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--scheduled-start", "2024-08-10 19:05"], "UTC offset"),
        (["--scheduled-start", "tomorrow"], "expected a date-time"),
        (["--utc-offset", "CEST", "--date", "2024-08-10"], "+HH:MM"),
        (["--format", "lif"], "expected the heat line first"),
    ],
)
def test_import_options_that_cannot_be_used_are_reported(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    """A bad option is a message and exit 1, never a traceback."""
    table = tmp_path / "results.csv"
    table.write_text("place,name,time\n1,Ann,3:40.00\n")
    code, said = run("import", str(table), "-o", str(tmp_path / "x.toml"), "--distance", "1500",
                     *extra)  # fmt: skip
    assert code == 1 and message in said and "Traceback" not in said


def test_import_names_the_output_after_the_table_and_will_not_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without -o, results.csv becomes results.toml here; a second import needs --force."""
    monkeypatch.chdir(tmp_path)
    Path("results.csv").write_text("place,name,time\n1,Ann,3:40.00\n")
    assert run("import", "results.csv", "--distance", "1500")[0] == 0
    assert Path("results.toml").is_file()
    code, said = run("import", "results.csv", "--distance", "1500")
    assert code == 1 and "--force" in said
