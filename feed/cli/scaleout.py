"""``racefeed director`` and ``racefeed gateway``: the scale-out roles over NATS JetStream."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from feed.server.auth import TOKEN_ENV

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
    director.add_argument(
        "--limit",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a limit, e.g. max_private_sessions=64 (see docs/reliability.md); repeatable",
    )
    director.add_argument("--log-json", action="store_true", help="log JSON lines to stderr")
    director.set_defaults(handler=_role("director"))

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
    gateway.set_defaults(handler=_role("gateway"))


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


def _role(name: str) -> Callable[[argparse.Namespace], int]:
    """The handler of a role: it loads the NATS-backed code, or says how to install it."""

    def handle(args: argparse.Namespace) -> int:
        try:
            roles = importlib.import_module("feed.cli.nats_roles")
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("nats"):
                raise
            print(
                f"racefeed {name}: needs the NATS client, an extra: pip install 'racefeed[nats]'",
                file=sys.stderr,
            )
            return 2
        run: Callable[[argparse.Namespace], int] = getattr(roles, f"run_{name}")
        return run(args)

    return handle
