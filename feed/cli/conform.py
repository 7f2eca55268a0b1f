"""``racefeed conform``: run the conformance suite against a client written in any language."""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from feed.conform.adapter import command_starter
from feed.conform.cases import GROUPS, Case, select
from feed.conform.report import failure_text, html_report, junit_xml, summary_line
from feed.conform.results import CaseResult
from feed.conform.runner import Runner, conform_servers

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``conform``."""
    parser = subparsers.add_parser(
        "conform",
        help="test a client in any language against the numbered conformance suite",
        description=(
            "Start COMMAND once per case as the client under test, with RACEFEED_URL and "
            "RACEFEED_SESSION in its environment, drive the session's clock and faults, "
            "and ask the client what it shows over stdin/stdout JSON lines "
            "(docs/conformance.md). Exit 0 when every case passes, 1 otherwise."
        ),
        epilog=(
            "Example: racefeed conform --junit conform.xml --html conform.html -- "
            "node --experimental-websocket clients/js/conform-adapter.mjs"
        ),
    )
    parser.add_argument("--case", action="append", default=[], metavar="ID", help="e.g. 5.1")
    parser.add_argument(
        "--group", action="append", default=[], metavar="G", help="a number or a name, e.g. 6"
    )
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--junit", type=Path, metavar="FILE", help="write JUnit XML here")
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the HTML report here")
    parser.add_argument(
        "--check-timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="how long a check waits for the client to catch up (default 10)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the client's command")
    parser.set_defaults(handler=_conform)


def _conform(args: argparse.Namespace) -> int:
    try:
        cases = select(ids=args.case, groups=args.group)
    except ValueError as exc:
        print(f"racefeed conform: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for case in cases:
            print(f"{case.id:>5}  {GROUPS[case.group]:<26} {case.title}")
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("racefeed conform: give the client's command after --", file=sys.stderr)
        return 2
    for report in (args.junit, args.html):
        if report is not None and not report.resolve().parent.is_dir():
            print(f"racefeed conform: no folder for {report}", file=sys.stderr)
            return 2
    results = asyncio.run(_run(cases, command, check_timeout=args.check_timeout))
    shown_command = shlex.join(command)
    if args.junit is not None:
        args.junit.write_text(junit_xml(results), encoding="utf-8")
    if args.html is not None:
        args.html.write_text(html_report(results, command=shown_command), encoding="utf-8")
    for result in results:
        if not result.passed:
            print(failure_text(result), end="\n\n")
    print(summary_line(results))
    return 0 if all(result.passed for result in results) else 1


async def _run(cases: list[Case], command: list[str], *, check_timeout: float) -> list[CaseResult]:
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=not console.is_terminal) as progress:
        task = progress.add_task("conform", total=len(cases), failed=0)
        failed = 0

        def advance(result: CaseResult) -> None:
            nonlocal failed
            failed += not result.passed
            verdict = "[green]pass[/]" if result.passed else "[red]FAIL[/]"
            progress.console.print(
                f"{result.case.id:>5} {verdict} {result.case.title} ({result.seconds:.1f} s)"
            )
            progress.update(task, advance=1, failed=failed)

        async with conform_servers() as servers:
            runner = Runner(servers, command_starter(command), check_timeout=check_timeout)
            return await runner.run_all(cases, advance)
