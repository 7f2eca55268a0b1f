"""racefeed's clients: the Python SDK and the followers behind ``racefeed tail`` and ``watch``.

Every one of them runs the same connection loop (``link``) over the same client
protocol (``feed.protocol.client``); nothing about delivery is decided here.
"""

from feed.client.link import DEFAULT_BACKOFF, Backoff
from feed.client.sdk import Feed, FeedStats, connect

__all__ = ["DEFAULT_BACKOFF", "Backoff", "Feed", "FeedStats", "connect"]
