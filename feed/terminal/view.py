"""Drive the terminal live blog: follow a stream of events live, or play a recorded one.

``watch_feed`` draws a ``rich.live.Live`` display from an async stream of events. It
redraws when an event comes and between events when what is shown changes (the
race clock ticking, the age of the last update while offline), at most
``refresh_per_second`` times a second, always on the event loop. ``poll`` is called
before each draw: ``racefeed watch`` uses it to tell the blog the feed's connection
and clock. On a console that is not a terminal, the commentary is printed as plain
lines as it comes (a lost connection too), then the final screen once.

``play_log`` replays recorded events without pacing: one screen per event on a
terminal, else the commentary then the final screen.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterable

from rich.console import Console
from rich.live import Live

from feed.events import Event
from feed.terminal.blog import LiveBlog, focus_of
from feed.terminal.screen import Screen
from feed.timing import format_clock

__all__ = ["Poll", "play_log", "watch_feed"]

Poll = Callable[[LiveBlog, float], None]
"""Called with the blog and the loop time before each draw, to update it from the feed."""


async def watch_feed(
    events: AsyncIterator[Event],
    console: Console,
    *,
    refresh_per_second: float = 8,
    blog: LiveBlog | None = None,
    poll: Poll | None = None,
) -> None:
    """Show a live blog of ``events`` until the stream ends.

    Pass ``blog`` to keep a handle on it (to ``reset`` it from a snapshot, say).
    """
    blog = blog if blog is not None else LiveBlog()
    loop = asyncio.get_running_loop()
    interval = 1 / refresh_per_second
    plain = not console.is_terminal
    iterator = aiter(events)
    pending: asyncio.Future[Event] = asyncio.ensure_future(anext(iterator))
    live = None if plain else Live(console=console, auto_refresh=False, transient=False)
    drawn: tuple[object, ...] | None = None
    drawn_at = -interval
    said = _Said(blog)
    try:
        if live is not None:
            live.start()
        while True:
            done, _ = await asyncio.wait({pending}, timeout=interval)
            now = loop.time()
            if poll is not None:
                poll(blog, now)
            if pending in done:
                try:
                    event = pending.result()
                except StopAsyncIteration:
                    break
                pending = asyncio.ensure_future(anext(iterator))
                blog.apply(event, now)
            if plain:
                said.print_new(console)
                continue
            shown = _signature(blog, now)
            if shown != drawn and now - drawn_at >= interval:
                assert live is not None
                live.update(Screen(blog, now, console.size.height), refresh=True)
                drawn, drawn_at = shown, now
        if plain:
            said.print_new(console)
            console.print(Screen(blog))
        elif live is not None:
            live.update(Screen(blog, loop.time(), console.size.height), refresh=True)
    finally:
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
            await pending
        if live is not None:
            live.stop()


def play_log(events: Iterable[Event], console: Console) -> None:
    """Replay recorded ``events`` without pacing: one screen per event on a terminal.

    On a console that is not a terminal the commentary is printed as plain lines,
    then the final screen once.
    """
    blog = LiveBlog()
    if not console.is_terminal:
        said = _Said(blog)
        for event in events:
            blog.apply(event)
            said.print_new(console)
        console.print(Screen(blog))
        return
    for event in events:
        blog.apply(event)
        console.clear()
        console.print(Screen(blog, height=console.size.height))


def _signature(blog: LiveBlog, now: float) -> tuple[object, ...]:
    """What a redraw would change: the events folded, the clock shown, the link, the notice."""
    race = focus_of(blog.projection)
    clock = None if race is None else format_clock(blog.clock_ms(race, now))
    return (blog.projection.head_seq, len(blog.lines), clock, blog.offline_text(now), blog.notice)


class _Said:
    """Prints, off a terminal, what is new since last time: lines, a lost link, a notice."""

    def __init__(self, blog: LiveBlog) -> None:
        self.blog = blog
        self.printed = 0
        self.connected = blog.connected
        self.notice: str | None = None

    def print_new(self, console: Console) -> None:
        blog = self.blog
        lines = blog.lines
        self.printed = min(self.printed, len(lines))  # a reset drops lines past its snapshot
        several = len(blog.projection.race_ids()) > 1
        for line in lines[self.printed :]:
            where = f"{line.race} " if several else ""
            console.print(
                f"{where}{line.clock}  {line.text}", markup=False, highlight=False, soft_wrap=True
            )
        self.printed = len(lines)
        if blog.connected != self.connected:
            if blog.connected is False:
                console.print("-- connection lost; reconnecting", markup=False, highlight=False)
            elif self.connected is False:
                console.print("-- reconnected", markup=False, highlight=False)
            self.connected = blog.connected
        if blog.notice is not None and blog.notice != self.notice:
            console.print(f"-- {blog.notice}", markup=False, highlight=False)
            self.notice = blog.notice
