"""Bytes in, events out: the one JSON encoder and decoder for events, built once.

A JSONL log is one envelope per line. ``decode_log`` checks that the seq runs
1, 2, 3 ... without a gap, a rewind or a duplicate, and says where it does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from feed.errors import ScenarioError, ScenarioInvalid, SequenceError
from feed.events import Event

__all__ = [
    "check_sequence",
    "decode",
    "decode_log",
    "encode",
    "encode_log",
    "event_schema",
]

_encoder = msgspec.json.Encoder()
_decoder: msgspec.json.Decoder[Event] = msgspec.json.Decoder(Event)


def encode(event: Event) -> bytes:
    """The event's JSON envelope."""
    return _encoder.encode(event)


def decode(raw: bytes | str) -> Event:
    """One JSON envelope back into its typed event (raises ``msgspec.ValidationError``)."""
    return _decoder.decode(raw)


def encode_log(events: Iterable[Event]) -> bytes:
    """Events as JSONL: one envelope a line, newline-terminated."""
    buffer = bytearray()
    for event in events:
        _encoder.encode_into(event, buffer, len(buffer))
        buffer += b"\n"
    return bytes(buffer)


def decode_log(raw: bytes, path: str = "<log>") -> list[Event]:
    """Read a JSONL log, checking every line and the seq order.

    Raises:
        ScenarioInvalid: every bad line (by line number) and every seq gap,
            rewind or duplicate.
    """
    events: list[Event] = []
    errors: list[ScenarioError] = []
    expected = 1
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = _decoder.decode(line)
        except msgspec.DecodeError as exc:
            errors.append(ScenarioError(path, _explain(exc), line=number))
            continue
        if event.seq != expected:
            problem = SequenceError(expected, event.seq)
            errors.append(ScenarioError(path, str(problem), line=number, field="seq"))
        expected = max(expected, event.seq + 1)
        events.append(event)
    if not events and not errors:
        errors.append(ScenarioError(path, "expected at least one event envelope, found none"))
    if errors:
        raise ScenarioInvalid(errors)
    return events


def check_sequence(events: Iterable[Event], first: int = 1) -> None:
    """Raise ``SequenceError`` at the first seq that does not follow the one before."""
    expected = first
    for event in events:
        if event.seq != expected:
            raise SequenceError(expected, event.seq)
        expected += 1


def event_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of one event envelope, generated from the types."""
    schema = msgspec.json.schema(Event)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "racefeed event envelope"
    return schema


def _explain(exc: msgspec.DecodeError) -> str:
    text = str(exc)
    if isinstance(exc, msgspec.ValidationError):
        return f"not a valid event envelope: {text}"
    return f"not valid JSON: {text}"
