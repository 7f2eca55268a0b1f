"""Bytes in, events out: the one JSON encoder and decoder for events, built once.

A JSONL event file is one envelope per line. ``decode_events`` checks that the seq runs
1, 2, 3 ... without a gap, a rewind or a duplicate, and says where it does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

import msgspec

from feed.errors import ScenarioError, ScenarioInvalid, SequenceError
from feed.events import Event

T = TypeVar("T")

__all__ = [
    "check_sequence",
    "decode",
    "decode_events",
    "decode_json",
    "encode",
    "encode_events",
    "event_schema",
]

_encoder = msgspec.json.Encoder()
_decoder: msgspec.json.Decoder[Event] = msgspec.json.Decoder(Event)


def decode_json(decoder: msgspec.json.Decoder[T], raw: bytes | str) -> T:
    """Decode with ``decoder``; JSON nested too deeply to follow is not valid JSON.

    msgspec follows nesting with the C stack and stops with ``RecursionError``; every
    decoder of input racefeed did not write itself goes through here, so that such
    input is refused like any other bad JSON, never raised past the caller.

    Raises:
        msgspec.DecodeError: not valid JSON, or nested too deeply.
        msgspec.ValidationError: valid JSON of the wrong shape.
    """
    try:
        return decoder.decode(raw)
    except RecursionError:
        raise msgspec.DecodeError("JSON is nested too deeply") from None


def encode(event: Event) -> bytes:
    """The event's JSON envelope."""
    return _encoder.encode(event)


def decode(raw: bytes | str) -> Event:
    """One JSON envelope back into its typed event (raises ``msgspec.DecodeError``)."""
    return decode_json(_decoder, raw)


def encode_events(events: Iterable[Event]) -> bytes:
    """Events as JSONL: one envelope a line, newline-terminated."""
    buffer = bytearray()
    for event in events:
        _encoder.encode_into(event, buffer, len(buffer))
        buffer += b"\n"
    return bytes(buffer)


def decode_events(raw: bytes, path: str = "<events>") -> list[Event]:
    """Read a JSONL event file, checking every line and the seq order.

    Raises:
        ScenarioInvalid: every bad line (by line number), every seq gap, rewind or
            duplicate, and every ``at`` that is not a time with an offset or goes back.
    """
    events: list[Event] = []
    errors: list[ScenarioError] = []
    expected = 1
    last: tuple[datetime, str] | None = None  # the latest time so far, as parsed and as written
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = decode_json(_decoder, line)
        except msgspec.DecodeError as exc:
            errors.append(ScenarioError(path, _explain(exc), line=number))
            continue
        in_order = event.seq == expected
        if not in_order:
            problem = SequenceError(expected, event.seq)
            errors.append(ScenarioError(path, str(problem), line=number, field="seq"))
        expected = max(expected, event.seq + 1)
        moment = _moment(event.at)
        if moment is None:
            message = f"expected an ISO 8601 time with a UTC offset, found {event.at!r}"
            errors.append(ScenarioError(path, message, line=number, field="at"))
        elif in_order and last is not None and moment < last[0]:
            message = (
                f"{event.at} is before the previous event's {last[1]}: events run forward in time"
            )
            errors.append(ScenarioError(path, message, line=number, field="at"))
        if moment is not None:
            last = (moment, event.at)
        events.append(event)
    if not events and not errors:
        errors.append(ScenarioError(path, "expected at least one event envelope, found none"))
    if errors:
        raise ScenarioInvalid(errors)
    return events


def _moment(at: str) -> datetime | None:
    """``at`` as an aware time, or ``None`` when it is not one (what replay needs to read)."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


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
