"""``racefeed record`` and ``racefeed playback``: capture any websocket feed, serve it back."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from websockets.exceptions import WebSocketException

from feed.errors import FaultSpecError
from feed.faults.profiles import parse_spec
from feed.recording.format import RecordingError, decode
from feed.recording.player import Player
from feed.recording.recorder import record

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``record`` and ``playback``."""
    rec = subparsers.add_parser(
        "record",
        help="record every frame of any websocket feed to a JSONL file",
        description=(
            "Connect to URL, send the --send messages, and write every frame received "
            "(text or binary) with its arrival time to a JSONL recording (docs/ways-in.md). "
            "Stops at --until-text, --until-frames, --duration, when the server closes, or "
            "on Ctrl-C, keeping everything recorded so far."
        ),
        epilog="Example: racefeed record ws://127.0.0.1:8765 -o feed.jsonl --until-frames 100",
    )
    rec.add_argument("url", metavar="URL", help="ws:// or wss:// address")
    rec.add_argument("-o", "--output", required=True, type=Path, help="the .jsonl to write")
    rec.add_argument(
        "--send", action="append", default=[], metavar="JSON", help="send on connect (repeatable)"
    )
    rec.add_argument("--until-text", metavar="S", help="stop after the first frame containing S")
    rec.add_argument("--until-frames", metavar="N", type=int, help="stop after N frames")
    rec.add_argument("--duration", metavar="S", type=float, help="stop after S seconds")
    rec.set_defaults(handler=_record)

    play = subparsers.add_parser(
        "playback",
        help="serve a recording over websocket, verbatim, with clock controls",
        description=(
            "Serve the frames of a recording to every websocket client exactly as recorded, "
            "spaced by their arrival times over --speed. Control it over HTTP on the same "
            "port: GET /control?action=pause|play|step, ?action=speed&speed=2, "
            "?action=seek&ms=1500."
        ),
        epilog="Example: racefeed playback feed.jsonl --port 8766 --speed 2",
    )
    play.add_argument("recording", type=Path, help="a .jsonl made by racefeed record")
    play.add_argument("--host", default="127.0.0.1")
    play.add_argument("--port", type=int, default=8766)
    play.add_argument("--speed", type=float, default=1.0, help="playback speed (default 1)")
    play.add_argument("--paused", action="store_true", help="start paused")
    play.add_argument(
        "--faults", metavar="SPEC", default="none", help="fault spec, seqs = frame numbers"
    )
    play.add_argument("--seed", type=int, default=0, help="fault seed (per connection: seed + n)")
    play.set_defaults(handler=_playback)


def _record(args: argparse.Namespace) -> int:
    for name in ("until_frames", "duration"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            print(
                f"racefeed record: --{name.replace('_', '-')} expected > 0, got {value}",
                file=sys.stderr,
            )
            return 2
    try:
        count = asyncio.run(
            record(
                args.url,
                args.output,
                send=args.send,
                until_text=args.until_text,
                until_frames=args.until_frames,
                duration=args.duration,
            )
        )
    except KeyboardInterrupt:
        print(
            f"racefeed record: interrupted; kept what was recorded in {args.output}",
            file=sys.stderr,
        )
        return 0
    except (OSError, ValueError, WebSocketException) as exc:  # refused, bad URI, handshake
        print(f"racefeed record: {args.url}: {exc}", file=sys.stderr)
        return 1
    print(f"recorded {count} frames to {args.output}")
    return 0


def _playback(args: argparse.Namespace) -> int:
    try:
        with args.recording.open(encoding="utf-8") as lines:
            header, frames = decode(lines, source=str(args.recording))
        spec = parse_spec(args.faults)
        player = Player(frames, speed=args.speed, paused=args.paused, faults=spec, seed=args.seed)
    except (OSError, UnicodeDecodeError, RecordingError, FaultSpecError, ValueError) as exc:
        print(f"racefeed playback: {exc}", file=sys.stderr)
        return 1
    print(f"playing {len(frames)} frames recorded from {header.url} at {header.started_at}")
    try:
        asyncio.run(_serve(player, args.host, args.port))
    except KeyboardInterrupt:
        return 0
    return 0


async def _serve(player: Player, host: str, port: int) -> None:
    bound = await player.start(host, port)
    print(f"serving ws://{host}:{bound} (control: http://{host}:{bound}/control)", flush=True)
    try:
        await asyncio.Future()
    finally:
        await player.close()
