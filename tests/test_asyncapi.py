"""The AsyncAPI document: complete, internally consistent, and made of valid JSON Schemas."""

from __future__ import annotations

import typing
from collections.abc import Iterator

import msgspec
from jsonschema import Draft202012Validator

from feed import wire
from feed.asyncapi import CLIENT_MESSAGES, SERVER_MESSAGES, asyncapi_document
from feed.events import EVENT_TYPES


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(document: dict[str, typing.Any], ref: str) -> object:
    assert ref.startswith("#/"), ref
    node: typing.Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_the_document_is_asyncapi_3_and_encodes_as_json() -> None:
    """It declares AsyncAPI 3.0.0 and is plain JSON."""
    document = asyncapi_document(host="example.org:9000")
    assert document["asyncapi"] == "3.0.0"
    assert document["servers"]["local"] == {
        "host": "example.org:9000",
        "protocol": "ws",
        "description": document["servers"]["local"]["description"],
    }
    assert msgspec.json.decode(msgspec.json.encode(document)) == document


def test_every_message_type_of_the_protocol_is_described() -> None:
    """Each client and server message, the event envelope and the batch have a message."""
    messages = asyncapi_document()["components"]["messages"]
    client_ops = {cls.__struct_config__.tag for cls in typing.get_args(wire.ClientMessage)}
    server_ops = {cls.__struct_config__.tag for cls in typing.get_args(wire.ServerMessage)}
    assert {c.__struct_config__.tag for c in CLIENT_MESSAGES} == client_ops
    assert {c.__struct_config__.tag for c in SERVER_MESSAGES} == server_ops
    assert set(messages) == client_ops | server_ops | {"event", "event_batch"}


def test_operations_split_what_clients_send_from_what_the_server_sends() -> None:
    """receive: the client messages; send: everything the server writes."""
    operations = asyncapi_document()["operations"]
    receive = {r["$ref"].rsplit("/", 1)[1] for r in operations["receiveClientMessage"]["messages"]}
    send = {r["$ref"].rsplit("/", 1)[1] for r in operations["sendServerFrame"]["messages"]}
    assert receive == {c.__struct_config__.tag for c in CLIENT_MESSAGES}
    assert receive.isdisjoint(send)
    assert {"event", "event_batch", "error", "subscribed"} <= send


def test_every_reference_resolves() -> None:
    """No $ref points at nothing."""
    document = asyncapi_document()
    for ref in _refs(document):
        assert _resolve(document, ref) is not None


def test_every_schema_is_a_valid_draft_2020_12_schema_without_discriminator_objects() -> None:
    """Plain JSON Schema: jsonschema accepts each, and no OpenAPI discriminator is left."""
    schemas = asyncapi_document()["components"]["schemas"]
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        assert "discriminator" not in msgspec.json.encode(schema).decode(), name
    for cls in EVENT_TYPES.values():
        assert cls.__name__ in schemas


def test_client_messages_refuse_unknown_fields_in_the_schema_too() -> None:
    """The schema says what the decoder does: no additional properties from clients."""
    schemas = asyncapi_document()["components"]["schemas"]
    for cls in CLIENT_MESSAGES:
        assert schemas[cls.__name__]["additionalProperties"] is False
