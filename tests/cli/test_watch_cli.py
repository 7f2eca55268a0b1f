"""``racefeed watch`` follows a real server and ends on the official result."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable

import pytest
from rich.console import Console
from websockets.asyncio.client import connect as ws_connect

from feed.cli import build_parser
from feed.cli.watch import watch
from feed.commentary import narrate
from feed.io import load_scenario
from feed.server import SessionSpec, run_server
from feed.terminal import LiveBlog

TOKEN = "t"


async def test_watch_shows_the_commentary_and_the_official_result() -> None:
    """Over a real socket, the blog prints its lines and then the final table and medals."""
    spec = SessionSpec(name="main", scenario="tokyo-2025-m1500-final", speed="instant")
    out = io.StringIO()
    console = Console(file=out, width=140, force_terminal=False)
    async with run_server("127.0.0.1", 0, sessions=[spec]) as server:
        assert await watch([server.url], console=console) == 0
    text = out.getvalue()
    assert "The bell! Timothy Cheruiyot leads" in text
    assert "OFFICIAL: Nader wins in 3:34.10" in text
    assert "Isaac Nader" in text and "4:11.23" in text
    assert "Medal table" in text


async def test_watch_plain_prints_lines_even_on_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--plain`` never redraws a screen: no cursor control, the commentary as lines."""
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich treats stdout as a terminal
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    spec = SessionSpec(name="main", scenario="tokyo-2025-m1500-final", speed="instant")
    async with run_server("127.0.0.1", 0, sessions=[spec]) as server:
        assert await watch([server.url], plain=True, refresh_per_second=50) == 0
    text = capsys.readouterr().out
    assert "\x1b[?25l" not in text  # no live screen (it hides the cursor)
    assert "The bell! Timothy Cheruiyot leads" in text
    assert build_parser().parse_args(["watch", "ws://x", "--plain"]).plain is True


async def test_watch_of_an_unknown_session_says_so_and_fails() -> None:
    """A session that does not exist gives exit code 1 and the server's reason."""
    out = io.StringIO()
    async with run_server("127.0.0.1", 0) as server:
        code = await watch([server.url], session="nope", console=Console(file=out))
    assert code == 1
    assert "unknown_session" in out.getvalue()


async def _control(url: str, action: str, **fields: object) -> None:
    """Drive the session's clock with its token; wait for the server's answer."""
    async with ws_connect(url) as ws:
        message = {"op": "control", "session": "main", "token": TOKEN, "action": action, **fields}
        await ws.send(json.dumps(message))
        reply = json.loads(await ws.recv())
        assert reply["op"] == "replay_state", reply


async def _until(predicate: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"waited {timeout} s for {what}")


async def test_watch_shows_a_lost_connection_then_announces_the_restarted_session() -> None:
    """The server dies at the bell: 'connection lost'; it comes back at the start: 'restarted'.

    The blog keeps its commentary up to where the new run stands, instead of a blank
    screen or a silent rewind.
    """
    events = load_scenario("tokyo-2025-m1500-final").events
    bell = next(e.seq for e in events if e.type == "split_recorded" and e.data.distance_m == 1100)  # type: ignore[union-attr]
    spec = SessionSpec(name="main", scenario="tokyo-2025-m1500-final", paused=True, token=TOKEN)
    out = io.StringIO()
    blog = LiveBlog()
    async with run_server("127.0.0.1", 0, sessions=[spec]) as first:
        port = first.port
        await _control(first.url, "seek", seq=bell)
        watching = asyncio.create_task(
            watch([first.url], console=Console(file=out, width=140), blog=blog,
                  refresh_per_second=50)
        )  # fmt: skip
        await _until(lambda: "The bell!" in out.getvalue(), "the bell")
    await _until(lambda: "-- connection lost; reconnecting" in out.getvalue(), "the lost link")
    # The new server has the session from the moment it listens (no load in between).
    again = SessionSpec(name="main", events=events, title="again", paused=True, token=TOKEN)
    async with run_server("127.0.0.1", port, sessions=[again]) as second:
        await _until(lambda: "-- reconnected" in out.getvalue(), "the reconnection")
        await _until(lambda: blog.notice is not None, "the restart notice")
        assert blog.notice is not None
        assert blog.notice.startswith("Session restarted: back at ")
        assert blog.notice.endswith("(was at 2:41.5)")
        assert f"-- {blog.notice}" in out.getvalue()
        await _control(second.url, "seek", seq=20)
        await _until(lambda: blog.projection.head_seq == 20, "seq 20 of the new run")
        assert blog.lines == narrate(events[:20])  # kept up to the snapshot, then told again
        await _control(second.url, "speed", speed=1000)
        await _control(second.url, "play")
        assert await asyncio.wait_for(watching, 15) == 0
    assert "OFFICIAL: Nader wins in 3:34.10" in out.getvalue()
