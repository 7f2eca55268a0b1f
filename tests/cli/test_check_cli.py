"""``racefeed check`` and ``racefeed check-corpus`` from the command line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from feed.cli import build_parser, main
from feed.cli.check import follow_session
from feed.server import SessionSpec, run_server

GOOD = "Isaac Nader won the 1500 m in 3:34.10. Kerr tore his calf.\n"
BAD = "Isaac Nader won the 1500 m in 3:34.20. Kerr tore his hamstring.\n"
CORPUS = Path(__file__).parents[1] / "check" / "corpus"


def article(tmp_path: Path, text: str, name: str = "article.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["check", "check-corpus"])
def test_help_says_what_it_does_with_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--help on each subcommand has a description and an example."""
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    out = capsys.readouterr().out
    assert "example" in out and f"racefeed {command}" in out


def test_an_accurate_article_exits_0_and_a_wrong_one_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The exit status gates a publish step; the table shows the verdicts."""
    assert main(["check", str(article(tmp_path, GOOD)), "--against", "tokyo-2025-m1500-final"]) == 0
    out = capsys.readouterr().out
    assert "3 supported, 0 contradicted, 0 not checkable" in out
    assert main(["check", str(article(tmp_path, BAD)), "--against", "tokyo-2025-m1500-final"]) == 1
    out = capsys.readouterr().out
    assert "3:34.10" in out and "calf" in out


def test_json_gives_every_claim_with_its_verdict_evidence_and_moment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json prints the report: counts, and claims with verdict, feed_says, evidence_seq."""
    code = main(
        ["check", str(article(tmp_path, BAD)), "--against", "tokyo-2025-m1500-final", "--json"]
    )
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["source"] == "tokyo-2025-m1500-final" and report["contradicted"] == 2
    time = next(c for c in report["claims"] if c["claim"]["kind"] == "time")
    assert time["verdict"] == {
        "verdict": "contradicted",
        "feed_says": "Isaac Nader ran 3:34.10",
        "evidence_seq": 224,
        "judged_at": "seq 231 (the latest)",
    }
    assert time["claim"]["text"].endswith("3:34.20")


def test_html_writes_a_page_of_the_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--html FILE writes the highlighted text next to the terminal table."""
    page = tmp_path / "out.html"
    main(
        [
            "check",
            str(article(tmp_path, BAD)),
            "--against",
            "tokyo-2025-m1500-final",
            "--html",
            str(page),
        ]
    )
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'class="contradicted"' in html


def test_at_race_ms_judges_as_a_reader_at_that_race_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 2:42 Timothy Cheruiyot leads; at the end he does not."""
    text = str(article(tmp_path, "Timothy Cheruiyot leads."))
    assert (
        main(["check", text, "--against", "tokyo-2025-m1500-final", "--at-race-ms", "162000"]) == 0
    )
    assert main(["check", text, "--against", "tokyo-2025-m1500-final"]) == 1


def test_stdin_at_seq_and_a_scenario_file_are_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """- reads the text from stdin; --at-seq judges as a reader then; a path works as --against."""
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Laros leads."))
    scenario = Path(__file__).parents[2] / "scenarios" / "tokyo-2025-m1500-final.toml"
    assert main(["check", "-", "--against", str(scenario), "--at-seq", "60", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["final_seq"] == 60 and report["supported"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.md", "--against", "tokyo-2025-m1500-final"], "missing.md: no such file"),
        (["{article}", "--against", "no-such-race"], "unknown scenario 'no-such-race'"),
        (
            ["{article}", "--against", "tokyo-2025-m1500-final", "--wall-offset", "9h"],
            "--wall-offset",
        ),
        (["{directory}", "--against", "tokyo-2025-m1500-final"], "is a directory"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """A missing or unreadable article, an unknown scenario, a bad offset: exit 2, one line."""
    text = article(tmp_path, GOOD)
    filled = [a.format(article=text, directory=tmp_path) for a in args]
    assert main(["check", *filled]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_binary_article_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Bytes that are not UTF-8: the file and the byte are named."""
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert main(["check", str(path), "--against", "tokyo-2025-m1500-final"]) == 2
    assert "expected UTF-8 text (byte 0 is not)" in capsys.readouterr().err


async def test_a_live_session_url_is_followed_to_the_end_and_judged(tmp_path: Path) -> None:
    """Over a real websocket: the events the session sent are the feed the text is judged by."""
    spec = SessionSpec(name="main", scenario="tokyo-2025-m1500-final", speed="instant")
    async with run_server("127.0.0.1", 0, sessions=[spec]) as server:
        events = await follow_session(server.url, "main", timeout=20)
    assert events[0].seq == 1 and len(events) == events[-1].seq == 231
    assert any(e.type == "result_status_changed" and e.data.status == "official" for e in events)  # type: ignore[union-attr]


async def test_a_session_still_running_at_the_timeout_is_judged_as_far_as_it_got() -> None:
    """A paused replay sends nothing more: after the timeout, what arrived is the feed."""
    spec = SessionSpec(name="main", scenario="tokyo-2025-m1500-final", speed="instant", paused=True)
    async with run_server("127.0.0.1", 0, sessions=[spec]) as server:
        events = await follow_session(server.url, "main", timeout=0.5)
    assert events == []


def test_check_corpus_prints_the_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """The measuring command of docs/check.md, as people and machines read it."""
    assert main(["check-corpus", str(CORPUS), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["false_alarms_accurate"] == 0 and figures["planted"] >= 60
    assert main(["check-corpus", str(CORPUS)]) == 0
    assert "planted errors found:" in capsys.readouterr().out


def test_check_corpus_on_a_bad_directory_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No documents: a message naming the directory."""
    assert main(["check-corpus", str(tmp_path)]) == 2
    assert str(tmp_path) in capsys.readouterr().err


async def test_racefeed_check_against_a_session_url_judges_the_live_feed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole command with --against ws://...: the article is held to what the session sent."""
    spec = SessionSpec(name="final", scenario="tokyo-2025-m1500-final", speed="instant")
    bad = str(article(tmp_path, BAD))
    async with run_server("127.0.0.1", 0, sessions=[spec]) as server:
        args = ["check", bad, "--against", server.url, "--session", "final", "--json"]
        code = await asyncio.to_thread(main, args)
    assert code == 1
    out = capsys.readouterr().out
    # The in-process server logs to stdout around the report.
    report, _ = json.JSONDecoder().raw_decode(out, out.index("{\n"))
    assert report["source"] == f"{server.url} (session final)" and report["contradicted"] == 2
