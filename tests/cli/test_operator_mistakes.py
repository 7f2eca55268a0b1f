"""An operator's mistake gets one clear line on stderr and an exit code, never a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

RACEFEED = [sys.executable, "-m", "feed"]
TOKYO = "tokyo-2025-m1500-final"


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*RACEFEED, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def _one_line(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.startswith("racefeed ")]
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.mark.parametrize("command", [["serve"], ["replay", TOKYO, "--speed", "1000"]])
def test_a_busy_port_is_said_in_one_line(command: list[str], busy_port: int) -> None:
    _one_line(_run(*command, "--port", str(busy_port)), "cannot listen on", str(busy_port))


@pytest.mark.parametrize(
    ("session", "says"),
    [
        ("main=no-such-scenario", "no-such-scenario"),
        ("a.b=" + TOKYO, "session name 'a.b'"),
    ],
)
def test_a_session_that_cannot_be_opened_is_said_in_one_line(session: str, says: str) -> None:
    _one_line(_run("serve", "--port", "0", "--session", session), says)


def test_a_log_that_holds_the_name_for_another_scenario_is_said_in_one_line(
    tmp_path: Path,
) -> None:
    """The first serve writes main=Tokyo into the file; the second names main for another race."""
    log = tmp_path / "sessions.jsonl"
    first = subprocess.Popen(
        [*RACEFEED, "serve", "--port", "0", "--log", str(log), "--session", f"main={TOKYO}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert first.stdout is not None
    for line in first.stdout:
        if "control token" in line:
            break
    first.terminate()
    first.communicate(timeout=20)
    other = "budapest-2023-m1500-final"
    result = _run("serve", "--port", "0", "--log", str(log), "--session", f"main={other}")
    _one_line(result, "replaying", TOKYO)


def test_a_damaged_log_file_is_said_in_one_line_naming_its_line(tmp_path: Path) -> None:
    log = tmp_path / "sessions.jsonl"
    log.write_text('{"kind": "opened"}\nnot json at all\n')
    _one_line(_run("serve", "--port", "0", "--log", str(log)), f"{log}:1:", "expected a log record")


@pytest.mark.parametrize("role", ["director", "gateway"])
def test_a_scale_out_role_without_the_nats_extra_says_how_to_install_it(role: str) -> None:
    """With nats-py missing (hidden here), the role names the extra to install."""
    code = (
        "import sys; sys.modules['nats'] = None\n"
        "from feed.cli import main\n"
        f"sys.exit(main(['{role}', '--nats', 'nats://127.0.0.1:1']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    _one_line(result, "pip install 'racefeed[nats]'")


def test_standings_at_a_seq_the_log_does_not_have_is_refused() -> None:
    """Not the final table under another name: the seqs the log has are said."""
    result = _run("standings", TOKYO, "--at-seq", "99999")
    assert result.returncode == 1
    assert "expected 0..231" in result.stderr
