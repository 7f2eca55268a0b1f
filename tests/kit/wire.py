"""Websocket clients for the tests: one that records and checks every frame, one that is raw."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from feed import wire
from tests.kit.schemas import RECORDED, Json


class Client:
    """A test client: sends dicts, receives decoded frames, records every frame it gets."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Json] = []

    @classmethod
    async def open(cls, url: str, **kwargs: Any) -> Client:
        ws = await connect(url, compression=None, max_size=None, open_timeout=5, **kwargs)
        return cls(ws)

    async def send(self, **message: Json) -> None:
        await self.ws.send(msgspec.json.encode(message).decode())

    async def recv(self, timeout: float = 15.0) -> Json:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        data = raw.encode() if isinstance(raw, str) else raw
        RECORDED.append(data)
        frame = msgspec.json.decode(data)
        wire.decode_server(data)  # every frame also decodes into the typed messages
        self.frames.append(frame)
        return frame

    async def recv_op(self, op: str, timeout: float = 15.0) -> Json:
        """Receive until a message with this ``op``; everything before it stays in ``frames``."""
        while True:
            frame = await self.recv(timeout)
            if isinstance(frame, dict) and frame.get("op") == op:
                return frame

    async def events_until(self, op: str = "end", timeout: float = 15.0) -> list[Json]:
        """Every event envelope received (batches flattened) until a message with ``op``."""
        events: list[Json] = []
        while True:
            frame = await self.recv(timeout)
            if isinstance(frame, list):
                events.extend(frame)
            elif "type" in frame:
                events.append(frame)
            elif frame.get("op") == op:
                return events

    async def close(self) -> None:
        await self.ws.close()


def envelopes(frames: list[Json]) -> list[Json]:
    """The event envelopes among received frames, batches flattened."""
    out: list[Json] = []
    for frame in frames:
        if isinstance(frame, list):
            out.extend(frame)
        elif isinstance(frame, dict) and "type" in frame:
            out.append(frame)
    return out


class Raw:
    """JSON in and out, every frame kept in ``frames``; no checks (for hostile tests)."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Any] = []

    @classmethod
    async def open(cls, url: str, **kwargs: Any) -> Raw:
        # No flow control by default: a test that closes with frames unread must not wait
        # for the close handshake behind them (websockets pauses reading past 16 frames).
        kwargs.setdefault("max_queue", None)
        ws = await connect(url, compression=None, max_size=None, open_timeout=5, **kwargs)
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

    async def frames_until(self, op: str, timeout: float = 10.0) -> tuple[list[Any], Any]:
        """Every frame before the first message with ``op``, and that message."""
        return await self.frames_until_either((op,), timeout)

    async def frames_until_either(
        self, ops: tuple[str, ...], timeout: float = 10.0
    ) -> tuple[list[Any], Any]:
        """Every frame before the first message with one of ``ops``, and that message."""
        before: list[Any] = []
        while True:
            frame = await self.recv(timeout)
            if isinstance(frame, dict) and frame.get("op") in ops:
                return before, frame
            before.append(frame)

    async def closed_with(self, timeout: float = 5.0) -> int | None:
        """Read until the server closes; the close code it sent (None: no close frame)."""
        try:
            while True:
                await self.recv(timeout)
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd is not None else None

    async def close(self) -> None:
        await self.ws.close()


def seqs_of(frames: list[Any]) -> list[int]:
    """The event seqs among received frames, batches flattened, in order."""
    return [envelope["seq"] for envelope in envelopes(frames)]
