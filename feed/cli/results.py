"""``racefeed standings`` and ``racefeed medals``: results rebuilt from a scenario's events.

``--json`` output is stable. ``standings`` prints one object::

    {"race": str, "title": str, "status": "start_list"|"live"|"unofficial"|"official"|"protested",
     "as_of_seq": int,
     "rows": [{"place": int|null, "athlete_id": str, "bib": int, "name": str, "nation": str,
               "time": str|null, "time_ms": int|null, "mark": "DNF"|"DNS"|"DQ"|null,
               "rule": str|null, "annotations": [str, ...], "gap_text": str,
               "thousandths": str|null, "medal": "gold"|"silver"|"bronze"|null,
               "under_review": bool, "incident": str|null}, ...],
     "photo_finish": "none"|"under_review"|"resolved", "winner_label": str|null,
     "notice": str|null}

``medals`` prints ``{"rows": [{"rank", "nation", "gold", "silver", "bronze", "total"}],
"awards": [{"race", "medal", "athlete_id", "name", "nation"}], "races_counted": [str]}``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

import msgspec
from rich.console import Console
from rich.table import Table

from feed.errors import RacefeedError
from feed.events import Event, RaceScheduled
from feed.io import load_scenario
from feed.projections import MedalTable, Standings, medal_table, project

__all__ = ["medals_command", "register", "show_medals", "show_standings", "standings_command"]

_STANDINGS_EPILOG = """\
examples:
  racefeed standings tokyo-2025-m1500-final
  racefeed standings tokyo-2025-m1500-final --at-race-ms 214000
  racefeed standings tokyo-2025-championship --race tokyo-2025-m1500-final --json

--json prints {"race", "title", "status", "as_of_seq", "rows": [{"place", "athlete_id",
"bib", "name", "nation", "time", "time_ms", "mark", "rule", "annotations", "gap_text",
"thousandths", "medal", "under_review", "incident"}], "photo_finish", "winner_label",
"notice"}; fields without a value are null.
"""

_MEDALS_EPILOG = """\
examples:
  racefeed medals tokyo-2025-championship
  racefeed medals tokyo-2025-m1500-final budapest-2023-m1500-final --json

A race counts once its result is official (and while protested after that); a race
named by more than one scenario counts once. --json prints {"rows": [{"rank",
"nation", "gold", "silver", "bronze", "total"}], "awards": [{"race", "medal",
"athlete_id", "name", "nation"}], "races_counted": [...]}.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``standings`` and ``medals``."""
    standings = subparsers.add_parser(
        "standings",
        help="the result table of a race, rebuilt from its events",
        description=(
            "Fold a scenario's events and print the result table of one race: places "
            "(ties share, decided at 1/1000), official times (rounded up to 1/100), "
            "DQ/DNF/DNS and PB/SB/NR/CR/WL/WR marks. By default the latest race "
            "scheduled, once every event is in."
        ),
        epilog=_STANDINGS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    standings.add_argument("scenario", metavar="SCENARIO", help="catalog id or file")
    when = standings.add_mutually_exclusive_group()
    when.add_argument(
        "--at-seq", type=int, metavar="N", help="as of seq N (events after it are left out)"
    )
    when.add_argument(
        "--at-race-ms",
        type=int,
        metavar="T",
        help="as of race time T in ms since the gun (each race has its own clock)",
    )
    standings.add_argument("--race", metavar="RACE", help="the race id (default: latest)")
    standings.add_argument("--json", action="store_true", help="print JSON for machines")
    standings.set_defaults(handler=standings_command)

    medals = subparsers.add_parser(
        "medals",
        help="the medal table over the races of one or more scenarios",
        description=(
            "Fold each scenario's events and rank nations by golds, then silvers, then "
            "bronzes over every race that is official."
        ),
        epilog=_MEDALS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    medals.add_argument("scenarios", metavar="SCENARIO", nargs="+", help="catalog ids or files")
    medals.add_argument("--json", action="store_true", help="print JSON for machines")
    medals.set_defaults(handler=medals_command)


def standings_command(args: argparse.Namespace) -> int:
    """Load the scenario and print its standings; 1 with a message on bad input."""
    try:
        loaded = _load(args.scenario)
        return show_standings(
            loaded,
            at_seq=args.at_seq,
            at_race_ms=args.at_race_ms,
            race=args.race,
            as_json=args.json,
        )
    except RacefeedError as exc:
        return _fail("standings", str(exc))


def medals_command(args: argparse.Namespace) -> int:
    """Load every scenario and print their combined medal table; 1 with a message on bad input."""
    try:
        return show_medals([_load(name) for name in args.scenarios], as_json=args.json)
    except RacefeedError as exc:
        return _fail("medals", str(exc))


def show_standings(
    events: Sequence[Event],
    *,
    at_seq: int | None = None,
    at_race_ms: int | None = None,
    race: str | None = None,
    as_json: bool = False,
    out: TextIO | None = None,
) -> int:
    """Print the standings of ``race`` (default: the latest scheduled) as of a seq or race time.

    Raises:
        RacefeedError: the events are out of order or name unknown athletes.
    """
    last = events[-1].seq if events else 0
    if at_seq is not None and not 0 <= at_seq <= last:
        return _fail("standings", f"--at-seq {at_seq}: expected 0..{last}, the seqs of this log")
    projection = project(events, until_seq=at_seq, until_race_ms=at_race_ms, race=race)
    try:
        standings = projection.standings(race)
    except KeyError:
        scheduled = [e.race for e in events if isinstance(e, RaceScheduled)]
        if race is not None and race not in scheduled:
            known = ", ".join(dict.fromkeys(scheduled)) or "none"
            return _fail("standings", f"unknown race {race!r} (races: {known})")
        what = "no race is" if race is None else f"race {race!r} is not"
        return _fail("standings", f"{what} scheduled yet at that point")
    if as_json:
        _write_json(standings, out)
    else:
        _console(out).print(_standings_table(standings))
    return 0


def show_medals(
    scenarios: Sequence[Sequence[Event]], *, as_json: bool = False, out: TextIO | None = None
) -> int:
    """Print the medal table over the races of every scenario (each folded on its own).

    Raises:
        RacefeedError: a scenario's events are out of order or name unknown athletes.
    """
    counted: list[Standings] = []
    for events in scenarios:
        counted.extend(project(events).counted_standings())
    table = medal_table(counted)
    if as_json:
        _write_json(table, out)
        return 0
    console = _console(out)
    if not table.races_counted:
        console.print("No race is official yet: the medal table is empty.")
        return 0
    console.print(_medal_rows(table))
    console.print(_medallists(table))
    return 0


def _load(name: str) -> list[Event]:
    return load_scenario(name).events


def _fail(command: str, message: str) -> int:
    print(f"racefeed {command}: {message}", file=sys.stderr)
    return 1


def _console(out: TextIO | None) -> Console:
    return Console(file=out if out is not None else sys.stdout)


def _write_json(view: Standings | MedalTable, out: TextIO | None) -> None:
    text = msgspec.json.format(msgspec.json.encode(view), indent=2).decode()
    (out if out is not None else sys.stdout).write(text + "\n")


def _standings_table(standings: Standings) -> Table:
    table = Table(
        title=f"{standings.title} ({standings.race})",
        caption=f"{standings.status.replace('_', ' ')}, as of seq {standings.as_of_seq}",
    )
    table.add_column("Place", justify="right")
    table.add_column("Bib", justify="right")
    table.add_column("Name")
    table.add_column("Nation")
    table.add_column("Time", justify="right")
    table.add_column("Marks")
    for row in standings.rows:
        marks = [row.mark, row.rule] if row.mark else row.annotations
        table.add_row(
            "" if row.place is None else str(row.place),
            str(row.bib),
            row.name,
            row.nation,
            row.time or "",
            " ".join(m for m in marks if m),
        )
    return table


def _medal_rows(medals: MedalTable) -> Table:
    table = Table(title="Medal table", caption=f"races: {', '.join(medals.races_counted)}")
    for name in ("Rank", "Nation", "Gold", "Silver", "Bronze", "Total"):
        table.add_column(name, justify="left" if name == "Nation" else "right")
    for row in medals.rows:
        counts = (row.rank, row.nation, row.gold, row.silver, row.bronze, row.total)
        table.add_row(*(str(value) for value in counts))
    return table


def _medallists(medals: MedalTable) -> Table:
    table = Table(title="Medallists")
    for name in ("Race", "Medal", "Name", "Nation"):
        table.add_column(name)
    for award in medals.awards:
        table.add_row(award.race, award.medal, award.name, award.nation)
    return table
