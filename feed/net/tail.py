"""Follow a session from the command line: connect, subscribe, resume, hand on every frame.

``follow`` is what ``racefeed tail`` runs. It keeps the stream gapless across
disconnections: when the connection drops (or the server says ``too_slow``) it
reconnects and resumes from the seq after the last one it handed on, with the
epoch it saw; duplicates are dropped by seq; a ``snapshot`` (after a new epoch)
resets the position.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from feed import wire
from feed.events import EVENT_TYPES, Event

__all__ = ["FollowError", "FollowOptions", "follow"]


class FollowError(Exception):
    """The feed could not be followed to its end; the message says why."""


@dataclass(frozen=True, kw_only=True)
class FollowOptions:
    """What to subscribe to and how hard to try.

    Attributes:
        session: the session id.
        from_seq: the first seq wanted (default: from the beginning).
        snapshot: ask for a snapshot first.
        connect_for_s: keep trying to connect for this long.
        resumes: how many times to reconnect after a drop.
    """

    session: str = "main"
    from_seq: int | None = None
    snapshot: bool = False
    connect_for_s: float = 3.0
    resumes: int = 5


async def follow(
    url: str,
    options: FollowOptions,
    on_event: Callable[[Event], None],
    on_message: Callable[[wire.ServerMessage], None],
    stop: asyncio.Event | None = None,
) -> None:
    """Follow ``url`` until ``end`` (or until ``stop`` is set), calling back for each part.

    Raises:
        FollowError: the server cannot be reached, refuses the subscription, or the
            connection keeps dropping.
    """
    follower = _Follower(options, on_event, on_message)
    stop = stop or asyncio.Event()
    drops = 0
    while True:
        ws = await _connect(url, options.connect_for_s if drops == 0 else 2.0)
        stopper = asyncio.get_running_loop().create_task(_close_on(stop, ws))
        try:
            await ws.send(msgspec.json.encode(follower.subscribe()).decode())
            if await follower.read(ws):
                await ws.close()
                return
        except ConnectionClosed:
            pass
        finally:
            stopper.cancel()
        if stop.is_set():
            return
        drops += 1
        if drops > options.resumes:
            raise FollowError(f"the connection dropped {drops} times; giving up")


class _Follower:
    """The position in the stream, kept across connections."""

    def __init__(
        self,
        options: FollowOptions,
        on_event: Callable[[Event], None],
        on_message: Callable[[wire.ServerMessage], None],
    ) -> None:
        self.options = options
        self.on_event = on_event
        self.on_message = on_message
        self.last_seq = (options.from_seq - 1) if options.from_seq else 0
        self.epoch: int | None = None
        self.resuming = False

    def subscribe(self) -> dict[str, object]:
        message: dict[str, object] = {"op": "subscribe", "session": self.options.session}
        if self.resuming:
            message.update(from_seq=self.last_seq + 1, epoch=self.epoch)
        else:
            if self.options.from_seq is not None:
                message["from_seq"] = self.options.from_seq
            message["snapshot"] = self.options.snapshot
        self.resuming = True
        return message

    async def read(self, ws: ClientConnection) -> bool:
        """Read frames until ``end`` (``True``) or until the server cuts us off (``False``)."""
        while True:
            frame = wire.decode_server(await ws.recv(decode=False))
            if isinstance(frame, list):
                for event in frame:
                    self._event(event)
                continue
            if isinstance(frame, _EVENT_CLASSES):
                self._event(frame)
                continue
            message = cast(wire.ServerMessage, frame)
            match message:
                case wire.Subscribed() | wire.ReplayStatus() | wire.CaughtUp():
                    self.epoch = message.epoch
                case wire.SnapshotMessage():
                    self.epoch, self.last_seq = message.epoch, message.seq
                case wire.ErrorMessage(code=code) if code in _FATAL:
                    self.on_message(message)
                    raise FollowError(f"{code}: {message.message}")
                case wire.ErrorMessage(closes=True):
                    self.on_message(message)
                    return False
                case wire.End():
                    self.on_message(message)
                    return True
            self.on_message(message)

    def _event(self, event: Event) -> None:
        if event.seq <= self.last_seq:
            return  # delivery is at-least-once: drop what we have
        self.last_seq = event.seq
        self.on_event(event)


_FATAL = {"unknown_session", "bad_message", "unknown_op", "bad_json"}
_EVENT_CLASSES = tuple(EVENT_TYPES.values())


async def _close_on(stop: asyncio.Event, ws: ClientConnection) -> None:
    await stop.wait()
    await ws.close()


async def _connect(url: str, patience: float) -> ClientConnection:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while True:
        try:
            return await connect(url, compression=None, max_size=None, open_timeout=5)
        except InvalidURI as exc:
            raise FollowError(f"{url}: not a websocket URL ({exc})") from None
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            if loop.time() >= deadline:
                raise FollowError(f"cannot connect to {url}: {exc}") from None
            await asyncio.sleep(0.1)
