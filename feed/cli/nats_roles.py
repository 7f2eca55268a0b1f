"""The scale-out roles at work: the director and the gateway over NATS JetStream.

Imported only when ``racefeed director`` or ``racefeed gateway`` runs: it needs the
``nats`` extra (``pip install 'racefeed[nats]'``), which no other command does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys

from feed.cli.banner import session_lines
from feed.cli.running import run_until_stopped as _run
from feed.cli.serve import banner_session
from feed.cli.structured_logs import configure_logging
from feed.errors import RacefeedError
from feed.protocol import Limits, configure_limits
from feed.server import Server, ServerConfig, SessionSpec
from feed.server.auth import TOKEN_ENV, check_bind
from feed.server.director import Director
from feed.server.nats_control import NatsControl, serve_control
from feed.store.jetstream import JetStreamLog

__all__ = ["run_director", "run_gateway"]


# -- director -------------------------------------------------------------------------


def run_director(args: argparse.Namespace) -> int:
    """``racefeed director``: its exit code."""
    try:
        specs = [SessionSpec.parse(text) for text in args.session]
    except ValueError as exc:
        print(f"racefeed director: --session {exc}", file=sys.stderr)
        return 2
    try:
        limits = configure_limits(Limits(), args.limit)
    except ValueError as exc:
        print(f"racefeed director: {exc}", file=sys.stderr)
        return 2
    configure_logging(json=args.log_json)
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
        director = Director(log, limits=limits)
        try:
            await director.start()
            control = await serve_control(log.nc, log.prefix, director.handle, director.used)
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
                print(*session_lines([banner_session(opened)]), sep="\n", file=out)
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


# -- gateway --------------------------------------------------------------------------


def run_gateway(args: argparse.Namespace) -> int:
    """``racefeed gateway``: its exit code."""
    token = args.token if args.token is not None else os.environ.get(TOKEN_ENV) or None
    try:
        check_bind(args.host, token)
        limits = configure_limits(Limits(heartbeat_s=args.heartbeat), args.limit)
        config = ServerConfig(
            host=args.host,
            port=args.port,
            limits=limits,
            token=token,
            catch_up_wait_s=args.catch_up_wait,
        )
    except ValueError as exc:
        print(f"racefeed gateway: {exc}", file=sys.stderr)
        return 2
    configure_logging(json=args.log_json)
    out = sys.stdout

    async def run(stop: asyncio.Event) -> int:
        log = await _open_log(args, "gateway")
        if log is None:
            return 1
        server = Server(config, log=log, control=NatsControl(log.nc, log.prefix))
        try:
            await server.start()
            http = server.url.replace("ws://", "http://", 1)
            print(
                f"racefeed gateway: feed at {server.url}  web page at {http}  "
                f"(log in stream {log.stream} at {args.nats})",
                file=out,
                flush=True,
            )
            await stop.wait()
        finally:
            await server.stop()
            await log.close()
        return 0

    return _run(run)
