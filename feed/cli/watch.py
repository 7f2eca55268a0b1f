"""``racefeed watch``: the terminal live blog of a feed, over the client SDK."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from rich.console import Console

from clients.terminal import LiveBlog, watch_feed
from feed.client import connect
from feed.errors import FeedError

__all__ = ["register", "watch"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``watch``."""
    parser = subparsers.add_parser(
        "watch",
        help="show a feed as a live blog in the terminal",
        description=(
            "Follow a session and show it as a live blog: race clock, running order with "
            "gaps, commentary, the result table and the medal table. Reconnects and resumes "
            "by itself; give several URLs to fail over between servers."
        ),
        epilog="Example: racefeed watch ws://127.0.0.1:8765 --session main",
    )
    parser.add_argument("urls", nargs="+", metavar="URL", help="ws://host:port of a server")
    parser.add_argument("--session", default="main", help="the session to follow")
    parser.add_argument("--from-seq", type=int, default=None, help="start at this seq")
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    return asyncio.run(watch(args.urls, session=args.session, from_seq=args.from_seq))


async def watch(
    urls: Sequence[str],
    *,
    session: str = "main",
    from_seq: int | None = None,
    console: Console | None = None,
) -> int:
    """Show the live blog of ``session`` until the replay ends; the exit code."""
    console = console or Console()
    blog = LiveBlog()
    try:
        async with connect(urls, session=session, from_seq=from_seq) as feed:
            feed.on_reset(blog.reset)
            await watch_feed(feed, console, blog=blog)
    except FeedError as exc:
        console.print(f"[bold red]racefeed watch:[/] {exc}")
        return 1
    return 0
