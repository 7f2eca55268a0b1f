"""The protocol objects, sans-I/O: what racefeed's hosts and clients decide, with no I/O.

- ``session``: ``SessionProtocol``, one session's stream and subscribers (fan-out,
  catch-up, epochs, heartbeats, faults): inputs and ``now`` in, outputs and the
  next deadline out.
- ``client``: ``ClientProtocol``, one follower's side (dedupe, reorder window, gaps,
  epochs, resume point), shared by the SDK, ``racefeed tail`` and ``racefeed watch``.
- ``limits``: ``Limits``, every limit and interval of a deployment, in one structure.

Nothing here imports asyncio, websockets or structlog; hosts in ``feed.server`` and
clients in ``feed.client`` drive these objects over sockets.
"""

from feed.protocol.limits import LIMITS, Limits, configure_limits
from feed.protocol.outputs import Abort, AwaitDrain, Broadcast, Close, Deliver, Output
from feed.protocol.session import SessionProtocol
from feed.protocol.subscriber import TRANSITIONS, Subscriber, SubscriberState

__all__ = [
    "LIMITS",
    "TRANSITIONS",
    "Abort",
    "AwaitDrain",
    "Broadcast",
    "Close",
    "Deliver",
    "Limits",
    "Output",
    "SessionProtocol",
    "Subscriber",
    "SubscriberState",
    "configure_limits",
]
