"""Frames on the wire: messages and batches encoded once, client frames parsed strictly.

A text frame holds one JSON value: an object with an ``op`` (a protocol message), an
object with a ``type`` (one event envelope, exactly as ``feed.codec`` writes it), or
an array of event envelopes (a batch, in seq order). Clients send objects with an
``op`` only; ``parse_client`` turns any frame into its message or the ``error`` to
answer it with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from feed.codec import decode_json
from feed.errors import FaultSpecError
from feed.events import Event
from feed.faults.profiles import parse_spec
from feed.wire.messages import (
    ClientMessage,
    Control,
    CreateSession,
    ErrorMessage,
    Ping,
    ServerFrame,
    ServerMessage,
    Subscribe,
    Unsubscribe,
    error,
)

__all__ = ["decode_server", "encode", "encode_batch", "parse_client"]

_encoder = msgspec.json.Encoder()
_client_decoder = msgspec.json.Decoder(ClientMessage)
_server_decoder = msgspec.json.Decoder(ServerMessage)
_event_decoder = msgspec.json.Decoder(Event)
_batch_decoder = msgspec.json.Decoder(list[Event])
_probe_decoder = msgspec.json.Decoder(dict[str, msgspec.Raw] | list[msgspec.Raw])
_PATH = re.compile(r" - at `(?P<path>[^`]*)`$")


def encode(message: ServerMessage | ClientMessage) -> bytes:
    """One message as the JSON of one text frame."""
    return _encoder.encode(message)


def encode_batch(envelopes: Sequence[bytes]) -> bytes:
    """Encoded event envelopes joined into one batch frame (a JSON array).

    The brackets go onto the first and last envelope before the join, so the whole
    batch (up to 256 KiB of history) is copied once rather than three times.
    """
    parts = list(envelopes)
    if not parts:
        return b"[]"
    parts[0] = b"[" + parts[0]
    parts[-1] = parts[-1] + b"]"
    return b",".join(parts)


def parse_client(raw: bytes | str) -> ClientMessage | ErrorMessage:
    """One client frame as its message, or the ``error`` to answer it with."""
    try:
        message = decode_json(_client_decoder, raw)
    except msgspec.ValidationError as exc:
        return _explain(str(exc))
    except msgspec.DecodeError as exc:
        return error("bad_json", f"not valid JSON: {exc}")
    problem = _check(message)
    return problem if problem is not None else message


def decode_server(raw: bytes | str) -> ServerFrame:
    """One server frame as a protocol message, one event, or a batch of events.

    Raises:
        msgspec.DecodeError: the frame is not one of those.
    """
    probe = decode_json(_probe_decoder, raw)
    frame: ServerFrame
    if isinstance(probe, list):
        frame = decode_json(_batch_decoder, raw)
    elif "op" in probe:
        frame = decode_json(_server_decoder, raw)
    else:
        frame = decode_json(_event_decoder, raw)
    return frame


def _explain(text: str) -> ErrorMessage:
    """Turn a msgspec validation message into ``unknown_op`` or ``bad_message`` with a path."""
    match = _PATH.search(text)
    path = match.group("path") if match else "$"
    reason = _PATH.sub("", text)
    if path == "$.op" and reason.startswith("Invalid value"):
        return error("unknown_op", f"$.op: {reason}; expected one of {_CLIENT_OPS}", field=path)
    if reason.startswith("Object missing required field `op`"):
        return error("bad_message", f"$.op: missing; expected one of {_CLIENT_OPS}", field="$.op")
    missing = re.match(r"Object missing required field `(?P<name>[^`]+)`", reason)
    if missing:
        path = f"{path}.{missing.group('name')}"
    unknown = re.match(r"Object contains unknown field `(?P<name>[^`]+)`", reason)
    if unknown:
        path = f"{path}.{unknown.group('name')}"
    return error("bad_message", f"{path}: {reason}", field=path)


_CLIENT_OPS = ", ".join(
    cls.__struct_config__.tag  # type: ignore[misc]
    for cls in (Subscribe, Unsubscribe, CreateSession, Control, Ping)
)


def _check(message: ClientMessage) -> ErrorMessage | None:
    """The rules between fields that the types alone cannot say."""
    match message:
        case Subscribe():
            starts = [
                name
                for name, value in (
                    ("from_seq", message.from_seq),
                    ("from_race_ms", message.from_race_ms),
                    ("live", message.live or None),
                )
                if value is not None
            ]
            if len(starts) > 1:
                return _bad(f"$.{starts[1]}", f"give at most one of {', '.join(starts)}")
            return _check_faults(message.faults)
        case CreateSession():
            return _check_faults(message.faults)
        case Control(action="faults") if message.faults is None:
            return _bad("$.faults", "action 'faults' needs faults: a spec string, 'none' clears")
        case Control(action="faults"):
            return _check_faults(message.faults)
        case Control(action="speed") if message.speed is None:
            return _bad("$.speed", "action 'speed' needs speed: 0.1..1000 or 'instant'")
        case Control(action="seek") if (message.seq is None) == (message.race_ms is None):
            return _bad("$.seq", "action 'seek' needs exactly one of seq or race_ms")
        case _:
            pass
    return None


def _bad(path: str, message: str) -> ErrorMessage:
    return error("bad_message", f"{path}: {message}", field=path)


def _check_faults(text: str | None) -> ErrorMessage | None:
    """A ``bad_message`` at ``$.faults`` saying the column and what was expected, if any."""
    if text is None:
        return None
    try:
        parse_spec(text)
    except FaultSpecError as exc:
        return _bad("$.faults", exc.format())
    return None
