"""``racefeed validate``, ``compile``, ``schema`` and ``scenarios``: working with scenario files.

``scenarios --json`` prints a stable list::

    [{"id": str, "title": str, "kind": "race"|"championship"|"invalid", "events": int|null,
      "path": str, "description": str, "error": str|null}, ...]
"""

from __future__ import annotations

import argparse
import json
import sys

import msgspec
from rich.console import Console
from rich.table import Table
from rich.text import Text

from feed.codec import encode_events, event_schema
from feed.errors import RacefeedError
from feed.io import catalog, check_paths, load_path, load_scenario, write_events

__all__ = [
    "compile_command",
    "register",
    "scenarios_command",
    "schema_command",
    "validate_command",
]

_VALIDATE_EPILOG = """\
examples:
  racefeed validate scenarios/*.toml
  racefeed validate my-race.toml events.jsonl

Prints every problem as FILE:LINE: FIELD: MESSAGE (FILE: FIELD: MESSAGE where there
is no line) and exits 1; exits 0 when every file is valid. Warnings (a scenario id
that differs from its file name, which is the id that counts) go to stderr as
FILE:LINE: warning: FIELD: MESSAGE and do not change the exit code.
"""

_COMPILE_EPILOG = """\
examples:
  racefeed compile tokyo-2025-m1500-final -o events.jsonl
  racefeed compile scenarios/tokyo-2025-championship.toml -o - | head
"""

_SCHEMA_EPILOG = """\
example:
  racefeed schema > event.schema.json
"""

_SCENARIOS_EPILOG = """\
examples:
  racefeed scenarios
  racefeed scenarios --json

Scenario directories: $RACEFEED_SCENARIOS (separated by the path separator), then the
built-in scenarios. --json prints [{"id", "title", "kind", "events", "path",
"description", "error"}]; events and error are null where they do not apply.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``validate``, ``compile``, ``schema`` and ``scenarios``."""
    raw = argparse.RawDescriptionHelpFormatter
    validate = subparsers.add_parser(
        "validate",
        help="check scenario files and event files, printing every problem",
        description=(
            "Check .toml scenarios and .jsonl event files: TOML syntax, every field of every "
            "table, and what the race means (athletes referenced, splits in order, one "
            "outcome per athlete, post-race entries after the finish ...)."
        ),
        epilog=_VALIDATE_EPILOG,
        formatter_class=raw,
    )
    validate.add_argument("files", metavar="FILE", nargs="+", help=".toml or .jsonl files")
    validate.set_defaults(handler=validate_command)

    compile_ = subparsers.add_parser(
        "compile",
        help="compile a scenario into a JSONL event file",
        description="Compile a scenario (a path or a catalog id) into its event stream as JSONL.",
        epilog=_COMPILE_EPILOG,
        formatter_class=raw,
    )
    compile_.add_argument("scenario", metavar="SCENARIO", help="catalog id or file")
    compile_.add_argument(
        "-o", "--output", metavar="FILE", default="-", help="where to write (- for stdout)"
    )
    compile_.set_defaults(handler=compile_command)

    schema = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of an event envelope",
        description="Print the JSON Schema (2020-12) of one event envelope, as on the wire.",
        epilog=_SCHEMA_EPILOG,
        formatter_class=raw,
    )
    schema.set_defaults(handler=schema_command)

    listing = subparsers.add_parser(
        "scenarios",
        help="list the scenario catalog",
        description="List the scenario catalog: id, title, number of events and kind.",
        epilog=_SCENARIOS_EPILOG,
        formatter_class=raw,
    )
    listing.add_argument("--json", action="store_true", help="print JSON for machines")
    listing.set_defaults(handler=scenarios_command)


def validate_command(args: argparse.Namespace) -> int:
    """Print every problem in the files; 0 when there are none."""
    files: list[str] = args.files
    errors, warnings = check_paths(files)
    for warning in warnings:
        where = warning.path if warning.line is None else f"{warning.path}:{warning.line}"
        what = warning.message if warning.field is None else f"{warning.field}: {warning.message}"
        print(f"{where}: warning: {what}", file=sys.stderr)
    for error in errors:
        print(error.format())
    if errors:
        broken = len({error.path for error in errors})
        print(f"{len(errors)} problem(s) in {broken} file(s)", file=sys.stderr)
        return 1
    print(f"ok: {len(files)} file(s)", file=sys.stderr)
    return 0


def compile_command(args: argparse.Namespace) -> int:
    """Write the scenario's events as JSONL to a file or stdout."""
    try:
        loaded = load_scenario(args.scenario)
        if args.output == "-":
            sys.stdout.buffer.write(encode_events(loaded.events))
            sys.stdout.buffer.flush()
        else:
            write_events(args.output, loaded.events)
    except RacefeedError as exc:
        print(f"racefeed compile: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"racefeed compile: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr
        )
        return 1
    if args.output != "-":
        print(f"{len(loaded.events)} events -> {args.output}", file=sys.stderr)
    return 0


def schema_command(args: argparse.Namespace) -> int:
    """Print the event envelope's JSON Schema."""
    print(json.dumps(event_schema(), indent=2))
    return 0


def scenarios_command(args: argparse.Namespace) -> int:
    """List the catalog as a table, or as JSON with ``--json``."""
    rows: list[dict[str, object]] = []
    for entry in catalog():
        count: int | None = None
        error = entry.error
        if error is None:
            try:
                count = len(load_path(entry.path).events)
            except RacefeedError as exc:
                error = str(exc).splitlines()[0]
        row = msgspec.structs.asdict(entry)
        row["events"] = count
        row["error"] = error
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    table = Table(title="racefeed scenarios")
    # Ids are what people copy: never wrapped; the title column gives way instead.
    id_width = max((len(str(row["id"])) for row in rows), default=2)
    table.add_column("id", no_wrap=True, min_width=id_width)
    table.add_column("title")
    table.add_column("events", justify="right")
    table.add_column("kind")
    for row in rows:
        events = "-" if row["events"] is None else str(row["events"])
        # Text, not markup: titles and errors may hold brackets (athletes[3].bib).
        title = Text(str(row["title"]) if row["error"] is None else str(row["error"]))
        if row["error"] is not None:
            title.stylize("red")
        table.add_row(Text(str(row["id"])), title, events, str(row["kind"]))
    Console().print(table)
    return 0
