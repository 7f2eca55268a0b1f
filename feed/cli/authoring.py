"""``racefeed new`` and ``racefeed import``: the quick ways to a scenario file.

``new`` writes a commented template for any distance and field size; ``import``
turns a results table (CSV, or a FinishLynx ``.lif``) into a scenario. Both write a
file that ``racefeed validate`` accepts and ``racefeed replay`` plays at once, and
both refuse to overwrite a file unless given ``--force``. The scenario's id is the
output file's name.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, datetime
from pathlib import Path

from feed.errors import ScenarioInvalid, TableInvalid
from feed.importers import FORMATS, RaceDetails, read_table, scenario_text
from feed.scenario import parse_scenario
from feed.scenario.template import MAX_ATHLETES, race_template

__all__ = ["import_command", "new_command", "register"]

_ID = re.compile(r"[a-z0-9][a-z0-9-]*")

_NEW_EPILOG = """\
examples:
  racefeed new my-race --distance 800 --athletes 8
  racefeed new races/club-5000.toml --distance 5000 --athletes 20

Writes NAME.toml (or the .toml path given): fictional athletes and invented times,
every value marked synthetic, comments on each field. It validates and replays as
written: racefeed replay my-race.toml --speed 10
"""

_IMPORT_EPILOG = """\
examples:
  racefeed import results.csv -o club-800-final.toml --distance 800
  racefeed import heat3.lif -o county-1500-heat-3.toml --date 2025-06-14 --utc-offset +01:00
  racefeed import results.csv -o paris-2024-m800-final.toml \\
      --championship "Olympic Games Paris 2024" --event "Men's 800 metres" \\
      --venue "Stade de France" --scheduled-start 2024-08-10T19:05:00+02:00

A CSV table needs a name and a time (or DNF/DNS/DQ) column; place, bib, nation,
status, rule, reason, pb, sb and split columns (400, 400m, split 400 ...) are read
when present. Header names are matched loosely; every bad cell is reported as
FILE:LINE: row R, column C (NAME): MESSAGE. What the table does not give (bibs,
thousandths, the gun ...) is invented and marked synthetic in the scenario, and
interpolated splits are marked estimated in the events. docs/ways-in.md has a
worked example.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``new`` and ``import``."""
    raw = argparse.RawDescriptionHelpFormatter
    new = subparsers.add_parser(
        "new",
        help="write a commented scenario template that validates and replays at once",
        description="Write a new race scenario: a complete, commented template to edit.",
        epilog=_NEW_EPILOG,
        formatter_class=raw,
    )
    new.add_argument("name", metavar="NAME", help="scenario id, or a path ending in .toml")
    new.add_argument("--distance", type=int, default=1500, metavar="M", help="metres (1500)")
    new.add_argument(
        "--athletes", type=int, default=8, metavar="N", help=f"starters, 1 to {MAX_ATHLETES} (8)"
    )
    new.add_argument("--lap", type=int, default=400, metavar="M", help="lap length (400)")
    new.add_argument("--force", action="store_true", help="overwrite the file if it exists")
    new.set_defaults(handler=new_command)

    imp = subparsers.add_parser(
        "import",
        help="turn a results table (CSV, FinishLynx .lif) into a scenario",
        description=(
            "Read a results table and write the race as a scenario, with every value the "
            "table does not give invented and marked synthetic."
        ),
        epilog=_IMPORT_EPILOG,
        formatter_class=raw,
    )
    imp.add_argument("file", metavar="FILE", help="the results table")
    imp.add_argument("-o", "--output", metavar="OUT.toml", help="where to write (FILE.toml)")
    imp.add_argument("--format", choices=sorted(FORMATS), help="by default from FILE's suffix")
    imp.add_argument("--distance", type=int, metavar="M", help="metres, if the file cannot say")
    imp.add_argument("--title", help="the scenario's title")
    imp.add_argument("--championship", help="the meeting")
    imp.add_argument("--event", help="the event's name (\"Men's 800 metres\")")
    imp.add_argument("--round", help="Final, Heat 2 ...")
    imp.add_argument("--venue", help="where it was run")
    imp.add_argument("--scheduled-start", metavar="ISO", help="2024-08-10T19:05:00+02:00")
    imp.add_argument("--gun", metavar="ISO", help="the actual gun, with its UTC offset")
    imp.add_argument("--date", metavar="YYYY-MM-DD", help="the day, for a file's start time")
    imp.add_argument("--utc-offset", metavar="+HH:MM", help="the venue's offset, with --date")
    imp.add_argument("--lap", type=int, default=400, metavar="M", help="lap length (400)")
    imp.add_argument("--force", action="store_true", help="overwrite OUT.toml if it exists")
    imp.set_defaults(handler=import_command)


def new_command(args: argparse.Namespace) -> int:
    """Write the template; 1 with a message when the name, numbers or file are wrong."""
    path = Path(args.name if args.name.endswith(".toml") else f"{args.name}.toml")
    scenario_id = _id_of(path, "new")
    if scenario_id is None:
        return 1
    try:
        text = race_template(
            scenario_id, distance_m=args.distance, athletes=args.athletes, lap_m=args.lap
        )
    except ValueError as exc:
        return _fail("new", str(exc))
    if not _write(path, text, force=args.force, command="new"):
        return 1
    print(f"wrote {path}: {args.athletes} athlete(s) over {args.distance} m", file=sys.stderr)
    print(
        f"next: edit it, then racefeed validate {path} && racefeed replay {path}", file=sys.stderr
    )
    return 0


def import_command(args: argparse.Namespace) -> int:
    """Import the table; 1 with every located problem when it cannot be read."""
    source = Path(args.file)
    output = Path(args.output) if args.output else Path(source.stem + ".toml")
    scenario_id = _id_of(output, "import")
    if scenario_id is None:
        return 1
    try:
        details = RaceDetails(
            scenario_id=scenario_id,
            title=args.title,
            championship=args.championship,
            event=args.event,
            round=args.round,
            venue=args.venue,
            distance_m=args.distance,
            scheduled_start=_moment(args.scheduled_start, "--scheduled-start"),
            gun=_moment(args.gun, "--gun"),
            date=date.fromisoformat(args.date) if args.date else None,
            utc_offset=args.utc_offset,
            lap_m=args.lap,
        )
    except ValueError as exc:
        return _fail("import", str(exc))
    if args.utc_offset and not re.fullmatch(r"[+-]\d\d:?\d\d", args.utc_offset.strip()):
        return _fail("import", f"--utc-offset: expected +HH:MM, found {args.utc_offset!r}")
    try:
        raw = source.read_bytes()
    except OSError as exc:
        return _fail("import", f"cannot read {source}: {exc.strerror or exc}")
    try:
        table = read_table(raw, str(source), args.format)
        text = scenario_text(table, details)
    except TableInvalid as exc:
        for error in exc.errors:
            print(error.format(), file=sys.stderr)
        return _fail("import", f"{len(exc.errors)} problem(s) in {source}; nothing written")
    try:
        parse_scenario(text, str(output))
    except ScenarioInvalid as exc:  # the importer wrote something it should not have
        return _fail("import", f"the scenario made from {source} does not validate:\n{exc}")
    if not _write(output, text, force=args.force, command="import"):
        return 1
    print(f"{len(table.rows)} athlete(s) from {source} -> {output}", file=sys.stderr)
    if table.ignored_columns:
        print(f"columns not used: {', '.join(table.ignored_columns)}", file=sys.stderr)
    print(f"next: racefeed standings {output} && racefeed replay {output}", file=sys.stderr)
    return 0


def _id_of(path: Path, command: str) -> str | None:
    """The scenario id a file name gives, or None after saying why it gives none."""
    if path.suffix != ".toml":
        _fail(command, f"{path}: expected a .toml file name (the scenario's id plus .toml)")
        return None
    if _ID.fullmatch(path.stem) is None:
        _fail(
            command,
            f"{path}: the file name is the scenario's id, so it must be lowercase letters, "
            "digits and hyphens (like my-race.toml)",
        )
        return None
    return path.stem


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option}: expected a date-time like 2024-08-10T19:05:00+02:00, "
                         f"found {text!r}") from None  # fmt: skip
    if moment.tzinfo is None:
        raise ValueError(f"{option}: give the UTC offset too (2024-08-10T19:05:00+02:00)")
    return moment


def _write(path: Path, text: str, *, force: bool, command: str) -> bool:
    if path.exists() and not force:
        _fail(command, f"{path} exists; use --force to overwrite it")
        return False
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(command, f"cannot write {path}: {exc.strerror or exc}")
        return False
    return True


def _fail(command: str, message: str) -> int:
    print(f"racefeed {command}: {message}", file=sys.stderr)
    return 1
