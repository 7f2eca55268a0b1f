"""``racefeed serve``, ``racefeed replay`` and ``racefeed tail``: run the feed, watch it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
from pathlib import Path
from typing import Any, TextIO

from feed import codec, wire
from feed.cli.banner import BannerSession, banner_lines
from feed.cli.lines import RaceLines, describe
from feed.cli.running import run_until_stopped as _run
from feed.cli.structured_logs import configure_logging
from feed.cli.watch import watch
from feed.client.follow import FollowError, FollowOptions, follow
from feed.errors import RacefeedError
from feed.events import Event, RaceScheduled
from feed.protocol import Limits, configure_limits
from feed.replay import Speed, check_speed
from feed.server import CatalogScenarios, Server, ServerConfig, SessionSpec, run_server
from feed.server.auth import TOKEN_ENV, check_bind
from feed.server.director import OpenedSession
from feed.store.jsonl import JsonlLog

__all__ = ["banner_session", "register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve``, ``replay`` and ``tail``."""
    formatter = argparse.RawDescriptionHelpFormatter
    serve = subparsers.add_parser(
        "serve",
        help="run the websocket feed server",
        description=(
            "Run the replay server: named sessions from the command line, private\n"
            "sessions created by clients, the catalog and the protocol on plain HTTP.\n"
            "Each named session's control token is printed once, on stdout."
        ),
        epilog=(
            "example:\n"
            "  racefeed serve --port 8765 --session main=tokyo-2025-m1500-final@10\n"
            "  racefeed serve --session a=tokyo-2025-m1500-final --session b=PATH.jsonl@instant"
        ),
        formatter_class=formatter,
    )
    _network_options(serve, port=8765)
    serve.add_argument(
        "--session",
        action="append",
        default=[],
        metavar="NAME=SCENARIO[@SPEED]",
        help="a named session (catalog id or file; speed 0.1..1000 or 'instant'); repeatable",
    )
    serve.add_argument(
        "--paused",
        action="store_true",
        help="start named sessions paused at their start list, just before the gun",
    )
    serve.add_argument(
        "--heartbeat", type=float, default=15.0, metavar="S", help="heartbeat interval (15)"
    )
    serve.add_argument("--log-json", action="store_true", help="log JSON lines to stderr")
    serve.add_argument(
        "--log",
        metavar="FILE.jsonl",
        default=None,
        help=(
            "also append the published log to FILE.jsonl (fsync about once a second); "
            "restarted with the same file, sessions carry on where they were"
        ),
    )
    serve.set_defaults(handler=_serve)

    replay = subparsers.add_parser(
        "replay",
        help="replay one scenario and show it in the terminal",
        description=(
            "Serve one scenario as a session named after it (also reachable as 'main'),\n"
            "start it at once, print the URLs to connect to, and show the race as it\n"
            "unfolds. Exits 0 at the end, or keeps serving with --stay."
        ),
        epilog="example:\n  racefeed replay tokyo-2025-m1500-final --speed 10",
        formatter_class=formatter,
    )
    replay.add_argument("scenario", metavar="SCENARIO", help="a catalog id or a file")
    replay.add_argument(
        "--speed", type=_speed, default=1.0, help="0.1..1000 or 'instant' (default 1)"
    )
    _network_options(replay, port=8765)
    replay.add_argument("--stay", action="store_true", help="keep serving after the end")
    replay.add_argument(
        "--paused",
        action="store_true",
        help="start paused at the start list, just before the gun (play it with its token)",
    )
    replay.add_argument(
        "--log",
        metavar="FILE.jsonl",
        default=None,
        help="keep the session's log in FILE.jsonl: restarted, it goes on where it was",
    )
    replay.add_argument(
        "--plain",
        action="store_true",
        help="print a line per moment instead of the live blog (the default off a terminal)",
    )
    replay.add_argument(
        "--heartbeat", type=float, default=15.0, metavar="S", help=argparse.SUPPRESS
    )
    replay.add_argument("--log-json", action="store_true", help="log JSON lines to stderr")
    replay.set_defaults(handler=_replay)

    tail = subparsers.add_parser(
        "tail",
        help="print a feed's events as they arrive",
        description=(
            "Connect to a racefeed server, subscribe and print each event as it arrives\n"
            "(a readable line, or the JSON envelope with --json); resumes by itself\n"
            "after a dropped connection; exits 0 at the end of the replay."
        ),
        epilog=(
            "example:\n"
            "  racefeed tail ws://127.0.0.1:8765 --json\n"
            "  racefeed tail ws://127.0.0.1:8765 --session main --from-seq 100"
        ),
        formatter_class=formatter,
    )
    tail.add_argument("url", metavar="URL", help="the server, e.g. ws://127.0.0.1:8765")
    tail.add_argument("--session", default="main", help="the session to follow (main)")
    tail.add_argument("--from-seq", type=int, default=None, metavar="N", help="start at seq N")
    tail.add_argument("--snapshot", action="store_true", help="ask for a snapshot first")
    tail.add_argument(
        "--json",
        action="store_true",
        help='one JSON object per line: each event\'s envelope ("type"); with --snapshot, '
        'the snapshot message ("op": "snapshot") on its own line before them',
    )
    tail.add_argument(
        "--wait", type=float, default=3.0, metavar="S", help="keep trying to connect for S s"
    )
    tail.set_defaults(handler=_tail)


def _network_options(parser: argparse.ArgumentParser, *, port: int) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface (127.0.0.1)")
    parser.add_argument("--port", type=int, default=port, help=f"port ({port}; 0: any)")
    parser.add_argument(
        "--token",
        default=None,
        help=f"server token: needed to create and control sessions, and to listen beyond "
        f"127.0.0.1 (default: ${TOKEN_ENV})",
    )
    parser.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a limit, e.g. max_connections=64 (see docs/reliability.md); repeatable",
    )


def _config(args: argparse.Namespace, command: str) -> ServerConfig | None:
    """The server's config from the command line, or ``None`` after saying what is wrong."""
    token = args.token if args.token is not None else os.environ.get(TOKEN_ENV) or None
    try:
        check_bind(args.host, token)
        limits = configure_limits(Limits(heartbeat_s=args.heartbeat), args.limit)
    except ValueError as exc:
        print(f"racefeed {command}: {exc}", file=sys.stderr)
        return None
    return ServerConfig(host=args.host, port=args.port, limits=limits, token=token)


def _speed(text: str) -> Speed:
    try:
        return check_speed("instant" if text == "instant" else float(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


# -- serve ----------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> int:

    config = _config(args, "serve")
    if config is None:
        return 2
    configure_logging(json=args.log_json)
    try:
        specs = [SessionSpec.parse(text) for text in args.session]
    except ValueError as exc:
        print(f"racefeed serve: --session {exc}", file=sys.stderr)
        return 2
    specs = [
        SessionSpec(
            name=s.name,
            scenario=s.scenario,
            speed=s.speed,
            paused=args.paused,
            at_start_list=args.paused,
        )
        for s in specs
    ]

    async def run(stop: asyncio.Event) -> int:
        async with contextlib.AsyncExitStack() as stack:
            # With --log, the same host over a file instead of memory: sessions outlive it.
            server = await _start(stack, "serve", args, sessions=specs, config=config)
            if server is None:
                return 2
            _banner(server, sys.stdout)
            await stop.wait()
        return 0

    return _run(run)


async def _start(
    stack: contextlib.AsyncExitStack,
    command: str,
    args: argparse.Namespace,
    **options: Any,
) -> Server | None:
    """The server the command line asks for, started; ``None`` after saying in one line why not.

    A busy port, a session that cannot be opened (an unknown scenario, a bad name, a
    name the log holds for another scenario) or a damaged log file is the operator's
    to fix: said plainly, never as a traceback.
    """
    log_path = getattr(args, "log", None)
    try:
        log = JsonlLog(Path(log_path)) if log_path is not None else None
        if log is not None:
            stack.push_async_callback(log.close)
        return await stack.enter_async_context(run_server(args.host, args.port, log=log, **options))
    except OSError as exc:
        print(
            f"racefeed {command}: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
            file=sys.stderr,
        )
    except (RacefeedError, ValueError) as exc:
        print(f"racefeed {command}: {exc}", file=sys.stderr)
    return None


def _banner(server: Server, out: TextIO) -> None:
    width = shutil.get_terminal_size().columns
    sessions = [banner_session(opened) for opened in server.opened]
    for line in banner_lines(server.url, sessions, width):
        print(line, file=out)
    out.flush()


def banner_session(opened: OpenedSession) -> BannerSession:
    """A named session as the banner lists it: a control token, where it was taken up."""
    clock = opened.clock
    note = None
    if opened.resumed:
        status = clock.status()
        note = (
            f"resumed from the log at epoch {status.epoch}, seq {clock.position_seq}, "
            f"{status.state}"
        )
    return BannerSession(clock.id, clock.opened.title, opened.token, note)


# -- replay ---------------------------------------------------------------------------


def _replay(args: argparse.Namespace) -> int:

    config = _config(args, "replay")
    if config is None:
        return 2
    configure_logging(json=args.log_json, level="warning")
    scenarios = CatalogScenarios()
    try:
        loaded = scenarios.load(args.scenario, trusted=True)
    except RacefeedError as exc:
        print(f"racefeed replay: {exc}", file=sys.stderr)
        return 2
    aliases = () if loaded.id == "main" else ("main",)
    spec = SessionSpec(
        name=loaded.id,
        scenario=args.scenario,
        speed=args.speed,
        aliases=aliases,
        paused=args.paused,
        at_start_list=args.paused,
    )
    out = sys.stdout

    async def run(stop: asyncio.Event) -> int:
        async with contextlib.AsyncExitStack() as stack:
            server = await _start(
                stack, "replay", args, sessions=[spec], scenarios=scenarios, config=config
            )
            if server is None:
                return 2
            _banner(server, out)
            print(f"  also reachable as: {', '.join(aliases) or '-'}", file=out, flush=True)
            # The view is a client like any other: it follows the feed over the socket.
            if out.isatty() and not args.plain:
                viewer = asyncio.ensure_future(watch([server.url], session=loaded.id))
            else:
                viewer = asyncio.ensure_future(_print_lines(server.url, loaded.id, out))
            ended = asyncio.ensure_future(server.ended(loaded.id))
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait([ended, stopped], return_when=asyncio.FIRST_COMPLETED)
            if ended.done() and not stop.is_set():
                either: set[asyncio.Future[Any]] = {viewer, stopped}
                await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
                print(f"racefeed: replay of {loaded.id} finished", file=out, flush=True)
                if args.stay:
                    await stop.wait()
                else:
                    await _let_clients_go(server)
            for pending in (ended, stopped, viewer):
                pending.cancel()
        return 0

    return _run(run)


async def _print_lines(url: str, session: str, out: TextIO) -> int:
    """Print a line per moment of the race, following it over the socket."""
    lines = RaceLines()

    def on_event(event: Event) -> None:
        for line in lines.apply(event):
            print(line, file=out)
        out.flush()

    try:
        await follow(url, FollowOptions(session=session), on_event, lambda _: None)
    except FollowError as exc:
        print(f"racefeed replay: {exc}", file=sys.stderr)
        return 1
    return 0


async def _let_clients_go(server: Server, patience: float = 2.0) -> None:
    """Give subscribers a moment to read ``end`` and close before the server goes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while server.connection_count() and loop.time() < deadline:
        await asyncio.sleep(0.02)


# -- tail -----------------------------------------------------------------------------


def _tail(args: argparse.Namespace) -> int:

    out = sys.stdout
    err = sys.stderr
    names: dict[tuple[str, str], str] = {}

    def on_event(event: Event) -> None:
        if args.json:
            out.buffer.write(codec.encode(event) + b"\n")
        else:
            _learn_names(event, names)
            text = describe(event, lambda race, aid: names.get((race, aid), aid))
            out.write(f"{event.seq:>6}  {event.race_ms / 1000:>9.1f}s  {text}\n")
        out.flush()

    def on_message(message: wire.ServerMessage) -> None:
        if args.json and isinstance(message, wire.SnapshotMessage):
            out.buffer.write(wire.encode(message) + b"\n")
            out.flush()
            return
        print(f"racefeed tail: {_summary(message)}", file=err, flush=True)

    options = FollowOptions(
        session=args.session,
        from_seq=args.from_seq,
        snapshot=args.snapshot,
        connect_for_s=args.wait,
    )

    async def run(stop: asyncio.Event) -> int:
        try:
            await follow(args.url, options, on_event, on_message, stop)
        except FollowError as exc:
            print(f"racefeed tail: {exc}", file=err)
            return 1
        return 0

    return _run(run)


def _learn_names(event: Event, names: dict[tuple[str, str], str]) -> None:
    if isinstance(event, RaceScheduled):
        for entrant in event.data.start_list:
            names[(event.race, entrant.athlete_id)] = entrant.name


def _summary(message: wire.ServerMessage) -> str:
    match message:
        case wire.ErrorMessage():
            return f"error {message.code}: {message.message}"
        case wire.ReplayStatus():
            where = f"seq {message.position_seq} (x{message.speed}, epoch {message.epoch})"
            return f"{message.state} at {where}"
        case wire.Subscribed():
            return (
                f"subscribed to {message.session} (epoch {message.epoch}, head {message.head_seq})"
            )
        case wire.End():
            return f"end of {message.session} at seq {message.head_seq}"
    op = type(message).__struct_config__.tag
    return str(op)
