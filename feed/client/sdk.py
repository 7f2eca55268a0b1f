"""The Python client SDK: a feed that survives disconnects and keeps the projections current.

::

    async with connect("ws://127.0.0.1:8765", session="main") as feed:
        async for event in feed:
            print(event.seq, event.type, feed.standings().status)

The feed reconnects by itself with exponential backoff (failing over between
several URLs when given a list), resumes from the last seq it holds, drops
duplicates, puts events that overtook each other back in order (holding up to
64 events for at most 0.2 s while the missing one may still come), notices gaps
(from the seq, and from a heartbeat's head seq when the last event went missing)
and resubscribes to fill them, and replaces its state with
the fresh snapshot the server sends when the epoch changed or a position cannot be
reached. ``feed.projection`` is the core's ``Projection`` (the same code the server
uses), current at every moment. What cannot be recovered raises a ``FeedError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from types import TracebackType
from typing import Self

import msgspec
import structlog

from feed import wire
from feed.client.link import DEFAULT_BACKOFF, Backoff, FeedLink
from feed.errors import FeedError, FeedTimeout
from feed.events import Event
from feed.projections import Projection
from feed.projections.views import MedalTable, RaceStateView, Standings
from feed.protocol.client import (
    Apply,
    ClientOutput,
    ClientProtocol,
    ClientStats,
    Ended,
    Notice,
    Reset,
)

__all__ = ["DEFAULT_BACKOFF", "Backoff", "Feed", "FeedStats", "connect"]

FeedStats = ClientStats
"""What the feed had to do to keep the stream whole (``feed.protocol.client.ClientStats``)."""

_logger = structlog.get_logger("racefeed.sdk")


class Feed:
    """A live subscription to one session; use it through ``connect``."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        session: str = "main",
        from_seq: int | None = None,
        from_race_ms: int | None = None,
        live: bool = False,
        snapshot: bool = False,
        backoff: Backoff = DEFAULT_BACKOFF,
        open_timeout: float = 5.0,
        seed: int | None = None,
        faults: str | None = None,
        fault_seed: int = 0,
        client_id: str | None = None,
    ) -> None:
        if not urls:
            raise ValueError("connect() needs at least one server URL")
        self.urls = list(urls)
        self.session = session
        self.projection = Projection()
        self.replay_state: wire.ReplayStatus | None = None
        # Starting anywhere but seq 1 needs the state at that point to fold onto.
        starts_later = from_seq not in (None, 1) or from_race_ms is not None or live
        # Faults are planned per logical subscriber: the id keeps them going across reconnects.
        if faults is not None and client_id is None:
            client_id = secrets.token_hex(8)
        first = wire.Subscribe(
            faults=faults,
            fault_seed=fault_seed,
            client_id=client_id,
            session=session,
            from_seq=from_seq,
            from_race_ms=from_race_ms,
            live=live,
            snapshot=snapshot or starts_later,
        )
        self.protocol = ClientProtocol(first)
        self._link = FeedLink(
            self.urls, self.protocol, self._take, backoff=backoff, open_timeout=open_timeout,
            seed=seed,
        )  # fmt: skip
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._changed = asyncio.Event()
        self._subscribed = asyncio.Event()
        self._failure: FeedError | None = None
        self._reset_callbacks: list[Callable[[Projection], None]] = []
        self._recent: deque[Event] = deque(maxlen=4096)  # for wait_for_event
        self._task: asyncio.Task[None] | None = None

    # -- lifecycle --------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run(), name=f"racefeed-feed-{self.session}")
        waiter = asyncio.create_task(self._subscribed.wait())
        await asyncio.wait({self._task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self._failure is not None:
            await self.close()
            raise self._failure
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop reading and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        event = await self._queue.get()
        if event is None:
            self._queue.put_nowait(None)  # later calls stop too
            if self._failure is not None:
                raise self._failure
            raise StopAsyncIteration
        return event

    # -- the projections, current at every moment --------------------------------------

    @property
    def last_seq(self) -> int:
        """The last seq applied to the projection (0 before any)."""
        return self.projection.head_seq

    @property
    def epoch(self) -> int | None:
        """The epoch of what the feed holds (``None`` before the first answer)."""
        return self.protocol.epoch

    @property
    def ended(self) -> bool:
        """Whether the server said the replay is over (and every event of it was applied)."""
        return self.protocol.ended

    @property
    def stats(self) -> ClientStats:
        """What the feed had to do to keep the stream whole."""
        return self.protocol.stats

    @property
    def connected(self) -> bool:
        """Whether the feed has an open connection now (it reconnects by itself otherwise)."""
        return self._link.connected

    @property
    def url(self) -> str | None:
        """The server the feed is connected to (or was last)."""
        return self._link.url

    def race_state(self, race: str | None = None) -> RaceStateView:
        """Running order, leader, gaps and incidents as of the last event."""
        return self.projection.race_state(race)

    def standings(self, race: str | None = None) -> Standings:
        """The result table as of the last event."""
        return self.projection.standings(race)

    def medal_table(self) -> MedalTable:
        """The medal table as of the last event."""
        return self.projection.medal_table()

    def on_reset(self, callback: Callable[[Projection], None]) -> None:
        """Call ``callback(projection)`` whenever a snapshot replaces the state."""
        self._reset_callbacks.append(callback)

    async def control(self, token: str, action: wire.ControlAction, **fields: object) -> None:
        """Send a control message for this feed's session (play, pause, speed, seek, step)."""
        message = msgspec.convert(
            {"session": self.session, "token": token, "action": action, **fields}, wire.Control
        )
        await self._link.send(message)

    # -- waiting helpers ---------------------------------------------------------------

    async def wait_until(
        self, predicate: Callable[[Feed], bool], timeout: float, *, what: str = "a condition"
    ) -> None:
        """Wait until ``predicate(feed)`` holds, or raise ``FeedTimeout`` after ``timeout`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate(self):
            if self._done():
                if self._failure is not None:
                    raise self._failure
                raise FeedTimeout(f"the feed ended before {what}; last seq {self.last_seq}")
            left = deadline - loop.time()
            if left <= 0:
                raise FeedTimeout(
                    f"waited {timeout:g} s for {what}; last seq {self.last_seq}, "
                    f"epoch {self.epoch}, ended {self.ended}"
                )
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(left):
                    await self._changed.wait()

    async def wait_for_seq(self, seq: int, timeout: float = 10.0) -> None:
        """Wait until the event with ``seq`` has been applied."""
        await self.wait_until(lambda feed: feed.last_seq >= seq, timeout, what=f"seq {seq}")

    async def wait_for_race_ms(
        self, race_ms: int, timeout: float = 10.0, *, race: str | None = None
    ) -> None:
        """Wait until the race clock (of ``race``, or the current race) reaches ``race_ms``."""
        await self.wait_until(
            lambda feed: (
                bool(feed.projection.race_ids()) and feed.race_state(race).clock_ms >= race_ms
            ),
            timeout,
            what=f"race time {race_ms} ms",
        )

    async def wait_for_event(self, event_type: str, timeout: float = 10.0) -> Event:
        """Wait for the next event of ``event_type`` to be applied, and return it."""
        start = self.last_seq
        found: list[Event] = []

        def seen(_: Feed) -> bool:
            found[:] = [e for e in self._recent if e.seq > start and e.type == event_type][:1]
            return bool(found)

        await self.wait_until(seen, timeout, what=f"an event of type {event_type!r}")
        return found[0]

    async def wait_for_end(self, timeout: float = 30.0) -> None:
        """Wait until the server says the replay is over."""
        await self.wait_until(lambda feed: feed.ended, timeout, what="the end of the replay")

    # -- following ------------------------------------------------------------------------

    def _done(self) -> bool:
        return (
            self.ended
            or self._failure is not None
            or (self._task is not None and self._task.done())
        )

    async def _run(self) -> None:
        try:
            await self._link.run()
        except FeedError as exc:
            self._failure = exc
        finally:
            self._queue.put_nowait(None)
            self._wake()

    def _take(self, output: ClientOutput) -> None:
        """What the client protocol says to do with a frame."""
        match output:
            case Apply(event=event):
                self.projection.apply(event)
                self._recent.append(event)
                self._queue.put_nowait(event)
            case Reset(snapshot=snapshot):
                self.projection = Projection.from_state(snapshot.state)
                self._recent.clear()
                for callback in self._reset_callbacks:
                    callback(self.projection)
            case Notice(message=wire.Subscribed()):
                self._subscribed.set()
            case Notice(message=wire.ReplayStatus() as status):
                self.replay_state = status
            case Notice(message=wire.ErrorMessage() as error):
                _logger.info(
                    "feed_error", session=self.session, code=error.code, message=error.message
                )
            case Notice() | Ended():
                pass
            case _:
                raise AssertionError(f"the link keeps {output!r} to itself")
        self._wake()

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()


def connect(
    urls: str | Sequence[str],
    *,
    session: str = "main",
    from_seq: int | None = None,
    from_race_ms: int | None = None,
    live: bool = False,
    snapshot: bool = False,
    backoff: Backoff = DEFAULT_BACKOFF,
    open_timeout: float = 5.0,
    seed: int | None = None,
    faults: str | None = None,
    fault_seed: int = 0,
    client_id: str | None = None,
) -> Feed:
    """Subscribe to ``session`` on one server URL, or fail over between several.

    Use as ``async with connect(url) as feed: async for event in feed: ...``.

    Args:
        urls: ``ws://host:port`` or a list of them, tried in turn.
        session: the session to follow.
        from_seq: start at this seq (a resume); none of the start arguments: from the start.
        from_race_ms: start at the first event at or after this race time.
        live: only what comes next.
        snapshot: ask for the projected state first (needed when not starting at seq 1).
        backoff: the reconnect policy.
        open_timeout: seconds allowed for each websocket handshake.
        seed: seeds the backoff jitter, for reproducible tests.
        faults: a fault spec (``lossy``, ``chaos,drop_p=0.1``: ``docs/faults.md``) for
            the server to inject into this feed, to test a client against a bad network.
        fault_seed: the seed of the fault plan.
        client_id: names this feed to the server so its faults carry on across
            reconnects (default with ``faults``: a random id).
    """
    return Feed(
        [urls] if isinstance(urls, str) else urls,
        session=session,
        from_seq=from_seq,
        from_race_ms=from_race_ms,
        live=live,
        snapshot=snapshot,
        backoff=backoff,
        open_timeout=open_timeout,
        seed=seed,
        faults=faults,
        fault_seed=fault_seed,
        client_id=client_id,
    )
