"""The ``racefeed`` command line: ``main(argv) -> int``, one module per group of subcommands.

Each subcommand module exposes ``register(subparsers)``, which adds its parsers and
sets ``handler`` (a function ``(args) -> int``) as their default. Nothing below
calls ``sys.exit``; ``run()`` is the only exit point.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import structlog

from feed.cli.structured_logs import configure_logging

__all__ = ["build_parser", "main", "run"]

# Modules that register subcommands, in the order --help lists them.
_COMMAND_MODULES = (
    "feed.cli.scenarios",
    "feed.cli.authoring",
    "feed.cli.results",
    "feed.cli.check",
    "feed.cli.serve",
    "feed.cli.watch",
    "feed.cli.faults",
    "feed.cli.scaleout",
    "feed.cli.recording",
    "feed.cli.conform",
)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every subcommand that is installed."""
    parser = argparse.ArgumentParser(
        prog="racefeed",
        description="Event-sourced live results feed simulator.",
        epilog="Example: racefeed replay tokyo-2025-m1500-final --speed 10",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # that group of commands is not part of this build
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one racefeed command and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    # Unconfigured, structlog prints to stdout, where commands write their data
    # (``tail --json``); a command that wants more logs configures them itself.
    borrowed = not structlog.is_configured()
    if borrowed:
        configure_logging(level="warning")
    try:
        code: int = handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    finally:
        if borrowed:  # leave an embedding program (or a test run) as it was
            structlog.reset_defaults()
    return code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
