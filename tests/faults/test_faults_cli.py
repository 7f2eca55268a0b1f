"""``racefeed faults``: the schedule printed before a replay, for people and for machines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from feed.cli import main
from feed.faults import KINDS, PROFILES, format_spec, parse_spec, plan
from feed.io import load_scenario

MINI = Path(__file__).parents[1] / "scenario" / "fixtures" / "mini-final.toml"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_faults_prints_one_line_per_action_and_a_count_per_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A header, ``seq N kind ...`` lines in plan order, then the counts."""
    spec = "lossy,duplicate_p=0.2,disconnect_at_seq=5+9"
    code, out, err = run(["faults", str(MINI), "--profile", spec, "--seed", "11"], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    expected = plan(parse_spec(spec), 11, load_scenario(str(MINI)).events)
    assert lines[0].startswith("# mini-final: seq 1-")
    assert "seed 11" in lines[0] and format_spec(parse_spec(spec)) in lines[0]
    assert lines[1:-1] == expected.describe()
    assert "seq 5 disconnect" in lines and "seq 9 disconnect" in lines
    counts = expected.counts()
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)
    assert lines[-1] == f"# {sum(counts.values())} action(s): {summary}"


def test_faults_prints_the_same_schedule_for_the_same_seed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Reproducible: running twice prints the same thing; another seed prints another."""
    argv = ["faults", str(MINI), "--profile", "drop_p=0.3", "--seed", "4"]
    first = run(argv, capsys)
    assert run(argv, capsys) == first
    assert run([*argv[:-1], "5"], capsys)[1] != first[1]


def test_faults_json_is_the_plan_with_counts_for_every_kind(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--json`` prints the canonical spec, seed, range, counts and actions."""
    argv = ["faults", str(MINI), "--profile", "chaos", "--seed", "2", "--from-seq", "20"]
    code, out, _ = run([*argv, "--json"], capsys)
    assert code == 0
    document = json.loads(out)
    events = load_scenario(str(MINI)).events
    expected = plan(PROFILES["chaos"].spec, 2, events, from_seq=20)
    assert document["scenario"] == "mini-final"
    assert document["spec"] == format_spec(PROFILES["chaos"].spec)
    assert (document["seed"], document["from_seq"]) == (2, 20)
    assert document["last_seq"] == len(events)
    assert list(document["counts"]) == list(KINDS)
    assert document["counts"] == expected.counts()
    assert document["actions"][0]["seq"] >= 20
    assert len(document["actions"]) == len(expected.actions)
    assert all(set(a) <= {"seq", "kind", "ms", "with_seq"} for a in document["actions"])


def test_faults_only_shows_the_kinds_asked_for(capsys: pytest.CaptureFixture[str]) -> None:
    """``--only drop,disconnect`` leaves the delays out of the lines and the counts."""
    argv = ["faults", str(MINI), "--profile", "chaos,drop_p=0.2", "--only", "drop,disconnect"]
    code, out, _ = run(argv, capsys)
    assert code == 0
    body = out.splitlines()[1:-1]
    assert body and all(line.split()[2] in {"drop", "disconnect"} for line in body)
    assert "delay" not in out.splitlines()[-1]


def test_faults_lists_the_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    """``--profiles --json`` gives each profile's name, canonical spec and what it simulates."""
    code, out, _ = run(["faults", "--profiles", "--json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert [row["name"] for row in rows] == list(PROFILES)
    assert all(parse_spec(row["spec"]) == PROFILES[row["name"]].spec for row in rows)
    code, out, _ = run(["faults", "--profiles"], capsys)
    assert code == 0 and "flaky-mobile" in out


def test_faults_notes_seqs_that_the_log_never_reaches(capsys: pytest.CaptureFixture[str]) -> None:
    """A ``disconnect_at_seq`` past the end is reported on stderr: it would never fire."""
    code, _, err = run(["faults", str(MINI), "--profile", "disconnect_at_seq=3+5000"], capsys)
    assert code == 0
    assert "note: disconnect_at_seq 5000 outside seq 1-" in err
    assert "never fires" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--profile", "lossy,drop_q=1"], "fault spec 'lossy,drop_q=1' column 7: unknown key"),
        (["--profile", "drop_p=7"], "drop_p: expected a probability from 0 to 1, got '7'"),
        (["--only", "drops"], "--only: unknown kind 'drops'"),
        (["--from-seq", "0"], "--from-seq: expected 1 or more, got 0"),
    ],
)
def test_faults_reports_bad_input_in_one_line_and_exits_1(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """No traceback: ``racefeed faults: <where and what>`` on stderr, exit 1."""
    code, out, err = run(["faults", str(MINI), *argv], capsys)
    assert (code, out) == (1, "")
    assert err.startswith("racefeed faults: ") and message in err
    assert "Traceback" not in err


def test_faults_reports_an_unknown_scenario_and_a_missing_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An unknown id names the catalog; no SCENARIO at all says what to give."""
    code, _, err = run(["faults", "no-such-race", "--profile", "lossy"], capsys)
    assert code == 1 and "unknown scenario 'no-such-race'" in err
    code, _, err = run(["faults"], capsys)
    assert code == 1 and "expected a SCENARIO" in err
