"""Record every frame of a websocket feed, with its arrival time, to a JSONL file.

Each line is written and flushed as the frame arrives, so an interrupted recording
keeps everything received so far.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from feed.recording.format import Frame, Header, encode_frame, encode_header

__all__ = ["record"]


async def record(
    url: str,
    out: Path,
    *,
    send: Sequence[str] = (),
    until_text: str | None = None,
    until_frames: int | None = None,
    duration: float | None = None,
) -> int:
    """Record ``url`` into ``out`` until a stop condition or the server closes; return frames kept.

    ``send`` is sent, in order, right after connecting. Recording stops after the
    first frame containing ``until_text``, after ``until_frames`` frames, after
    ``duration`` seconds, or when the connection closes - whichever comes first.
    """
    header = Header(url=url, started_at=datetime.now(UTC).isoformat(), sent=tuple(send))
    count = 0
    # Connect first, so an unreachable URL leaves no file behind.
    async with connect(url, max_size=None) as connection:
        with out.open("w", encoding="utf-8") as sink:
            sink.write(encode_header(header) + "\n")
            sink.flush()
            for message in send:
                await connection.send(message)
            first: float | None = None
            deadline = None if duration is None else time.monotonic() + duration
            while until_frames is None or count < until_frames:
                timeout = None if deadline is None else deadline - time.monotonic()
                if timeout is not None and timeout <= 0:
                    break
                try:
                    data = await asyncio.wait_for(connection.recv(), timeout)
                except (TimeoutError, ConnectionClosed):
                    break
                arrived = time.monotonic()
                first = arrived if first is None else first
                sink.write(encode_frame(Frame((arrived - first) * 1000.0, data)) + "\n")
                sink.flush()
                count += 1
                if until_text is not None and until_text in (
                    data if isinstance(data, str) else data.decode("utf-8", "replace")
                ):
                    break
    return count
