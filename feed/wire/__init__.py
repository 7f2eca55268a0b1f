"""Every message of the websocket protocol, as msgspec Structs, with one decoder each way.

- ``messages``: every client and server message;
- ``frames``: encoding them (and batches of event envelopes), parsing client frames;
- ``rules``: the protocol version and the error codes, with what each means and does
  (``ERRORS``, the one place that says so).

``docs/protocol.md`` describes it all for people; ``feed.asyncapi`` derives the
machine-readable description from these types.
"""

from __future__ import annotations

from feed.wire.frames import decode_server, encode, encode_batch, parse_client
from feed.wire.messages import (
    CaughtUp,
    ClientMessage,
    Control,
    ControlAction,
    CreateSession,
    End,
    ErrorMessage,
    Heartbeat,
    Ping,
    Pong,
    ReplayStatus,
    ServerFrame,
    ServerMessage,
    SessionCreated,
    SnapshotMessage,
    Subscribe,
    Subscribed,
    Timestamps,
    Unsubscribe,
    Unsubscribed,
    ViewsMessage,
    WireSpeed,
    error,
)
from feed.wire.rules import ERRORS, PROTOCOL_VERSION, ErrorCode, ErrorRule

__all__ = [
    "ERRORS",
    "PROTOCOL_VERSION",
    "CaughtUp",
    "ClientMessage",
    "Control",
    "ControlAction",
    "CreateSession",
    "End",
    "ErrorCode",
    "ErrorMessage",
    "ErrorRule",
    "Heartbeat",
    "Ping",
    "Pong",
    "ReplayStatus",
    "ServerFrame",
    "ServerMessage",
    "SessionCreated",
    "SnapshotMessage",
    "Subscribe",
    "Subscribed",
    "Timestamps",
    "Unsubscribe",
    "Unsubscribed",
    "ViewsMessage",
    "WireSpeed",
    "decode_server",
    "encode",
    "encode_batch",
    "error",
    "parse_client",
]
