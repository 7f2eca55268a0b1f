"""A live blog in the terminal, drawn with rich from the projection views and narrator lines.

``LiveBlog`` folds events into a ``Projection`` and a ``Narrator`` and draws one
screen: a header (championship, event, round, race clock, result status, laps to
go), the running order beside the commentary (latest first), the result table below
once anyone has finished, and the medal table once a race counts. When the race is
run (unofficial, official or protested) the result table takes the running order's
place, so the final screen fits a terminal. The screen shows the race most recently
started (or, before any gun, the latest scheduled).

``watch_feed`` drives a ``rich.live.Live`` display from an async stream of events;
``play_log`` replays a recorded stream. On a console that is not a terminal both
print the commentary as plain lines, then the final screen once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from feed.events import Event, ResultStatus
from feed.narrative import NarrativeLine, Narrator
from feed.projections import (
    MedalTable,
    Projection,
    RaceStateView,
    RunnerView,
    StandingRow,
    Standings,
)
from feed.timing import format_clock, format_gap, format_time, official_ms

__all__ = ["COMMENTARY_LINES", "LiveBlog", "play_log", "watch_feed"]

COMMENTARY_LINES = 12
"""How many of the latest commentary lines the screen shows."""

_BADGES: dict[ResultStatus, tuple[str, str]] = {
    "start_list": ("START LIST", "bold white on blue"),
    "live": ("LIVE", "bold white on red"),
    "unofficial": ("UNOFFICIAL", "bold black on yellow"),
    "official": ("OFFICIAL", "bold white on green"),
    "protested": ("PROTESTED", "bold white on magenta"),
}
_OUT_OF_RACE = {"dnf": "DNF", "dns": "DNS", "dq": "DQ"}


class LiveBlog:
    """The state behind the screen: a projection and a narrator, fed one event at a time."""

    def __init__(self) -> None:
        self._projection = Projection()
        self._narrator = Narrator()

    @property
    def projection(self) -> Projection:
        """The projection the screen is drawn from."""
        return self._projection

    @property
    def lines(self) -> Sequence[NarrativeLine]:
        """Every commentary line so far, oldest first."""
        return self._narrator.lines

    def apply(self, event: Event) -> None:
        """Fold one event in; a seq already applied is a duplicate delivery and is ignored.

        Raises:
            SequenceError: the event skips ahead of the next expected seq.
        """
        if event.seq <= self._projection.head_seq:
            return
        self._projection.apply(event)
        self._narrator.apply(event, self._projection)

    def reset(self, projection: Projection) -> None:
        """Start again from ``projection`` (a snapshot), dropping the commentary so far."""
        self._projection = projection
        self._narrator = Narrator.from_projection(projection)

    def render(self) -> RenderableType:
        """The whole screen as it stands."""
        race = _focus(self._projection)
        if race is None:
            return Panel(Text("Waiting for the start list...", style="dim"), box=box.ROUNDED)
        state = self._projection.race_state(race)
        table = self._projection.standings(race)
        commentary = _commentary(self._projection, race, self.lines)
        finished = any(row.time_ms is not None for row in table.rows)
        medals = self._projection.medal_table()
        parts: list[RenderableType] = [_header(self._projection, race, state, table)]
        if table.status in ("start_list", "live"):
            parts.append(_side_by_side((_running_order(state), None), (commentary, 1)))
            if finished:
                parts.append(_result(table))
        else:  # the race is run: the result takes the running order's place
            parts.append(_side_by_side((_result(table), None), (commentary, 1)))
        if medals.races_counted:
            parts.append(_medals(medals))
        return Group(*parts)


async def watch_feed(
    events: AsyncIterator[Event],
    console: Console,
    *,
    refresh_per_second: float = 8,
    blog: LiveBlog | None = None,
) -> None:
    """Show a live blog of ``events`` until the stream ends, redrawing at a bounded rate.

    The screen is rebuilt on the event loop (never on a refresh thread), at most once
    per refresh interval however fast the events come, and once more after the last.
    On a console that is not a terminal, commentary is printed as plain lines instead.
    Pass ``blog`` to keep a handle on it (to ``reset`` it from a snapshot, say).
    """
    blog = blog if blog is not None else LiveBlog()
    if not console.is_terminal:
        async for event in events:
            _print_new_lines(blog, event, console)
        console.print(blog.render())
        return
    loop = asyncio.get_running_loop()
    interval = 1 / refresh_per_second
    with Live(blog.render(), console=console, auto_refresh=False, transient=False) as live:
        drawn_at = -interval
        pending: asyncio.TimerHandle | None = None

        def draw() -> None:
            nonlocal drawn_at, pending
            pending = None
            drawn_at = loop.time()
            live.update(blog.render(), refresh=True)

        try:
            async for event in events:
                blog.apply(event)
                wait = drawn_at + interval - loop.time()
                if wait <= 0:
                    if pending is not None:
                        pending.cancel()
                    draw()
                elif pending is None:  # a quiet spell still gets the latest event drawn
                    pending = loop.call_later(wait, draw)
        finally:  # never draw into a display that has been torn down
            if pending is not None:
                pending.cancel()
        draw()


def play_log(events: Iterable[Event], console: Console) -> None:
    """Replay recorded ``events`` without pacing: one screen per event on a terminal.

    On a console that is not a terminal the commentary is printed as plain lines,
    then the final screen once.
    """
    blog = LiveBlog()
    if not console.is_terminal:
        for event in events:
            _print_new_lines(blog, event, console)
        console.print(blog.render())
        return
    for event in events:
        blog.apply(event)
        console.clear()
        console.print(blog.render())


def _print_new_lines(blog: LiveBlog, event: Event, console: Console) -> None:
    before = len(blog.lines)
    blog.apply(event)
    several = len(blog.projection.race_ids()) > 1
    for line in blog.lines[before:]:
        where = f"{line.race} " if several else ""
        console.print(
            f"{where}{format_clock(line.race_ms)}  {line.text}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


def _focus(projection: Projection) -> str | None:
    """The race on screen: the latest one started, else the latest scheduled."""
    races = projection.race_ids()
    for race in reversed(races):
        if projection.standings(race).status != "start_list":
            return race
    return races[-1] if races else None


def _side_by_side(*columns: tuple[RenderableType, int | None]) -> RenderableType:
    """Renderables in columns: (renderable, ratio), where ``None`` keeps its natural width."""
    grid = Table.grid(expand=True, padding=(0, 1))
    for _, ratio in columns:
        grid.add_column(ratio=ratio)
    grid.add_row(*(renderable for renderable, _ in columns))
    return grid


def _header(
    projection: Projection, race: str, state: RaceStateView, table: Standings
) -> RenderableType:
    info = projection.state.races[race].info
    heading = Text(" · ".join(part for part in (info.event, info.round) if part) or table.title)
    heading.stylize("bold")
    if info.venue:
        heading.append(f"  {info.venue}", style="dim")
    label, style = _BADGES[table.status]
    status = Text.assemble(
        (f" {label} ", style), "  ", (format_clock(state.clock_ms), "bold cyan"), "  "
    )
    if table.status == "live" and state.laps_to_go is not None and state.laps_to_go > 0:
        if state.laps_to_go == 1:
            status.append("BELL: last lap", style="bold yellow")
        else:
            status.append(f"{state.laps_to_go} laps to go")
    return Panel(
        Group(heading, status),
        title=info.championship or None,
        title_align="left",
        box=box.ROUNDED,
    )


def _running_order(state: RaceStateView) -> RenderableType:
    table = Table(title="Running order", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Pos", justify="right", width=3)
    table.add_column("Bib", justify="right", width=4)
    table.add_column("Name", no_wrap=True, min_width=18)
    table.add_column("Nat", width=3)
    table.add_column("At", justify="right", no_wrap=True, width=8)
    table.add_column("Gap", justify="right", no_wrap=True, width=7)
    table.add_column("", no_wrap=True, min_width=16)
    winner = state.order[0] if state.order and state.order[0].status == "finished" else None
    for runner in state.order:
        table.add_row(
            "" if runner.position is None else str(runner.position),
            str(runner.bib),
            runner.name,
            runner.nation,
            _where(runner),
            _gap(runner, winner),
            Text(f"! {runner.incident}", style="bold red") if runner.incident else "",
            style="dim" if runner.status in _OUT_OF_RACE else None,
        )
    return table


def _gap(runner: RunnerView, winner: RunnerView | None) -> str:
    """The gap as a result reads it: between official times once both have finished."""
    if (
        winner is not None
        and runner is not winner
        and runner.status == "finished"
        and runner.elapsed_ms is not None
        and winner.elapsed_ms is not None
    ):
        return format_gap(official_ms(runner.elapsed_ms) - official_ms(winner.elapsed_ms))
    if runner.gap_ms is None:
        return ""
    # An interpolated split is an estimate: say so rather than show it as timed.
    return ("~" if runner.estimated else "") + format_gap(runner.gap_ms)


def _where(runner: RunnerView) -> str:
    if runner.status in _OUT_OF_RACE:
        return _OUT_OF_RACE[runner.status]
    if runner.status == "finished" and runner.elapsed_ms is not None:
        return format_time(runner.elapsed_ms)
    return f"{runner.distance_m} m" if runner.elapsed_ms is not None else ""


def _commentary(
    projection: Projection, race: str, lines: Sequence[NarrativeLine]
) -> RenderableType:
    titles = {table.race: table.title for table in projection.all_standings()}
    shown = Table.grid(padding=(0, 1))
    shown.add_column(justify="right", style="dim cyan", no_wrap=True)
    shown.add_column(ratio=1)
    for line in reversed(lines[-COMMENTARY_LINES:]):
        text = Text()
        if line.race != race and line.race in titles:
            text.append(f"{titles[line.race]}: ", style="dim")
        style = "bold" if line.emphasis else ("italic" if line.kind == "commentary" else "")
        text.append(line.text, style=style)
        shown.add_row(format_clock(line.race_ms), text)
    return Panel(shown, title="Commentary", title_align="left", box=box.ROUNDED)


def _result(table: Standings) -> RenderableType:
    label = _BADGES[table.status][0]
    result = Table(
        title=f"Result: {table.title} ({label})", box=box.SIMPLE_HEAD, title_justify="left"
    )
    result.add_column("Pl", justify="right", width=3)
    result.add_column("Name", no_wrap=True, min_width=18)
    result.add_column("Nat", width=3)
    result.add_column("Time", justify="right", no_wrap=True, width=8)
    result.add_column("Marks", no_wrap=True, min_width=12)
    for row in table.rows:
        if row.place is None and row.mark is None:
            continue  # still running: the running order shows them
        result.add_row(
            "" if row.place is None else str(row.place),
            row.name,
            row.nation,
            row.time or "",
            _marks(row),
        )
    return result


def _marks(row: StandingRow) -> str:
    marks = list(row.annotations)
    if row.mark is not None:
        marks.append(row.mark if row.rule is None else f"{row.mark} {row.rule}")
    return " ".join(marks)


def _medals(medals: MedalTable) -> RenderableType:
    table = Table(title="Medal table", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("Rank", justify="right")
    table.add_column("Nation")
    for heading in ("G", "S", "B", "Total"):
        table.add_column(heading, justify="right")
    for row in medals.rows:
        table.add_row(
            str(row.rank),
            row.nation,
            str(row.gold),
            str(row.silver),
            str(row.bronze),
            str(row.total),
        )
    return table
