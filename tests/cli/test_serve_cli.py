"""``racefeed replay``, ``serve`` and ``tail`` as a user runs them: subprocesses on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from feed.codec import encode_events
from feed.io import load_scenario
from tests.kit.races import make_race

RACEFEED = [sys.executable, "-m", "feed"]
TOKYO = "tokyo-2025-m1500-final"


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Start a server command on port 0 and read the feed URL from its banner."""
    process = subprocess.Popen(
        [*RACEFEED, *args, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if "feed at ws://" in line:
            return process, line.split("feed at ", 1)[1].split()[0]
    process.kill()
    raise AssertionError(f"no banner; stderr: {process.communicate()[1]}")


def _interrupt(process: subprocess.Popen[str]) -> tuple[int, str]:
    """Ctrl-C, as a user would: the process closes its connections and exits."""
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=20)
    return process.returncode, out


def test_tail_json_against_replay_prints_every_envelope_from_seq_1_and_exits_0() -> None:
    """``racefeed tail URL --json`` against ``racefeed replay tokyo... --speed 1000``."""
    server, url = _start("replay", TOKYO, "--speed", "1000", "--stay")
    try:
        tail = subprocess.run(
            [*RACEFEED, "tail", url, "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        code, _ = _interrupt(server)
    assert tail.returncode == 0, tail.stderr
    envelopes = [json.loads(line) for line in tail.stdout.splitlines()]
    expected = len(load_scenario(TOKYO).events)
    assert [e["seq"] for e in envelopes] == list(range(1, expected + 1))
    assert {e["stream"] for e in envelopes} == {TOKYO}
    assert "end of" in tail.stderr
    assert code == 0


def test_tail_json_snapshot_keeps_one_json_object_per_line() -> None:
    """With --snapshot the snapshot message has a line of its own, before the envelopes."""
    server, url = _start("replay", TOKYO, "--speed", "1000", "--stay")
    try:
        tail = subprocess.run(
            [*RACEFEED, "tail", url, "--json", "--snapshot"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        _interrupt(server)
    assert tail.returncode == 0, tail.stderr
    [first, *rest] = [json.loads(line) for line in tail.stdout.splitlines()]
    assert first["op"] == "snapshot"
    assert rest and all("type" in e and "seq" in e and "op" not in e for e in rest)
    head = first.get("seq", first.get("head_seq"))
    assert rest[0]["seq"] == (head or 0) + 1


def test_replay_shows_the_race_and_exits_0_at_the_end() -> None:
    """Without --stay, replay prints the URLs, the race line by line, and exits 0."""
    result = subprocess.run(
        [*RACEFEED, "replay", TOKYO, "--speed", "1000", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "feed at ws://127.0.0.1:" in out and "web page at http://127.0.0.1:" in out
    assert "also reachable as: main" in out
    assert "  800 m  Timothy Cheruiyot leads in 1:59.88" in out
    assert "incident: Josh Kerr, injury (calf)" in out
    assert "finish: Isaac Nader 3:34.10 (3:34.094), 1st so far" in out
    assert "result official" in out
    assert out.rstrip().endswith(f"replay of {TOKYO} finished")


def test_serve_a_jsonl_file_and_tail_it_readably(tmp_path: Path) -> None:
    """serve --session NAME=FILE@instant; tail prints one readable line per event; Ctrl-C: 0."""
    log = tmp_path / "race.jsonl"
    events = make_race()
    log.write_bytes(encode_events(events))
    server, url = _start("serve", "--session", f"main={log}@instant")
    try:
        tail = subprocess.run(
            [*RACEFEED, "tail", url, "--session", "main", "--from-seq", "3"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        code, _ = _interrupt(server)
    assert tail.returncode == 0, tail.stderr
    lines = tail.stdout.splitlines()
    assert len(lines) == len(events) - 2
    assert lines[0].split()[0] == "3"
    assert "finish: runner-1 3:36.00" in tail.stdout  # from seq 3: no start list, ids
    assert code == 0


def test_tail_without_a_server_says_so_and_exits_1() -> None:
    """No server at the URL: a message on stderr and exit status 1; stdout, where
    ``--json`` writes its data, holds no log line about the attempts."""
    result = subprocess.run(
        [*RACEFEED, "tail", "ws://127.0.0.1:9", "--wait", "0.5", "--json"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert "cannot connect to ws://127.0.0.1:9" in result.stderr
    assert result.stdout == ""


def test_tail_of_an_unknown_session_exits_1() -> None:
    """A session the server does not have: the error code on stderr, exit 1."""
    server, url = _start("serve")
    try:
        result = subprocess.run(
            [*RACEFEED, "tail", url, "--session", "nope"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    finally:
        _interrupt(server)
    assert result.returncode == 1
    assert result.stderr.count("unknown_session") == 1  # said once, not once per layer


@pytest.mark.parametrize("command", ["serve", "replay", "tail"])
def test_every_command_explains_itself_with_an_example(command: str) -> None:
    """``--help`` says what the command does and shows an example."""
    result = subprocess.run(
        [*RACEFEED, command, "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "example:" in result.stdout
    assert f"racefeed {command}" in result.stdout


def test_a_bad_session_argument_is_refused_with_the_expected_form() -> None:
    """--session without NAME= says what it expects and exits 2."""
    result = subprocess.run(
        [*RACEFEED, "serve", "--session", "tokyo", "--port", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "expected NAME=SCENARIO[@SPEED]" in result.stderr


def test_serve_with_a_log_file_keeps_the_session_across_a_restart(tmp_path: Path) -> None:
    """``serve --log FILE``: what was published is on disk, and a restart serves it again."""
    log = tmp_path / "published.jsonl"
    expected = list(range(1, len(load_scenario(TOKYO).events) + 1))
    sizes = []
    for _ in range(2):  # the second run starts from the file the first one wrote
        server, url = _start("serve", "--session", f"main={TOKYO}@1000", "--log", str(log))
        try:
            tail = subprocess.run(
                [*RACEFEED, "tail", url, "--json"],
                capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
        finally:
            code, _ = _interrupt(server)
        assert tail.returncode == 0, tail.stderr
        assert [json.loads(line)["seq"] for line in tail.stdout.splitlines()] == expected
        assert code == 0
        kinds = [json.loads(line)["kind"] for line in log.read_text().splitlines()]
        sizes.append(kinds.count("event"))
    assert sizes == [len(expected), len(expected)], "the restart published the race again"
