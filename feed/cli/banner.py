"""What ``racefeed serve`` and ``replay`` print first: where to connect, and the control tokens.

A terminal wraps a long line wherever it ends, so a token printed at the end of a
session's line is cut in two at 80 columns and cannot be copied whole. Here every
token gets a line of its own, indented, and every line is kept within ``width``:
a long title is shortened (with an ellipsis), never the URL or the token.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["BannerSession", "banner_lines", "session_lines"]


class BannerSession(NamedTuple):
    """One named session as the banner lists it.

    Attributes:
        token: a control token good for it; ``None`` if not controlled here.
        note: where it was taken up from (``resumed from the log at ...``), if it was.
    """

    id: str
    title: str
    token: str | None
    note: str | None = None


def banner_lines(url: str, sessions: Sequence[BannerSession], width: int = 80) -> list[str]:
    """The banner: the feed and web page URLs, then each session and its control token.

    Args:
        url: the websocket URL (``ws://127.0.0.1:8765/``); the page is the same over http.
        sessions: the named sessions to list.
        width: the terminal's width; a title is shortened to keep its line within it.
    """
    web = url.replace("ws://", "http://", 1).replace("wss://", "https://", 1)
    lines = [f"racefeed: feed at {url}", f"          web page at {web}"]
    return [*lines, *session_lines(sessions, width)]


def session_lines(sessions: Sequence[BannerSession], width: int = 80) -> list[str]:
    """Each session: its id and title, then its control token and note, each on a line."""
    lines: list[str] = []
    for session in sessions:
        lines.append(_fit(f"  session {session.id}: {session.title}", width))
        if session.token is not None:
            lines.append(f"    control token: {session.token}")
        if session.note is not None:
            lines.append(_fit(f"    {session.note}", width))
    return lines


def _fit(line: str, width: int) -> str:
    return line if len(line) <= width else line[: max(1, width - 1)] + "…"
