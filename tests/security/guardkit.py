"""A bare websocket client for the security and limits tests, and a log of large events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from feed.events import Commentary, CommentaryData, Event
from feed.replay import format_utc

_START = datetime(2025, 9, 17, 13, 20, 40, tzinfo=UTC)


class Raw:
    """JSON in and out, every frame kept in ``frames``."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Any] = []

    @classmethod
    async def open(cls, url: str, **kwargs: Any) -> Raw:
        ws = await ws_connect(url, compression=None, max_size=None, open_timeout=5, **kwargs)
        return cls(ws)

    async def send(self, **message: object) -> None:
        await self.ws.send(msgspec.json.encode(message).decode())

    async def recv(self, timeout: float = 5.0) -> Any:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        frame = msgspec.json.decode(raw)
        self.frames.append(frame)
        return frame

    async def until(self, op: str, timeout: float = 5.0) -> Any:
        """The first message with ``op`` (what comes before it stays in ``frames``)."""
        while True:
            frame = await self.recv(timeout)
            if isinstance(frame, dict) and frame.get("op") == op:
                return frame

    async def closed_with(self, timeout: float = 5.0) -> int | None:
        """Read until the server closes; the close code it sent (None: no close frame)."""
        try:
            while True:
                await self.recv(timeout)
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd is not None else None

    async def close(self) -> None:
        await self.ws.close()


def talk(count: int, *, text_bytes: int = 64, gap_ms: int = 10) -> list[Event]:
    """``count`` commentary events ``gap_ms`` apart, each with about ``text_bytes`` of text."""
    return [
        Commentary(
            seq=seq,
            stream="talk",
            race="talk",
            race_ms=(seq - 1) * gap_ms,
            at=format_utc(_START + timedelta(milliseconds=(seq - 1) * gap_ms)),
            data=CommentaryData(text=f"{seq:08d} " + "x" * max(0, text_bytes - 9)),
        )
        for seq in range(1, count + 1)
    ]
