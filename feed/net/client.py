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
import random
import secrets
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from types import TracebackType
from typing import Self

import msgspec
import structlog
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from feed import wire
from feed.errors import FeedError, FeedRejected, FeedTimeout, FeedUnavailable
from feed.events import Event
from feed.projections import Projection
from feed.projections.views import MedalTable, RaceStateView, Standings

__all__ = ["DEFAULT_BACKOFF", "Backoff", "Feed", "FeedStats", "connect"]

# Errors after which retrying cannot help: the request itself is wrong.
_FATAL = frozenset({"unknown_session", "unknown_scenario", "unauthorized", "bad_message"})
_NETWORK_ERRORS = (OSError, ConnectionClosed, InvalidHandshake, TimeoutError)
# A missing seq may only be late (reordered on the way): hold what came after it this
# long, and this many events, before asking the server again.
_REORDER_WAIT_S = 0.2
_REORDER_WINDOW = 64


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


class FeedStats(msgspec.Struct):
    """What the feed had to do to keep the stream whole.

    Attributes:
        delivered: events handed to the user (each seq of an epoch once).
        connects: websocket connections opened.
        duplicates_dropped: events that came again and were not handed over twice.
        gaps_detected: times the feed asked the server again for a seq that never came.
        reordered: events that came early and were held until the ones before them came.
        snapshots_taken: states replaced by a snapshot (epoch change, unreachable seq).
        too_slow: times the server cut the feed off for reading too slowly.
    """

    delivered: int = 0
    connects: int = 0
    duplicates_dropped: int = 0
    gaps_detected: int = 0
    reordered: int = 0
    snapshots_taken: int = 0
    too_slow: int = 0


class _Resubscribe(Exception):
    """Internal: start the subscription again from the next seq we need."""


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
        self.stats = FeedStats()
        self.epoch: int | None = None
        self.replay_state: wire.ReplayStatus | None = None
        self.ended = False
        self.url: str | None = None
        # Starting anywhere but seq 1 needs the state at that point to fold onto.
        starts_later = from_seq not in (None, 1) or from_race_ms is not None or live
        # Faults are planned per logical subscriber: the id keeps them going across reconnects.
        if faults is not None and client_id is None:
            client_id = secrets.token_hex(8)
        self._first = wire.Subscribe(
            faults=faults,
            fault_seed=fault_seed,
            client_id=client_id,
            session=session,
            from_seq=from_seq,
            from_race_ms=from_race_ms,
            live=live,
            snapshot=snapshot or starts_later,
        )
        self._backoff = backoff
        self._open_timeout = open_timeout
        self._rng = random.Random(seed)
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._changed = asyncio.Condition()
        self._subscribed = asyncio.Event()
        self._failure: FeedError | None = None
        self._reset_callbacks: list[Callable[[Projection], None]] = []
        self._recent: deque[Event] = deque(maxlen=4096)  # for wait_for_event
        self._task: asyncio.Task[None] | None = None
        self._ws: ClientConnection | None = None
        self._resubscribing = False  # a subscribe for a gap is on its way; wait for its answer
        self._ahead: dict[int, Event] = {}  # events that came before a seq still missing
        self._ahead_timer: asyncio.TimerHandle | None = None
        self._sends: set[asyncio.Task[None]] = set()
        self._log = structlog.get_logger("racefeed.sdk").bind(session=session)

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
        if self._ws is None:
            raise FeedUnavailable("not connected")
        message = msgspec.convert(
            {"session": self.session, "token": token, "action": action, **fields}, wire.Control
        )
        await self._ws.send(wire.encode(message).decode())

    # -- waiting helpers ---------------------------------------------------------------

    async def wait_until(
        self, predicate: Callable[[Feed], bool], timeout: float, *, what: str = "a condition"
    ) -> None:
        """Wait until ``predicate(feed)`` holds, or raise ``FeedTimeout`` after ``timeout`` s."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: predicate(self) or self._done()), timeout
                )
            except TimeoutError:
                raise FeedTimeout(
                    f"waited {timeout:g} s for {what}; last seq {self.last_seq}, "
                    f"epoch {self.epoch}, ended {self.ended}"
                ) from None
        if not predicate(self):
            if self._failure is not None:
                raise self._failure
            raise FeedTimeout(f"the feed ended before {what}; last seq {self.last_seq}")

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

    # -- the connection loop -----------------------------------------------------------

    def _done(self) -> bool:
        return self.ended or self._failure is not None

    async def _run(self) -> None:
        failures = 0
        index = 0
        try:
            while not self.ended:
                url = self.urls[index % len(self.urls)]
                try:
                    await self._serve(url)
                    failures = 0
                except _NETWORK_ERRORS as exc:
                    failures += 1
                    index += 1
                    self._log.info("feed_disconnected", url=url, error=repr(exc), seq=self.last_seq)
                    if self._backoff.attempts is not None and failures > self._backoff.attempts:
                        raise FeedUnavailable(
                            f"no server answered after {failures} attempts on "
                            f"{', '.join(self.urls)}: {exc!r}"
                        ) from exc
                    await asyncio.sleep(self._backoff.delay(failures, self._rng))
                except InvalidURI as exc:
                    raise FeedUnavailable(f"not a websocket URL: {exc}") from exc
        except FeedError as exc:
            self._failure = exc
        finally:
            self._ws = None
            self._queue.put_nowait(None)
            async with self._changed:
                self._changed.notify_all()

    async def _serve(self, url: str) -> None:
        """One connection: subscribe, then fold frames until the end or a disconnect."""
        async with ws_connect(
            url, compression=None, max_size=None, open_timeout=self._open_timeout
        ) as ws:
            self._ws = ws
            self._resubscribing = False
            self._forget_ahead()
            self.url = url
            self.stats.connects += 1
            await ws.send(wire.encode(self._subscribe_message()).decode())
            async for raw in ws:
                try:
                    await self._on_frame(wire.decode_server(raw))
                except _Resubscribe:
                    # Once per answer: frames still in flight would ask again for the same seq.
                    # Sent aside: a send awaited here, while the server closes, would wait for
                    # a close that cannot come while nobody reads (websockets' backpressure).
                    self._ask_again(ws)
                if self.ended:
                    return
        # The server closed cleanly without an `end`: treat it like any disconnect.
        raise ConnectionError("the server closed the connection before the end")

    def _ask_again(self, ws: ClientConnection) -> None:
        """Subscribe again from the first seq missing; what is held comes again after it."""
        self._forget_ahead()
        if not self._resubscribing:
            self._resubscribing = True
            self._send_aside(ws, self._subscribe_message())

    def _late_seq_missing(self) -> None:
        """The seq the held events wait for did not come in time: ask for it."""
        self._ahead_timer = None
        if self._ahead and self._ws is not None:
            self.stats.gaps_detected += 1
            self._ask_again(self._ws)

    def _forget_ahead(self) -> None:
        self._ahead.clear()
        if self._ahead_timer is not None:
            self._ahead_timer.cancel()
            self._ahead_timer = None

    def _send_aside(self, ws: ClientConnection, message: wire.Subscribe) -> None:
        async def send() -> None:
            with contextlib.suppress(ConnectionClosed):
                await ws.send(wire.encode(message).decode())

        task = asyncio.get_running_loop().create_task(send())
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    def _subscribe_message(self) -> wire.Subscribe:
        if self.last_seq == 0 and self.epoch is None:
            return self._first
        return msgspec.structs.replace(
            self._first,
            from_seq=self.last_seq + 1,
            from_race_ms=None,
            live=False,
            epoch=self.epoch,
            snapshot=False,
        )

    async def _on_frame(self, frame: wire.ServerFrame) -> None:
        match frame:
            case list():
                for event in frame:
                    self._on_event(event)
            case wire.Subscribed():
                self._resubscribing = False
                self.epoch = frame.epoch
                self._subscribed.set()
            case wire.SnapshotMessage():
                self._take_snapshot(frame)
            case wire.ReplayStatus():
                self.replay_state = frame
                if frame.epoch != self.epoch and self.epoch is not None:
                    self.epoch = frame.epoch
            case wire.Heartbeat() | wire.CaughtUp():
                if frame.head_seq > self.last_seq and frame.epoch == self.epoch:
                    # The newest events never came: ask again from the first one missing.
                    self.stats.gaps_detected += 1
                    raise _Resubscribe
            case wire.End() if frame.head_seq > self.last_seq and frame.epoch == self.epoch:
                # The last events never came: the server closes next, and the loop resumes.
                self.stats.gaps_detected += 1
            case wire.End():
                self.ended = True
            case wire.ErrorMessage():
                self._on_error(frame)
            case wire.Unsubscribed() | wire.Pong() | wire.SessionCreated() | wire.ViewsMessage():
                pass
            case _:
                self._on_event(frame)
        async with self._changed:
            self._changed.notify_all()

    def _on_event(self, event: Event) -> None:
        seq = event.seq
        if seq <= self.last_seq or seq in self._ahead:
            self.stats.duplicates_dropped += 1
            return
        if seq > self.last_seq + 1:
            if self._resubscribing:
                return  # in flight before the new subscription: it sends this again
            self._ahead[seq] = event
            if len(self._ahead) > _REORDER_WINDOW:
                self.stats.gaps_detected += 1
                raise _Resubscribe
            if self._ahead_timer is None:
                loop = asyncio.get_running_loop()
                self._ahead_timer = loop.call_later(_REORDER_WAIT_S, self._late_seq_missing)
            return
        self._deliver(event)
        while self._ahead:
            following = self._ahead.pop(self.last_seq + 1, None)
            if following is None:
                return
            self.stats.reordered += 1
            self._deliver(following)
        self._forget_ahead()

    def _deliver(self, event: Event) -> None:
        self.projection.apply(event)
        self.stats.delivered += 1
        self._recent.append(event)
        self._queue.put_nowait(event)

    def _take_snapshot(self, frame: wire.SnapshotMessage) -> None:
        self._forget_ahead()
        self.projection = Projection.from_state(frame.state)
        self._recent.clear()
        self.epoch = frame.epoch
        self.stats.snapshots_taken += 1
        for callback in self._reset_callbacks:
            callback(self.projection)

    def _on_error(self, frame: wire.ErrorMessage) -> None:
        if frame.code in _FATAL:
            raise FeedRejected(frame.code, frame.message)
        if frame.code == "too_slow":
            self.stats.too_slow += 1
        # stale_epoch / unreachable_seq: the fresh snapshot that follows resets the state;
        # too_slow and the rest: the server closes, and the loop resumes from last_seq + 1.
        self._log.info("feed_error", code=frame.code, message=frame.message)


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
