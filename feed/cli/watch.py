"""``racefeed watch``: the terminal live blog of a feed, over the client SDK."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence

from rich.console import Console

from feed.client import Feed, connect
from feed.errors import FeedError
from feed.projections import Projection
from feed.terminal import LiveBlog, watch_feed
from feed.terminal.view import Poll

__all__ = ["register", "watch"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``watch``."""
    parser = subparsers.add_parser(
        "watch",
        help="show a feed as a live blog in the terminal",
        description=(
            "Follow a session and show it as a live blog: race clock, running order with "
            "gaps, commentary, the result table and the medal table. Reconnects and resumes "
            "by itself, showing how long ago the last update came while it is offline; give "
            "several URLs to fail over between servers."
        ),
        epilog="Example: racefeed watch ws://127.0.0.1:8765 --session main",
    )
    parser.add_argument("urls", nargs="+", metavar="URL", help="ws://host:port of a server")
    parser.add_argument("--session", default="main", help="the session to follow")
    parser.add_argument("--from-seq", type=int, default=None, help="start at this seq")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="print the commentary as plain lines, then the final tables, even on a terminal "
        "(the default off a terminal); long lines are not wrapped",
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    return asyncio.run(
        watch(args.urls, session=args.session, from_seq=args.from_seq, plain=args.plain)
    )


async def watch(
    urls: Sequence[str],
    *,
    session: str = "main",
    from_seq: int | None = None,
    console: Console | None = None,
    refresh_per_second: float = 8,
    blog: LiveBlog | None = None,
    plain: bool = False,
) -> int:
    """Show the live blog of ``session`` until the replay ends; the exit code.

    Pass ``blog`` to keep a handle on what is shown (tests, embedding). ``plain`` prints
    lines instead of redrawing a screen, even on a terminal (a given ``console`` is
    used as it is).
    """
    if console is None:
        # Off a terminal (or asked for plain lines) nothing is redrawn, so lines keep
        # their length instead of being squeezed to a guessed 80 columns.
        console = Console(force_terminal=False, soft_wrap=True) if plain else Console()
    blog = blog if blog is not None else LiveBlog()
    loop = asyncio.get_running_loop()
    try:
        async with connect(urls, session=session, from_seq=from_seq) as feed:

            def reset(projection: Projection) -> None:
                blog.reset(projection, epoch=feed.epoch, now=loop.time())

            feed.on_reset(reset)
            await watch_feed(
                feed, console, blog=blog, poll=_poll(feed), refresh_per_second=refresh_per_second
            )
    except FeedError as exc:
        console.print(f"[bold red]racefeed watch:[/] {exc}")
        return 1
    return 0


def _poll(feed: Feed) -> Poll:
    """Tell the blog what the feed knows: its epoch, the server's clock, the connection."""

    def poll(blog: LiveBlog, now: float) -> None:
        blog.follow_epoch(feed.epoch)
        blog.set_replay(feed.replay_state, now)
        blog.set_connected(feed.connected, now)

    return poll
