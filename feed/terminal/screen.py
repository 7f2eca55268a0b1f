"""The terminal live blog's screen: a header, the main table, the commentary, laid out to fit.

``Screen`` is a rich renderable. Given a height (a live terminal) it fits it: the
main table (start list, running order or result) is always whole; the commentary
panel beside it (below it when the table leaves it under ``_SIDE_MIN`` columns)
shows the pinned key moments, then the latest lines, as many as fit; the medal
table and the splits table come where there is room. At 80x24 the tables are
compact (short names, fewer columns) so that the commentary keeps a readable
column. Without a height (printed, not live) everything is shown.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from feed.events import ResultStatus
from feed.narrative import NarrativeLine
from feed.projections import RaceStateView, Standings
from feed.terminal.blog import LiveBlog, focus_of
from feed.terminal.tables import (
    medal_table,
    result_table,
    running_order,
    short_name,
    splits_table,
    start_list,
)
from feed.timing import format_clock

__all__ = ["COMMENTARY_LINES", "STATUS_LABELS", "Screen"]

COMMENTARY_LINES = 12
"""How many of the latest lines a screen without a height shows (besides pinned ones)."""

STATUS_LABELS: dict[ResultStatus, tuple[str, str]] = {
    "start_list": ("START LIST", "bold white on blue"),
    "live": ("LIVE", "bold white on red"),
    "unofficial": ("UNOFFICIAL", "bold black on yellow"),
    "official": ("OFFICIAL", "bold white on green"),
    "protested": ("PROTESTED", "bold white on magenta"),
}
_SIDE_MIN = 30  # narrowest commentary column worth having beside the table
_CLOCK_WIDTH = 7  # "-0:30.0", "10:02.5"


class Screen:
    """One screen of ``blog`` at ``now``, fitted to ``height`` lines when one is given."""

    def __init__(self, blog: LiveBlog, now: float | None = None, height: int | None = None):
        self.blog = blog
        self.now = now
        self.height = height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        projection = self.blog.projection
        race = focus_of(projection)
        if race is None:
            yield Panel(Text("Waiting for the start list...", style="dim"), box=box.ROUNDED)
            return
        state = projection.race_state(race)
        table = projection.standings(race)
        compact = width < 110 or (self.height is not None and self.height < 30)
        header = _header(self.blog, race, (state, table), self.now, width)
        main = _main(state, table, compact)
        medals = projection.medal_table()
        extras: list[RenderableType] = [medal_table(medals)] if medals.races_counted else []
        splits = splits_table(state, compact, width) if state.splits.leaders else None
        commentary = _Commentary(console, self.blog, race)
        yield header
        if self.height is None:
            side_width = max(_SIDE_MIN, width - _width(console, options, main) - 1)
            yield _beside(console, options, main, commentary.panel(side_width, None))
            yield from extras
            if splits is not None:
                yield splits
            return
        body = _Body(console, options, self.height - _lines(console, options, header))
        yield from body.fit(main, extras, splits, commentary)


def _lines(console: Console, options: ConsoleOptions, renderable: RenderableType) -> int:
    return len(console.render_lines(renderable, options, pad=False))


def _width(console: Console, options: ConsoleOptions, renderable: RenderableType) -> int:
    # rich measures an unpadded table one column short of what it draws: allow for it
    return min(options.max_width, Measurement.get(console, options, renderable).maximum + 1)


class _Body:
    """The part of the screen below the header, ``height`` lines."""

    def __init__(self, console: Console, options: ConsoleOptions, height: int) -> None:
        self.console = console
        self.options = options
        self.height = height

    def lines(self, renderable: RenderableType, width: int | None = None) -> int:
        options = self.options if width is None else self.options.update_width(width)
        return _lines(self.console, options, renderable)

    def fit(
        self,
        main: RenderableType,
        extras: list[RenderableType],
        splits: RenderableType | None,
        commentary: _Commentary,
    ) -> Iterable[RenderableType]:
        """The main table whole, the commentary beside it (or below), the rest where it fits."""
        width, height = self.options.max_width, self.height
        main_width = min(width, _width(self.console, self.options, main))
        left: list[RenderableType] = [main]
        left_height = self.lines(main, main_width)
        side_width = width - main_width - 1
        if side_width < _SIDE_MIN:  # stacked: the table, then what fits below it
            yield main
            rest = height - left_height
            for extra in extras:
                if self.lines(extra) <= rest - 4:
                    yield extra
                    rest -= self.lines(extra)
            if rest >= 4:
                yield commentary.panel(width, rest)
            return
        if splits is not None:  # under the table, widening its column if the side still fits
            splits_width = max(main_width, _width(self.console, self.options, splits))
            splits_height = self.lines(splits, splits_width)
            if width - splits_width - 1 >= _SIDE_MIN and left_height + splits_height <= height:
                left.append(splits)
                left_height += splits_height
                main_width, side_width = splits_width, width - splits_width - 1
        right: list[RenderableType] = []
        right_height = 0
        for extra in extras:
            extra_height = self.lines(extra, side_width)
            if right_height + extra_height <= height - 6:
                right.append(extra)
                right_height += extra_height
        body_height = height if height > 0 else left_height
        right.append(commentary.panel(side_width, max(3, body_height - right_height)))
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(width=main_width)
        grid.add_column(width=side_width)
        grid.add_row(Group(*left), Group(*right))
        yield grid


def _beside(
    console: Console, options: ConsoleOptions, main: RenderableType, side: RenderableType
) -> RenderableType:
    width = options.max_width
    main_width = min(width, _width(console, options, main))
    if width - main_width - 1 < _SIDE_MIN:
        return Group(main, side)
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(width=main_width)
    grid.add_column(width=width - main_width - 1)
    grid.add_row(main, side)
    return grid


def _main(state: RaceStateView, table: Standings, compact: bool) -> RenderableType:
    if table.status == "start_list":
        return start_list(state, compact)
    if table.status == "live":
        return running_order(state, compact)
    return result_table(table, STATUS_LABELS[table.status][0], compact)


def _header(
    blog: LiveBlog,
    race: str,
    views: tuple[RaceStateView, Standings],
    now: float | None,
    width: int,
) -> RenderableType:
    state, table = views
    info = blog.projection.state.races[race].info
    title = Text(" · ".join(p for p in (info.championship, info.event, info.round) if p))
    title.stylize("bold")
    title.truncate(width, overflow="ellipsis")
    label, style = STATUS_LABELS[table.status]
    status = Text.assemble((f" {label} ", style), " ")
    status.append(format_clock(blog.clock_ms(race, now)), style="bold cyan")
    if table.status == "live" and state.laps_to_go:
        status.append("  ")
        if state.laps_to_go == 1:
            status.append("BELL: last lap", style="bold yellow")
        else:
            status.append(f"{state.laps_to_go} laps to go")
    offline = blog.offline_text(now)
    if offline is not None:
        status.append(f"  {offline}", style="bold white on red")
    if blog.notice:
        status.append(f"  {blog.notice}", style="bold black on yellow")
    lines = [title, status, _headline(state, table)]
    for line in lines[1:]:
        line.no_wrap = False
    return Group(*lines)


def _headline(state: RaceStateView, table: Standings) -> Text:
    """One line on the result or the race: the photo under review, the winner, the leader."""
    if table.notice is not None:
        names = ", ".join(short_name(r.name) for r in table.rows if r.under_review)
        text = Text(f" {table.notice.upper()} ", style="bold white on magenta")
        if names:
            text.append(f" {names}")
        return text
    winners = [row for row in table.rows if row.place == 1]
    if table.winner_label is not None and winners:
        text = Text(f"{table.winner_label}: ", style="bold")
        text.append(" & ".join(f"{r.name} {r.nation} {r.time}" for r in winners))
        return text
    leader = next((r for r in state.order if r.athlete_id == state.leader), None)
    if leader is not None:
        text = Text("Leader: ", style="bold")
        text.append(f"{leader.name} {leader.nation} at {leader.distance_m} m")
        chasers = [r for r in state.order[1:3] if r.gap_text and r.status == "running"]
        if chasers:
            text.append("  " + "  ".join(f"{short_name(r.name)} {r.gap_text}" for r in chasers))
        return text
    records = "  ".join(f"{r.kind} {r.time_text}" for r in state.records)
    text = Text(f"Start list: {len(state.start_list)} athletes", style="bold")
    if records:
        text.append(f"  {records}")
    return text


class _Commentary:
    """The commentary panel: pinned key moments (oldest first), then the latest lines."""

    def __init__(self, console: Console, blog: LiveBlog, race: str) -> None:
        self.console = console
        self.blog = blog
        self.race = race
        self.titles = {table.race: table.title for table in blog.projection.all_standings()}

    def panel(self, width: int, height: int | None) -> RenderableType:
        """The panel, ``width`` wide; the lines that fit in ``height`` rows (all if ``None``)."""
        text_width = max(10, width - 4 - _CLOCK_WIDTH - 1)
        lines = self.blog.lines
        pinned = [line for line in lines if line.pinned]
        others = [line for line in reversed(lines) if not line.pinned]
        budget = None if height is None else height - 2  # the panel's borders
        rows: list[tuple[str, Text]] = []
        used = 0
        if pinned:
            shown = pinned if budget is None else pinned[-max(1, budget - 3) :]
            rows.append(("", Text("Key moments", style="bold cyan")))
            for line in shown:
                text = self._text(line)
                if budget is not None:  # one row each: an index of the race, not the story
                    text.no_wrap, text.overflow = True, "ellipsis"
                rows.append((line.clock, text))
            used = 1 + (len(shown) if budget is not None else self._rows(shown, text_width))
        latest = others if budget is not None else others[:COMMENTARY_LINES]
        if latest and (budget is None or budget - used >= 2):
            rows.append(("", Text("Latest", style="bold cyan")))
            used += 1
            for line in latest:
                needed = self._height(line, text_width)
                if budget is not None and used + needed > budget:
                    break
                rows.append((line.clock, self._text(line)))
                used += needed
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(justify="right", style="dim cyan", no_wrap=True, width=_CLOCK_WIDTH)
        grid.add_column(width=text_width)
        for clock, text in rows:
            grid.add_row(clock, text)
        return Panel(
            grid,
            title="Commentary",
            title_align="left",
            box=box.ROUNDED,
            height=height,
            width=width,
        )

    def _text(self, line: NarrativeLine) -> Text:
        text = Text()
        if line.race != self.race and line.race in self.titles and len(self.titles) > 1:
            text.append(f"{self.titles[line.race]}: ", style="dim")
        style = "bold" if line.emphasis else ("italic" if line.kind == "commentary" else "")
        text.append(line.text, style=style)
        return text

    def _height(self, line: NarrativeLine, width: int) -> int:
        return len(self._text(line).wrap(self.console, width))

    def _rows(self, lines: list[NarrativeLine], width: int) -> int:
        return sum(self._height(line, width) for line in lines)
