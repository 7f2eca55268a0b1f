"""``racefeed watch`` follows a real server and ends on the official result."""

from __future__ import annotations

import io

from rich.console import Console

from feed.cli.watch import watch
from feed.server import SessionSpec, run_server


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


async def test_watch_of_an_unknown_session_says_so_and_fails() -> None:
    """A session that does not exist gives exit code 1 and the server's reason."""
    out = io.StringIO()
    async with run_server("127.0.0.1", 0) as server:
        code = await watch([server.url], session="nope", console=Console(file=out))
    assert code == 1
    assert "unknown_session" in out.getvalue()
