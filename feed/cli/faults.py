"""``racefeed faults``: print the fault schedule a spec and seed give over a scenario.

``--json`` prints one stable object::

    {"scenario": str, "spec": str, "seed": int, "from_seq": int, "last_seq": int,
     "counts": {"disconnect": int, "epoch_bump": int, "stall": int, "drop": int,
                "reorder": int, "late_correction": int, "duplicate": int, "delay": int},
     "actions": [{"seq": int, "kind": str, "ms": int, "with_seq": int}, ...]}

where ``spec`` is the canonical spec string and ``ms`` / ``with_seq`` appear only on
the kinds that have them.
"""

from __future__ import annotations

import argparse
import json
import sys

import msgspec
from rich.console import Console
from rich.table import Table
from rich.text import Text

from feed.errors import RacefeedError
from feed.faults import (
    KINDS,
    PROFILES,
    FaultKind,
    FaultPlan,
    FaultSpec,
    format_spec,
    parse_spec,
)
from feed.faults import plan as plan_faults
from feed.faults.spec import FIELD_KINDS
from feed.io import load_scenario

__all__ = ["faults_command", "register"]

_EPILOG = """\
examples:
  racefeed faults tokyo-2025-m1500-final --profile lossy --seed 7
  racefeed faults tokyo-2025-m1500-final --profile 'chaos,delay_ms=0,jitter_ms=0' --seed 3
  racefeed faults tokyo-2025-m1500-final --profile drop_p=0.1 --from-seq 120 --json
  racefeed faults --profiles

SPEC is a profile name, then key=value overrides, separated by commas (lossy,drop_p=0.05);
seq and event type lists are joined by + (disconnect_at_seq=57+120,
drop_type=photo_finish_resolved). Prints one line per action
(seq 57 drop, seq 88 delay 143 ms, seq 60 reorder after seq 62) and a count per kind.
The same scenario, SPEC and seed always print the same schedule. See docs/faults.md.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``faults``."""
    faults = subparsers.add_parser(
        "faults",
        help="print the fault schedule of a spec and seed over a scenario",
        description=(
            "Print, before a replay, which faults a fault spec and seed inject into a\n"
            "scenario's stream: disconnects, drops, duplicates, reorders, delays, stalls,\n"
            "epoch bumps and late corrections, by seq."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    faults.add_argument("scenario", metavar="SCENARIO", nargs="?", help="catalog id or file")
    faults.add_argument(
        "--profile", metavar="SPEC", default="none", help="fault spec (default: none)"
    )
    faults.add_argument("--seed", metavar="N", type=int, default=0, help="seed (default: 0)")
    faults.add_argument(
        "--from-seq",
        metavar="N",
        type=int,
        default=None,
        help="plan from this seq on, as for a resumed subscriber",
    )
    faults.add_argument(
        "--only",
        metavar="KINDS",
        default=None,
        help=f"show only these kinds, comma-separated ({', '.join(KINDS)})",
    )
    faults.add_argument("--json", action="store_true", help="print JSON for machines")
    faults.add_argument("--profiles", action="store_true", help="list the named profiles and exit")
    faults.set_defaults(handler=faults_command)


def faults_command(args: argparse.Namespace) -> int:
    """Print the schedule (or the profiles); 1 with a message on bad input."""
    if args.profiles:
        _show_profiles(as_json=args.json)
        return 0
    if args.scenario is None:
        return _fail("expected a SCENARIO (a catalog id or file), or --profiles")
    if args.from_seq is not None and args.from_seq < 1:
        return _fail(f"--from-seq: expected 1 or more, got {args.from_seq}")
    try:
        only = _kinds(args.only)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        spec = parse_spec(args.profile)
        loaded = load_scenario(args.scenario)
        schedule = plan_faults(spec, args.seed, loaded.events, from_seq=args.from_seq)
    except RacefeedError as exc:
        return _fail(str(exc))
    for note in _notes(spec, schedule):
        print(f"racefeed faults: note: {note}", file=sys.stderr)
    actions = [action for action in schedule.actions if only is None or action.kind in only]
    counts = {kind: 0 for kind in KINDS if only is None or kind in only}
    for action in actions:
        counts[action.kind] += 1
    if args.json:
        document = {
            "scenario": loaded.id,
            "spec": format_spec(spec),
            "seed": schedule.seed,
            "from_seq": schedule.from_seq,
            "last_seq": schedule.last_seq,
            "counts": counts,
            "actions": msgspec.to_builtins(actions),
        }
        print(json.dumps(document, indent=2))
        return 0
    print(
        f"# {loaded.id}: seq {schedule.from_seq}-{schedule.last_seq}, seed {schedule.seed}, "
        f"spec {format_spec(spec)}"
    )
    for action in actions:
        print(action.describe())
    total = sum(counts.values())
    parts = [f"{count} {kind}" for kind, count in counts.items() if count]
    print(f"# {total} action(s)" + (f": {', '.join(parts)}" if parts else ""))
    return 0


def _kinds(text: str | None) -> set[FaultKind] | None:
    if text is None:
        return None
    chosen: set[FaultKind] = set()
    for name in (part.strip() for part in text.split(",")):
        matched = [kind for kind in KINDS if kind == name]
        if not matched:
            raise ValueError(f"--only: unknown kind {name!r}; expected some of {', '.join(KINDS)}")
        chosen.add(matched[0])
    return chosen


def _notes(spec: FaultSpec, schedule: FaultPlan) -> list[str]:
    """Seqs the spec names that this plan never reaches, so that nobody waits for them."""
    notes = []
    for name in (name for name, kind in FIELD_KINDS.items() if kind == "seqs"):
        seqs: list[int] = getattr(spec, name)
        outside = sorted(
            seq for seq in set(seqs) if not schedule.from_seq <= seq <= schedule.last_seq
        )
        if outside:
            listed = ", ".join(map(str, outside))
            notes.append(
                f"{name} {listed} outside seq {schedule.from_seq}-{schedule.last_seq}: never fires"
            )
    return notes


def _show_profiles(*, as_json: bool) -> None:
    if as_json:
        rows = [
            {"name": name, "spec": format_spec(profile.spec), "simulates": profile.simulates}
            for name, profile in PROFILES.items()
        ]
        print(json.dumps(rows, indent=2))
        return
    table = Table(title="racefeed fault profiles")
    table.add_column("profile")
    table.add_column("simulates")
    table.add_column("spec", overflow="fold")
    for name, profile in PROFILES.items():
        table.add_row(name, Text(profile.simulates), Text(format_spec(profile.spec)))
    Console().print(table)


def _fail(message: str) -> int:
    print(f"racefeed faults: {message}", file=sys.stderr)
    return 1
