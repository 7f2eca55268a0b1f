"""``racefeed director`` and ``racefeed gateway``: the scale-out roles over NATS JetStream."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from typing import TYPE_CHECKING, TextIO

from feed.cli.running import run_until_stopped as _run
from feed.errors import RacefeedError
from feed.net.auth import TOKEN_ENV, check_bind
from feed.net.limits import configure_limits
from feed.net.logging import configure_logging
from feed.net.server import ServerConfig, SessionSpec
from feed.net.session import Session

if TYPE_CHECKING:
    from feed.net.natslog import JetStreamLog

__all__ = ["register"]

_FORMATTER = argparse.RawDescriptionHelpFormatter


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``director`` and ``gateway``."""
    director = subparsers.add_parser(
        "director",
        help="run the session clocks and publish them to NATS JetStream",
        description=(
            "Own the named sessions' replay clocks and publish each event to NATS\n"
            "JetStream when it is due; gateways serve them to clients. A session the\n"
            "log knows already is taken up where it was (restart the director at any\n"
            "time). Control messages reach it from the gateways over NATS. The control\n"
            "token of each session opened now is printed once, on stdout."
        ),
        epilog=(
            "example:\n"
            "  racefeed director --nats nats://127.0.0.1:4222 \\\n"
            "      --session main=tokyo-2025-m1500-final@10\n"
            "  racefeed gateway --nats nats://127.0.0.1:4222 --port 8765"
        ),
        formatter_class=_FORMATTER,
    )
    _nats_options(director)
    director.add_argument(
        "--session",
        action="append",
        default=[],
        metavar="NAME=SCENARIO[@SPEED]",
        help="a named session (catalog id or file; speed 0.1..1000 or 'instant'); repeatable",
    )
    director.add_argument("--paused", action="store_true", help="open new sessions paused")
    director.add_argument(
        "--token", default=None, help="control token of the sessions opened now (default: random)"
    )
    director.add_argument(
        "--reset",
        action="store_true",
        help="start sessions the log knows over, in a new epoch from seq 0",
    )
    director.add_argument(
        "--replicas", type=int, default=1, help="stream replicas, if the stream is created (1)"
    )
    director.add_argument("--log-json", action="store_true", help="log JSON lines to stderr")
    director.set_defaults(handler=_director)

    gateway = subparsers.add_parser(
        "gateway",
        help="serve websocket clients from NATS JetStream",
        description=(
            "Serve the director's sessions to websocket clients, from the log in NATS\n"
            "JetStream, with the protocol of `racefeed serve`. Run as many as needed\n"
            "behind a load balancer; a client can resume on any of them."
        ),
        epilog="example:\n  racefeed gateway --nats nats://127.0.0.1:4222 --port 8765",
        formatter_class=_FORMATTER,
    )
    _nats_options(gateway)
    gateway.add_argument("--host", default="127.0.0.1", help="interface (127.0.0.1)")
    gateway.add_argument("--port", type=int, default=8765, help="port (8765; 0: any)")
    gateway.add_argument(
        "--heartbeat", type=float, default=15.0, metavar="S", help="heartbeat interval (15)"
    )
    gateway.add_argument(
        "--catch-up-wait",
        type=float,
        default=5.0,
        metavar="S",
        help="how long a resume ahead of this gateway waits for it (5)",
    )
    gateway.add_argument(
        "--token",
        default=None,
        help=f"server token: needed to create sessions, good for controlling any, and to "
        f"listen beyond 127.0.0.1 (default: ${TOKEN_ENV})",
    )
    gateway.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a limit, e.g. max_connections=20000 (as for racefeed serve); repeatable",
    )
    gateway.add_argument("--log-json", action="store_true", help="log JSON lines to stderr")
    gateway.set_defaults(handler=_gateway)


def _nats_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--nats", required=True, metavar="URL", help="the NATS server, e.g. nats://127.0.0.1:4222"
    )
    parser.add_argument("--stream", default="RACEFEED", help="the JetStream stream (RACEFEED)")
    parser.add_argument(
        "--subject-prefix", default="racefeed", metavar="P", help="subjects P.log.>, P.ctl.*"
    )
    parser.add_argument(
        "--connect-wait",
        type=float,
        default=None,
        metavar="S",
        help="give up if NATS does not answer within S seconds (default: keep trying)",
    )


# -- director -------------------------------------------------------------------------


def _director(args: argparse.Namespace) -> int:
    # Imported here: nats-py is an extra, and every other command works without it.
    from feed.net.director import Director  # noqa: PLC0415
    from feed.net.natsctl import serve_control  # noqa: PLC0415

    configure_logging(json=args.log_json)
    try:
        specs = [SessionSpec.parse(text) for text in args.session]
    except ValueError as exc:
        print(f"racefeed director: --session {exc}", file=sys.stderr)
        return 2
    specs = [
        SessionSpec(
            name=s.name, scenario=s.scenario, speed=s.speed, paused=args.paused, token=args.token
        )
        for s in specs
    ]
    out = sys.stdout

    async def run(stop: asyncio.Event) -> int:
        log = await _open_log(args, "director", replicas=args.replicas)
        if log is None:
            return 1
        director = Director(log)
        try:
            await director.start()
            control = await serve_control(log.nc, log.prefix, director.handle)
            print(
                f"racefeed director: log in stream {log.stream} ({log.subjects}) at {args.nats}",
                file=out,
            )
            for spec in specs:
                try:
                    opened = await director.add_session(spec, reset=args.reset)
                except (ValueError, RacefeedError) as exc:
                    print(f"racefeed director: {exc}", file=sys.stderr)
                    return 2
                _describe(opened.session, opened.token, opened.resumed, out)
            print("racefeed director: ready", file=out, flush=True)
            await stop.wait()
            with contextlib.suppress(Exception):
                await control.unsubscribe()
        finally:
            await director.stop()
            await log.close()
        return 0

    return _run(run)


async def _open_log(args: argparse.Namespace, role: str, **options: int) -> JetStreamLog | None:
    """The JetStream log the command line names; ``None`` (said on stderr) if it cannot open."""
    from feed.net.natslog import JetStreamLog  # noqa: PLC0415

    try:
        return await JetStreamLog.open(
            args.nats,
            name=f"racefeed-{role}",
            wait_s=args.connect_wait,
            stream=args.stream,
            prefix=args.subject_prefix,
            **options,
        )
    except (OSError, ValueError) as exc:
        print(f"racefeed {role}: {exc}", file=sys.stderr)
        return None


def _describe(session: Session, token: str | None, resumed: bool, out: TextIO) -> None:
    status = session.status()
    if resumed:
        where = f"epoch {status.epoch}, seq {session.head_seq}, {status.state}"
        print(f"  session {session.id}: {session.title} (resumed at {where})", file=out)
    else:
        print(f"  session {session.id}: {session.title} (control token {token})", file=out)


# -- gateway --------------------------------------------------------------------------


def _gateway(args: argparse.Namespace) -> int:
    from feed.net.gateway import Gateway  # noqa: PLC0415
    from feed.net.natsctl import ControlClient  # noqa: PLC0415

    configure_logging(json=args.log_json)
    token = args.token if args.token is not None else os.environ.get(TOKEN_ENV) or None
    try:
        check_bind(args.host, token)
        config = configure_limits(
            ServerConfig(host=args.host, port=args.port, heartbeat_s=args.heartbeat, token=token),
            args.limit,
        )
    except ValueError as exc:
        print(f"racefeed gateway: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout

    async def run(stop: asyncio.Event) -> int:
        log = await _open_log(args, "gateway")
        if log is None:
            return 1
        gateway = Gateway(log, ControlClient(log.nc, log.prefix), config, wait_s=args.catch_up_wait)
        try:
            await gateway.start()
            http = gateway.url.replace("ws://", "http://", 1)
            print(
                f"racefeed gateway: feed at {gateway.url}  web page at {http}  "
                f"(log in stream {log.stream} at {args.nats})",
                file=out,
                flush=True,
            )
            await stop.wait()
        finally:
            await gateway.stop()
            await log.close()
        return 0

    return _run(run)
