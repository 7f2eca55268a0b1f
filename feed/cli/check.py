"""``racefeed check`` and ``racefeed check-corpus``: what a text says, judged against the feed.

``check --json`` prints the report::

    {"text": str, "source": str, "final_seq": int,
     "supported": int, "contradicted": int, "not_checkable": int,
     "claims": [{"claim": {"kind", "start", "end", "text", "moment": {...}, "athletes": [...],
                           ...}, "verdict": {"verdict": "supported"|"contradicted"|"not_checkable",
                                              "feed_says": str, "evidence_seq": int|null,
                                              "judged_at": str}}, ...]}

Exit codes: 0 nothing contradicted, 1 something contradicted, 2 bad input.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import sys
from pathlib import Path
from typing import TextIO

import msgspec
from rich.console import Console
from rich.table import Table

from feed.check import Checker, Report
from feed.check.check import seq_at_race_ms
from feed.check.html import render_html
from feed.check.measure import Figures, measure
from feed.client import connect
from feed.errors import FeedError, RacefeedError
from feed.events import Event
from feed.io import load_scenario
from feed.io.corpus import load_corpus

__all__ = ["check_command", "corpus_command", "follow_session", "register"]

_CHECK_EPILOG = """\
examples:
  racefeed check article.md --against tokyo-2025-m1500-final
  racefeed check blog.txt --against scenarios/budapest-2023-m1500-final.toml --html out.html
  racefeed check blog.txt --against ws://127.0.0.1:8765 --session main --timeout 120
  racefeed check - --against tokyo-2025-m1500-final --at-seq 150 --json < entry.txt
  racefeed check entry.txt --against tokyo-2025-m1500-final --at-race-ms 162000

Live-blog stamps: a line starting with [2:14] or [1:59.9] (race time), 2:14 (race
time, one-digit minutes), 13:22 or 1:22pm (wall time, venue time unless a zone
follows: 13:22 UTC, 13:22 +01:00) is judged at that moment; text without a stamp
is judged against the final state (or --at-seq, --at-race-ms). See docs/check.md.
Exit status: 0 nothing contradicted, 1 something contradicted, 2 bad input.
"""

_CORPUS_EPILOG = """\
example:
  racefeed check-corpus tests/check/corpus

Checks every accurate text and every copy with planted errors of the corpus and
prints: errors found / planted (by kind), false alarms, and the share of factual
sentences it abstains on. --json prints the same figures for machines.
"""

_COLOUR = {"supported": "green", "contradicted": "bold red", "not_checkable": "dim"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``check`` and ``check-corpus``."""
    raw = argparse.RawDescriptionHelpFormatter
    check = subparsers.add_parser(
        "check",
        help="judge what an article or live blog says against the feed",
        description=(
            "Find the factual claims of an English text about the feed's races (winners, "
            "places, times, margins, medals, leaders and splits at named points, incidents, "
            "DNF/DNS/DQ, protests, amendments, records, the competition, the medal table) "
            "and judge each one supported, contradicted (with what the feed says and the seq "
            "that shows it) or not checkable from the feed."
        ),
        epilog=_CHECK_EPILOG,
        formatter_class=raw,
    )
    check.add_argument(
        "article", metavar="ARTICLE", help="the text to check (a file, or - for stdin)"
    )
    check.add_argument(
        "--against",
        required=True,
        metavar="SOURCE",
        help="a catalog id, a scenario or event-log file, or a ws:// session URL",
    )
    check.add_argument("--session", default="main", help="the session to follow (with a URL)")
    check.add_argument(
        "--timeout", type=float, default=60.0, metavar="S",
        help="with a URL: stop following after S seconds if the replay has not ended",
    )  # fmt: skip
    when = check.add_mutually_exclusive_group()
    when.add_argument("--at-seq", type=int, metavar="N", help="judge as a reader at seq N")
    when.add_argument(
        "--at-race-ms", type=int, metavar="T",
        help="judge as a reader at race time T (ms since the gun)",
    )  # fmt: skip
    check.add_argument(
        "--wall-offset", metavar="+HH:MM",
        help="zone of wall-time stamps written without one (default: the venue's)",
    )  # fmt: skip
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--html", metavar="FILE", help="also write the text as an HTML page")
    check.set_defaults(handler=check_command)

    corpus = subparsers.add_parser(
        "check-corpus",
        help="measure the checker on a corpus of accurate texts and planted errors",
        description="Measure precision: planted errors found, false alarms, abstentions.",
        epilog=_CORPUS_EPILOG,
        formatter_class=raw,
    )
    corpus.add_argument("directory", metavar="DIR", help="a directory of corpus .toml files")
    corpus.add_argument("--json", action="store_true", help="print the figures as JSON")
    corpus.set_defaults(handler=corpus_command)


def check_command(args: argparse.Namespace) -> int:
    """Check the article; 0 when nothing is contradicted, 1 when something is, 2 on bad input."""
    try:
        text = _read_article(args.article)
        offset = _offset(args.wall_offset)
        events, source = _events(args.against, args.session, args.timeout)
        at_seq = args.at_seq
        if args.at_race_ms is not None:
            at_seq = seq_at_race_ms(events, args.at_race_ms)
        report = Checker(events, source=source).check(text, at_seq=at_seq, wall_offset_min=offset)
        if args.html:
            _write(args.html, render_html(report, title=f"racefeed check: {args.article}"))
    except (RacefeedError, ValueError) as exc:
        print(f"racefeed check: {exc}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(report), indent=2).decode() + "\n")
    else:
        show_report(report)
    return 1 if report.contradicted else 0


def corpus_command(args: argparse.Namespace) -> int:
    """Measure the corpus and print the figures; 2 on a bad corpus."""
    try:
        docs, events = load_corpus(args.directory)
        figures = measure(docs, events)
    except RacefeedError as exc:
        print(f"racefeed check-corpus: {exc}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(
            msgspec.json.format(msgspec.json.encode(figures), indent=2).decode() + "\n"
        )
    else:
        show_figures(figures, args.directory)
    return 0


def show_report(report: Report, out: TextIO | None = None) -> None:
    """The report as a table for people."""
    console = Console(file=out if out is not None else sys.stdout)
    table = Table(
        title=f"racefeed check against {report.source} (as of seq {report.final_seq})",
        caption=(
            f"{report.supported} supported, {report.contradicted} contradicted, "
            f"{report.not_checkable} not checkable"
        ),
    )
    for name in ("#", "verdict", "claim", "kind", "the feed says", "seq", "judged at"):
        table.add_column(name, overflow="fold")
    for index, judged in enumerate(report.claims, 1):
        verdict = judged.verdict
        colour = _COLOUR[verdict.verdict]
        table.add_row(
            str(index),
            f"[{colour}]{verdict.verdict.replace('_', ' ')}[/]",
            judged.claim.text,
            judged.claim.kind,
            verdict.feed_says,
            "" if verdict.evidence_seq is None else str(verdict.evidence_seq),
            verdict.judged_at,
            style="red" if verdict.verdict == "contradicted" else None,
        )
    console.print(table)


def show_figures(figures: Figures, directory: str, out: TextIO | None = None) -> None:
    """The corpus figures for people."""
    console = Console(file=out if out is not None else sys.stdout)
    console.print(f"[bold]racefeed check-corpus {directory}[/]")
    console.print(
        f"planted errors found: {figures.found} / {figures.planted} ({figures.found_share:.0%}) "
        f"in {figures.copies} copies\n"
        f"false alarms: {figures.false_alarms_accurate} on {figures.accurate_texts} accurate "
        f"texts ({figures.claims_accurate} claims), {figures.false_alarms_copies} on the "
        f"copies away from the planted errors\n"
        f"factual sentences abstained on: {figures.abstained} / {figures.sentences} "
        f"({figures.abstain_share:.0%}); on those whose facts the feed holds: "
        f"{figures.feed_abstained} / {figures.feed_sentences} ({figures.feed_abstain_share:.0%})"
        f"; beyond the feed, contradicted: {figures.beyond_contradicted} / "
        f"{figures.beyond_sentences}"
    )
    kinds = Table(title="planted errors by kind")
    for name in ("kind", "found", "planted"):
        kinds.add_column(name)
    for row in figures.by_kind:
        kinds.add_row(row.kind, str(row.found), str(row.planted))
    console.print(kinds)
    for line in figures.missed:
        console.print(f"missed: {line}", markup=False)
    for line in figures.alarms:
        console.print(f"false alarm: {line}", markup=False, style="red")


async def follow_session(url: str, session: str, timeout: float) -> list[Event]:
    """The events of a live session, from its first, until it ends or ``timeout`` passes."""
    events: list[Event] = []

    async def collect() -> None:
        async with connect(url, session=session) as feed:
            async for event in feed:
                events.append(event)

    # On a timeout, judge what arrived: a replay still running is checked as far as it got.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(collect(), timeout)
    return events


def _events(against: str, session: str, timeout: float) -> tuple[list[Event], str]:
    if re.match(r"wss?://", against):
        try:
            events = asyncio.run(follow_session(against, session, timeout))
        except FeedError as exc:
            raise RacefeedError(f"{against} (session {session!r}): {exc}") from None
        if not events:
            raise RacefeedError(f"{against} (session {session!r}): no event within {timeout:g} s")
        seqs = [event.seq for event in events]
        if seqs != list(range(1, len(seqs) + 1)):
            raise RacefeedError(f"{against}: the session's history did not start at seq 1")
        return events, f"{against} (session {session})"
    loaded = load_scenario(against)
    return loaded.events, loaded.id


def _read_article(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    path = Path(name)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{name}: is a directory; expected a text file") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name}: expected UTF-8 text (byte {exc.start} is not)") from None
    except OSError as exc:
        raise ValueError(f"{name}: cannot read the file: {exc.strerror or exc}") from None


def _offset(text: str | None) -> int | None:
    if text is None:
        return None
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", text)
    if match is None:
        raise ValueError(f"--wall-offset: expected an offset like +09:00, got {text!r}")
    sign = -1 if match[1] == "-" else 1
    return sign * (int(match[2]) * 60 + int(match[3]))


def _write(name: str, page: str) -> None:
    try:
        Path(name).write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"--html {name}: cannot write the file: {exc.strerror or exc}") from None
