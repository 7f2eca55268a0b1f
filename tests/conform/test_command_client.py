"""The client under test as a child process: whatever it writes, the run goes on."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from feed.conform.adapter import AdapterError, CommandClient

_ANSWER = 'print(\'{"id": 1, "seq": 0}\', flush=True)'


async def _client(program: str) -> CommandClient:
    return await CommandClient.start([sys.executable, "-c", program], env={}, answer_timeout=5)


async def test_a_client_that_writes_megabytes_to_stderr_is_still_answered() -> None:
    """stderr is drained as it comes, so a chatty client never blocks on a full pipe."""
    client = await _client(
        f"import sys; sys.stderr.write(('x' * 5000 + '\\n') * 400); sys.stderr.flush(); input(); "
        f"{_ANSWER}"
    )
    try:
        assert (await client.show()).id == 1
    finally:
        await client.close()
    assert client.stderr[-1] == "x" * 1000  # kept, cut to its first 1000 characters


async def test_an_overlong_or_garbled_answer_is_the_case_failing_not_a_crash() -> None:
    """A line over the limit, or one that is not JSON, is an ``AdapterError`` that says so."""
    huge = await _client("input(); print('[' * (17 * 2**20), flush=True)")
    with pytest.raises(AdapterError, match="longer than"):
        await huge.show()
    await huge.close()
    garbled = await _client("input(); print('hello', flush=True)")
    with pytest.raises(AdapterError, match="not an answer on stdout: 'hello'"):
        await garbled.show()
    await garbled.close()


async def test_a_client_that_ignores_quit_is_killed_with_what_it_started(tmp_path: Path) -> None:
    """``quit`` unanswered: killed after a second, with the process it started (``sh``, ``npm``)."""
    pid_file = tmp_path / "pid"
    client = await _client(
        "import subprocess, sys, time; child = subprocess.Popen([sys.executable, '-c', "
        f"'import time; time.sleep(30)']); open({str(pid_file)!r}, 'w').write(str(child.pid)); "
        "time.sleep(30)"
    )
    for _ in range(100):
        if pid_file.exists() and pid_file.read_text():
            break
        await asyncio.sleep(0.05)
    started = int(pid_file.read_text())
    await asyncio.wait_for(client.close(), 5)
    assert client.process.returncode is not None
    for _ in range(100):  # killed, then reaped by init
        if not Path(f"/proc/{started}").exists():
            break
        await asyncio.sleep(0.05)
    assert not Path(f"/proc/{started}").exists()
