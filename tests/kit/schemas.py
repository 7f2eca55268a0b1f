"""The AsyncAPI document as the judge of every frame a test client received."""

from __future__ import annotations

from typing import Any

import msgspec
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from feed.asyncapi import asyncapi_document
from feed.events import EVENT_TYPES

Json = Any  # decoded JSON in tests: objects, arrays, scalars

RECORDED: list[bytes] = []
"""Every frame a recording test client received since the last check."""


_DOCUMENT = asyncapi_document()
_REGISTRY: Registry = Registry().with_resource(
    "urn:racefeed:asyncapi", Resource.from_contents(_DOCUMENT, default_specification=DRAFT202012)
)
_VALIDATORS: dict[str, Draft202012Validator] = {}


def validator_for(schema_name: str) -> Draft202012Validator:
    """A Draft 2020-12 validator for one schema of the AsyncAPI document's components."""
    found = _VALIDATORS.get(schema_name)
    if found is None:
        assert schema_name in _DOCUMENT["components"]["schemas"], schema_name
        found = Draft202012Validator(
            {"$ref": f"urn:racefeed:asyncapi#/components/schemas/{schema_name}"},
            registry=_REGISTRY,
        )
        _VALIDATORS[schema_name] = found
    return found


def schema_name_of(frame: Json) -> list[tuple[str, Json]]:
    """Which component schema each part of a frame must match."""
    if isinstance(frame, list):
        return [(EVENT_TYPES[item["type"]].__name__, item) for item in frame]
    if "op" in frame:
        ref = _DOCUMENT["components"]["messages"][frame["op"]]["payload"]["$ref"]
        return [(ref.rsplit("/", 1)[1], frame)]
    return [(EVENT_TYPES[frame["type"]].__name__, frame)]


def check_frames(frames: list[bytes], per_kind: int = 40) -> dict[str, int]:
    """Validate distinct frames (up to ``per_kind`` of each kind); return the kinds seen."""
    seen: dict[str, int] = {}
    for raw in dict.fromkeys(frames):
        frame = msgspec.json.decode(raw)
        for name, part in schema_name_of(frame):
            if seen.get(name, 0) >= per_kind:
                continue
            seen[name] = seen.get(name, 0) + 1
            errors = sorted(validator_for(name).iter_errors(part), key=str)
            assert not errors, (
                f"{name} does not match the AsyncAPI schema: {errors[0]}\n{raw[:500]!r}"
            )
            validator_for("ServerFrame")  # the union stays resolvable
    return seen
