"""The one connection loop every racefeed client runs over its ``ClientProtocol``.

``FeedLink.run()`` connects (failing over between several URLs, with exponential
backoff and full jitter), sends the protocol's subscribe, hands each frame to the
protocol and each of its outputs to the client's ``handle``; it sends the
protocol's resubscribes, arms its reorder timer, and on a dropped connection
reconnects and resumes from where the protocol says. It returns at the end of the
replay and raises a ``FeedError`` when it cannot go on. The SDK (``feed.client.sdk``),
``racefeed tail`` and ``racefeed watch`` all run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable, Sequence

import msgspec
import structlog
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.protocol import State

from feed import wire
from feed.errors import FeedRejected, FeedUnavailable
from feed.protocol.client import ClientOutput, ClientProtocol, Fatal, Resubscribe

__all__ = ["DEFAULT_BACKOFF", "Backoff", "FeedLink"]

_NETWORK_ERRORS = (OSError, ConnectionClosed, InvalidHandshake, TimeoutError)
_logger = structlog.get_logger("racefeed.sdk")


class Backoff(msgspec.Struct, frozen=True):
    """Exponential backoff with full jitter between reconnect attempts.

    Attributes:
        initial: the first delay, in seconds.
        maximum: the cap on any one delay.
        attempts: consecutive failed attempts (over all URLs) before giving up; None never.
    """

    initial: float = 0.05
    maximum: float = 2.0
    attempts: int | None = 20

    def delay(self, attempt: int, rng: random.Random) -> float:
        """How long to wait before attempt number ``attempt`` (1-based)."""
        return rng.uniform(0, min(self.maximum, self.initial * 2 ** (attempt - 1)))


DEFAULT_BACKOFF = Backoff()


class FeedLink:
    """Keeps one subscription going over connections that come and go.

    Args:
        urls: the servers, tried in turn.
        protocol: the client protocol (its first subscribe says what to follow).
        handle: called with every output that is not the link's own business
            (``Apply``, ``Reset``, ``Notice``, ``Ended``).
        backoff: the reconnect policy.
        open_timeout: seconds allowed for each websocket handshake.
        seed: seeds the backoff jitter, for reproducible tests.
    """

    def __init__(
        self,
        urls: Sequence[str],
        protocol: ClientProtocol,
        handle: Callable[[ClientOutput], None],
        *,
        backoff: Backoff = DEFAULT_BACKOFF,
        open_timeout: float = 5.0,
        seed: int | None = None,
    ) -> None:
        if not urls:
            raise ValueError("a feed needs at least one server URL")
        self.urls = list(urls)
        self.protocol = protocol
        self.url: str | None = None
        self.ws: ClientConnection | None = None
        self._handle = handle
        self._backoff = backoff
        self._open_timeout = open_timeout
        self._rng = random.Random(seed)
        self._timer: asyncio.TimerHandle | None = None
        self._sends: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        """Follow until the end of the replay.

        Raises:
            FeedUnavailable: no server answered after every retry.
            FeedRejected: the server refused in a way retrying cannot change.
        """
        failures = 0
        index = 0
        try:
            while not self.protocol.ended:
                url = self.urls[index % len(self.urls)]
                delivered = self.protocol.stats.delivered
                try:
                    await self._serve(url)
                    failures = 0
                except _NETWORK_ERRORS as exc:
                    # A connection that got somewhere before it dropped starts a new count.
                    failures = 1 if self.protocol.stats.delivered > delivered else failures + 1
                    index += 1
                    _logger.info("feed_disconnected", url=url, error=repr(exc))
                    attempts = self._backoff.attempts
                    if attempts is not None and failures > attempts:
                        raise FeedUnavailable(
                            f"no server answered after {failures} attempts on "
                            f"{', '.join(self.urls)}: {exc!r}"
                        ) from exc
                    await asyncio.sleep(self._backoff.delay(failures, self._rng))
                except InvalidURI as exc:
                    raise FeedUnavailable(f"not a websocket URL: {exc}") from exc
        finally:
            self.ws = None
            self._stop_timer()

    @property
    def connected(self) -> bool:
        """Whether a connection is open now (a lost one is being tried again otherwise)."""
        return self.ws is not None and self.ws.state is State.OPEN

    async def send(self, message: wire.ClientMessage) -> None:
        """Send one message on the open connection.

        Raises:
            FeedUnavailable: not connected right now.
        """
        if self.ws is None:
            raise FeedUnavailable("not connected")
        await self.ws.send(wire.encode(message).decode())

    async def _serve(self, url: str) -> None:
        """One connection: subscribe, then hand frames over until the end or a disconnect."""
        async with ws_connect(
            url, compression=None, max_size=None, open_timeout=self._open_timeout
        ) as ws:
            self.ws = ws
            self.url = url
            await ws.send(wire.encode(self.protocol.connected()).decode())
            async for raw in ws:
                self._act(self.protocol.receive(wire.decode_server(raw), _now()))
                if self.protocol.ended:
                    return
        # The server closed cleanly without an `end`: treat it like any disconnect.
        raise ConnectionError("the server closed the connection before the end")

    def _act(self, outputs: list[ClientOutput]) -> None:
        for output in outputs:
            match output:
                case Resubscribe(message=message):
                    self._send_aside(message)
                case Fatal(error=error):
                    raise FeedRejected(error.code, error.message)
                case _:
                    self._handle(output)
        self._arm()

    def _send_aside(self, message: wire.Subscribe) -> None:
        # Not awaited here: a send awaited while the server closes would wait for a close
        # that cannot come while nobody reads (websockets' backpressure).
        ws = self.ws
        if ws is None:
            return

        async def send() -> None:
            with contextlib.suppress(ConnectionClosed):
                await ws.send(wire.encode(message).decode())

        task = asyncio.get_running_loop().create_task(send())
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    def _arm(self) -> None:
        self._stop_timer()
        deadline = self.protocol.next_deadline()
        if deadline is not None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(max(0.0, deadline - _now()), self._tick)

    def _tick(self) -> None:
        self._timer = None
        self._act(self.protocol.tick(_now()))

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _now() -> float:
    return asyncio.get_running_loop().time()
