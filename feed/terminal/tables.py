"""The tables of the terminal live blog, drawn from the views' own texts.

Every time, gap and clock comes from the views (``time_text``, ``gap_text``,
``clock_text`` ...); nothing here rounds or computes a time. ``compact`` tables
fit beside the commentary in 80 columns: short names, fewer columns.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from feed.projections import MedalTable, RaceStateView, StandingRow, Standings
from feed.projections.views import RunnerView

__all__ = [
    "MEDAL_STYLES",
    "medal_table",
    "result_table",
    "running_order",
    "short_name",
    "splits_table",
    "start_list",
]

MEDAL_STYLES = {
    "gold": "bold black on yellow",
    "silver": "bold black on grey70",
    "bronze": "bold white on dark_orange3",
}
_OUT_OF_RACE = {"dnf": "DNF", "dns": "DNS", "dq": "DQ"}
_UNDER_REVIEW = Text("PHOTO", style="bold white on magenta")
_SPLIT_WIDTH = 14  # "12:59.38 (14)" and a space


def short_name(name: str) -> str:
    """``"Timothy Cheruiyot"`` as ``"T. Cheruiyot"``, for narrow screens."""
    parts = name.split()
    if len(parts) < 2:
        return name
    return f"{parts[0][0]}. {' '.join(parts[1:])}"


def _table(title: str, compact: bool) -> Table:
    return Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 1 if not compact else 0),
        pad_edge=False,
        collapse_padding=True,
        show_edge=False,
    )


def _name(name: str, compact: bool) -> str:
    return short_name(name) if compact else name


def start_list(state: RaceStateView, compact: bool) -> Table:
    """The start list before the gun: order, bib, athlete, nation, PB, SB; records below."""
    table = _table("Start list", compact)
    table.add_column("#", justify="right")
    table.add_column("Bib", justify="right")
    table.add_column("Athlete", no_wrap=True)
    table.add_column("Nat", no_wrap=True)
    table.add_column("PB", justify="right", no_wrap=True)
    table.add_column("SB", justify="right", no_wrap=True)
    for entry in state.start_list:
        table.add_row(
            str(entry.order),
            str(entry.bib),
            _name(entry.name, compact),
            entry.nation,
            entry.pb_text or "-",
            entry.sb_text or "-",
            style="dim" if entry.dns else None,
        )
    records = "  ".join(
        f"{r.kind} {r.time_text}" + (f" {r.holder}" if r.holder and not compact else "")
        for r in state.records
    )
    if records:
        table.caption = records
        table.caption_justify = "left"
    return table


def _flag(runner: RunnerView) -> Text | str:
    if runner.under_review:
        return _UNDER_REVIEW
    if runner.incident:
        return Text(f"! {runner.incident}", style="bold red")
    return ""


def running_order(state: RaceStateView, compact: bool) -> Table:
    """Position, athlete, where they are, their time there and the gap; the flags at the end."""
    table = _table("Running order", compact)
    table.add_column("Pos", justify="right")
    if not compact:
        table.add_column("Bib", justify="right")
    table.add_column("Athlete", no_wrap=True)
    table.add_column("Nat", no_wrap=True)
    table.add_column("At", justify="right", no_wrap=True)
    table.add_column("Time", justify="right", no_wrap=True)
    table.add_column("Gap", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, max_width=16 if not compact else 6)
    for runner in state.order:
        out = _OUT_OF_RACE.get(runner.status)
        if out is not None:
            where = out
        elif runner.status == "finished":
            where = "Fin"
        else:
            where = f"{runner.distance_m} m" if runner.elapsed_ms is not None else ""
        cells: list[Text | str] = ["" if runner.position is None else str(runner.position)]
        if not compact:
            cells.append(str(runner.bib))
        flag = _flag(runner)
        if compact and isinstance(flag, Text) and flag.plain.startswith("!"):
            flag = Text("!", style="bold red")
        cells += [
            _name(runner.name, compact),
            runner.nation,
            where,
            _estimate(runner, runner.time_text),
            _estimate(runner, runner.gap_text),
            flag,
        ]
        table.add_row(*cells, style="dim" if out else None)
    return table


def _estimate(runner: RunnerView, text: str) -> str:
    """An interpolated split's time or gap, marked as the estimate it is."""
    return f"~{text}" if runner.estimated and text else text


def _marks(row: StandingRow) -> Text:
    text = Text(" ".join(row.annotations))
    if row.mark is not None:
        text.append(" " if text else "")
        text.append(row.mark if row.rule is None else f"{row.mark} {row.rule}")
    if row.under_review:
        text.append(" " if text else "")
        text.append_text(_UNDER_REVIEW)
    if row.incident:
        text.append(" " if text else "")
        text.append(f"! {row.incident}", style="bold red")
    return text


def result_table(table: Standings, label: str, compact: bool) -> Table:
    """The result: place (in its medal colour once it may wear one), time, gap and marks."""
    result = _table(f"Result ({label})", compact)
    result.add_column("Pl", justify="right")
    result.add_column("Athlete", no_wrap=True)
    result.add_column("Nat", no_wrap=True)
    result.add_column("Time", justify="right", no_wrap=True)
    shared = any(row.thousandths for row in table.rows)
    if shared:
        result.add_column("1/1000", justify="right", no_wrap=True)
    if not compact:
        result.add_column("Gap", justify="right", no_wrap=True)
    result.add_column("Marks", no_wrap=True)
    for row in table.rows:
        if row.place is None and row.mark is None:
            continue  # still running: the running order shows them
        place = Text("" if row.place is None else str(row.place))
        if row.medal is not None:
            place.stylize(MEDAL_STYLES[row.medal])
        cells: list[Text | str] = [place, _name(row.name, compact), row.nation, row.time or ""]
        if shared:
            cells.append(row.thousandths or "")
        if not compact:
            cells.append(row.gap_text)
        cells.append(_marks(row))
        result.add_row(*cells, style="dim" if row.mark else None)
    return result


def splits_table(state: RaceStateView, compact: bool, width: int) -> Table:
    """The leader, time and lap at every lap mark; then each athlete's time (and place) there.

    A long race has more marks than ``width`` holds: the latest ones reached are shown.
    """
    splits = state.splits
    leaders = {lead.distance_m: lead for lead in splits.leaders}
    room = max(1, (width - 14) // _SPLIT_WIDTH)
    reached = [i for i, mark in enumerate(splits.marks) if mark in leaders] or [0]
    first = max(0, min(reached[-1] + 1, len(splits.marks)) - room)
    shown = list(range(first, min(len(splits.marks), first + room)))
    table = _table("Splits", compact)
    table.add_column("Athlete", no_wrap=True)
    for index in shown:
        mark = splits.marks[index]
        heading = "Fin" if mark == state.distance_m else f"{mark} m"
        table.add_column(heading, justify="right", no_wrap=True)
    found = [leaders.get(splits.marks[index]) for index in shown]
    table.add_row(
        Text("Leader", style="bold"),
        *(Text(short_name(lead.name), style="bold") if lead else "" for lead in found),
    )
    table.add_row(Text("  time"), *(lead.time_text if lead else "" for lead in found))
    table.add_row(
        Text("  lap"), *(lead.lap_text if lead else "" for lead in found), end_section=True
    )
    for row in splits.rows:
        cells: list[Text | str] = [short_name(row.name)]
        for index in shown:
            cell = row.cells[index]
            cells.append(f"{cell.time_text} ({cell.position})" if cell.time_text else "")
        table.add_row(*cells)
    return table


def medal_table(medals: MedalTable) -> Table:
    """Nations by golds, silvers, bronzes."""
    table = _table("Medal table", compact=True)
    table.add_column("Rk", justify="right")
    table.add_column("Nat")
    for heading in ("G", "S", "B", "Tot"):
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
