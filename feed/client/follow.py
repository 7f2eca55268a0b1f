"""Follow a session from the command line: ``racefeed tail`` and ``racefeed watch``.

``follow`` runs the client's one connection loop (``feed.client.link``) over the
client protocol, so a tail keeps the stream whole exactly as the SDK does: it drops
duplicates, puts reordered events back in order, asks again for what went missing,
resumes after a dropped connection, and starts over from the snapshot a new epoch
brings. Each event and each protocol message is handed to the caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from feed import wire
from feed.client.link import Backoff, FeedLink
from feed.errors import FeedRejected, FeedUnavailable
from feed.events import Event
from feed.protocol.client import Apply, ClientOutput, ClientProtocol, Ended, Notice, Reset

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
        connect_for_s: keep trying to connect for about this long, each time.
    """

    session: str = "main"
    from_seq: int | None = None
    snapshot: bool = False
    connect_for_s: float = 3.0


async def follow(
    url: str,
    options: FollowOptions,
    on_event: Callable[[Event], None],
    on_message: Callable[[wire.ServerMessage], None],
    stop: asyncio.Event | None = None,
) -> None:
    """Follow ``url`` until ``end`` (or until ``stop`` is set), calling back for each part.

    Raises:
        FollowError: the server cannot be reached or refuses the subscription.
    """
    first = wire.Subscribe(
        session=options.session, from_seq=options.from_seq, snapshot=options.snapshot
    )

    def handle(output: ClientOutput) -> None:
        match output:
            case Apply(event=event):
                on_event(event)
            case Reset(snapshot=snapshot):
                on_message(snapshot)
            case Notice(message=message) | Ended(message=message):
                on_message(message)

    # About a third of a second between attempts once the backoff has grown.
    attempts = max(2, round(options.connect_for_s / 0.3))
    link = FeedLink(
        [url],
        ClientProtocol(first),
        handle,
        backoff=Backoff(initial=0.05, maximum=0.5, attempts=attempts),
    )
    running = asyncio.ensure_future(link.run())
    stopped = asyncio.ensure_future((stop or asyncio.Event()).wait())
    try:
        await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if running.done():
            running.result()
    except FeedRejected as exc:
        raise FollowError(str(exc)) from None
    except FeedUnavailable as exc:
        raise FollowError(f"cannot connect to {url}: {exc}") from None
    finally:
        running.cancel()
        stopped.cancel()
