"""The AsyncAPI 3.0 description of the websocket protocol, generated from ``feed.wire`` types.

One source of truth: every payload schema comes from ``msgspec.json.schema`` of the
Structs in ``feed.wire`` and ``feed.events``, so the document cannot drift from the
code. The server serves it at ``/asyncapi.json``.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from feed import wire
from feed.events import Event

__all__ = ["CLIENT_MESSAGES", "SERVER_MESSAGES", "asyncapi_document"]

_REF = "#/components/schemas/{name}"

CLIENT_MESSAGES: Final[tuple[type[msgspec.Struct], ...]] = (
    wire.Subscribe,
    wire.Unsubscribe,
    wire.CreateSession,
    wire.Control,
    wire.Ping,
)
SERVER_MESSAGES: Final[tuple[type[msgspec.Struct], ...]] = (
    wire.Subscribed,
    wire.Unsubscribed,
    wire.SnapshotMessage,
    wire.ViewsMessage,
    wire.CaughtUp,
    wire.Heartbeat,
    wire.ReplayStatus,
    wire.End,
    wire.ErrorMessage,
    wire.SessionCreated,
    wire.Pong,
)

_DESCRIPTION = """\
racefeed replays race event streams over a websocket. Every frame is a text frame
holding one JSON value. Clients send objects with an `op`. The server sends objects
with an `op` (protocol messages), objects with a `type` (one event envelope), or
arrays of event envelopes (a batch, in seq order). Delivery is at-least-once:
clients drop duplicates by `seq`. See docs/protocol.md for the rules."""


def asyncapi_document(*, host: str = "127.0.0.1:8765") -> dict[str, Any]:
    """The AsyncAPI 3.0 document, as a JSON-ready dict.

    Args:
        host: the ``host:port`` to name in ``servers``.
    """
    refs, schemas = msgspec.json.schema_components(
        [wire.ClientMessage, wire.ServerMessage, Event, list[Event]], ref_template=_REF
    )
    client, server, event, batch = refs
    schemas["ClientMessage"] = client
    schemas["ServerMessage"] = server
    schemas["EventEnvelope"] = event
    schemas["EventBatch"] = {
        **batch,
        "title": "EventBatch",
        "description": "Several event envelopes in one frame, in seq order.",
    }
    schemas["ServerFrame"] = {
        "title": "ServerFrame",
        "description": "Any one frame the server sends.",
        "anyOf": [
            {"$ref": _REF.format(name="ServerMessage")},
            {"$ref": _REF.format(name="EventEnvelope")},
            {"$ref": _REF.format(name="EventBatch")},
        ],
    }
    schemas = {name: _plain(schema) for name, schema in schemas.items()}

    messages: dict[str, Any] = {}
    for cls in (*CLIENT_MESSAGES, *SERVER_MESSAGES):
        tag = cls.__struct_config__.tag
        assert isinstance(tag, str)
        messages[tag] = {
            "name": tag,
            "title": cls.__name__,
            "summary": (cls.__doc__ or "").strip().splitlines()[0],
            "payload": {"$ref": _REF.format(name=cls.__name__)},
        }
    messages["event"] = {
        "name": "event",
        "title": "Event envelope",
        "summary": "One event of the stream, tagged by `type`.",
        "payload": {"$ref": _REF.format(name="EventEnvelope")},
    }
    messages["event_batch"] = {
        "name": "event_batch",
        "title": "Event batch",
        "summary": "Several event envelopes in one frame (a JSON array), in seq order.",
        "payload": {"$ref": _REF.format(name="EventBatch")},
    }

    client_tags = [cls.__struct_config__.tag for cls in CLIENT_MESSAGES]
    server_tags = [name for name in messages if name not in client_tags]
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "racefeed websocket feed",
            "version": f"{wire.PROTOCOL_VERSION}.0.0",
            "description": _DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": host,
                "protocol": "ws",
                "description": "One port: the websocket feed and plain HTTP GETs.",
            }
        },
        "channels": {
            "feed": {
                "address": "/",
                "title": "The feed",
                "description": "A websocket on any path; one subscription per connection.",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            }
        },
        "operations": {
            "receiveClientMessage": {
                "action": "receive",
                "title": "What a client sends",
                "channel": {"$ref": "#/channels/feed"},
                "messages": [{"$ref": f"#/channels/feed/messages/{t}"} for t in client_tags],
            },
            "sendServerFrame": {
                "action": "send",
                "title": "What the server sends",
                "channel": {"$ref": "#/channels/feed"},
                "messages": [{"$ref": f"#/channels/feed/messages/{t}"} for t in server_tags],
            },
        },
        "components": {"schemas": schemas, "messages": messages},
    }


def _plain(schema: Any) -> Any:
    """Drop msgspec's OpenAPI-style ``discriminator`` so every schema is plain JSON Schema.

    AsyncAPI's own schema dialect reads ``discriminator`` as a property name, not
    an object; the tag is already pinned by each variant's ``enum``.
    """
    if isinstance(schema, dict):
        return {key: _plain(value) for key, value in schema.items() if key != "discriminator"}
    if isinstance(schema, list):
        return [_plain(item) for item in schema]
    return schema
