"""Every message of the websocket protocol, as msgspec Structs, with one decoder each way.

A text frame holds one JSON value: an object with an ``op`` (a protocol message), an
object with a ``type`` (one event envelope, exactly as ``feed.codec`` writes it), or
an array of event envelopes (a batch, in seq order). Clients send objects with an
``op`` only. The error codes, and whether each closes the connection, live in
``ERRORS`` below and nowhere else. ``docs/protocol.md`` describes it all for people;
``feed.asyncapi`` derives the machine-readable description from these types.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Final, Literal, NamedTuple, TypeAlias

import msgspec

from feed.errors import FaultSpecError
from feed.events import Event
from feed.faults.profiles import parse_spec
from feed.narrative import NarrativeLine
from feed.projections.state import ProjectionState
from feed.projections.views import MedalTable, RaceStateView, Standings

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

PROTOCOL_VERSION: Final = 1
"""Sent in ``subscribed`` and ``session_created``; bumped only if a message changes meaning."""

WireSpeed: TypeAlias = Annotated[float, msgspec.Meta(ge=0.1, le=1000)] | Literal["instant"]
ControlAction: TypeAlias = Literal["play", "pause", "speed", "seek", "step", "faults"]
ClientId: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
FaultSeed: TypeAlias = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
FaultSpecText: TypeAlias = Annotated[str, msgspec.Meta(max_length=4096)]
Timestamps: TypeAlias = Literal["original", "rebased"]
ErrorCode: TypeAlias = Literal[
    "bad_json",
    "bad_message",
    "unknown_op",
    "binary_frame",
    "frame_too_large",
    "unknown_session",
    "unknown_scenario",
    "unauthorized",
    "stale_epoch",
    "unreachable_seq",
    "too_slow",
    "rate_limited",
    "too_many_sessions",
    "too_many_connections",
    "too_many_subscriptions",
    "unavailable",
    "internal_error",
]


class ErrorRule(NamedTuple):
    """What an error code means and what the server does after sending it."""

    closes: bool
    close_code: int | None
    meaning: str


ERRORS: Final[dict[str, ErrorRule]] = {
    "bad_json": ErrorRule(False, None, "the frame is not valid UTF-8 JSON"),
    "bad_message": ErrorRule(
        False, None, "a field is missing, unknown or of the wrong type; `field` is its path"
    ),
    "unknown_op": ErrorRule(False, None, "the `op` names no client message"),
    "binary_frame": ErrorRule(False, None, "a binary frame; the protocol is text frames only"),
    "frame_too_large": ErrorRule(True, 1009, "a frame above the server's message size limit"),
    "unknown_session": ErrorRule(False, None, "no session has that id"),
    "unknown_scenario": ErrorRule(False, None, "no catalog scenario has that id"),
    "unauthorized": ErrorRule(False, None, "control without the session's token, or a wrong one"),
    "stale_epoch": ErrorRule(
        False, None, "resume with an epoch that is over; a fresh snapshot follows"
    ),
    "unreachable_seq": ErrorRule(
        False, None, "resume before seq 1 or beyond head + 1; a fresh snapshot follows"
    ),
    "too_slow": ErrorRule(
        True, 1013, "the client fell too far behind; resume at `resume_from_seq`"
    ),
    "rate_limited": ErrorRule(False, None, "too many messages too fast; this one was dropped"),
    "too_many_sessions": ErrorRule(False, None, "the server holds as many sessions as it may"),
    "too_many_connections": ErrorRule(
        True, 1013, "the server, or this client's address, has as many connections as it may"
    ),
    "too_many_subscriptions": ErrorRule(
        True, 1008, "this connection subscribed as often as it may; reconnect to go on"
    ),
    "unavailable": ErrorRule(
        False, None, "a part the server relies on did not answer; nothing was done, try again"
    ),
    "internal_error": ErrorRule(True, 1011, "the server failed; reconnect and resume"),
}


class _Message(msgspec.Struct, frozen=True, kw_only=True, tag_field="op"):
    """Base of every protocol message: a JSON object tagged by ``op``."""


class _ClientMessage(_Message, frozen=True, forbid_unknown_fields=True):
    """Base of client messages: unknown fields are refused, so a typo does not go unseen."""


# -- client -> server -----------------------------------------------------------------


class Subscribe(_ClientMessage, tag="subscribe", frozen=True):
    """Follow a session's stream; replaces this connection's previous subscription.

    Start from the beginning (no start field), at ``from_seq`` (the first seq
    wanted: a resume sends the last seq it holds plus one), at the first event at
    or after ``from_race_ms`` of race time, or ``live`` (only what comes next).
    ``epoch`` is the one the client last saw, for a resume.

    ``faults`` (a spec string such as ``lossy,drop_p=0.05``) and ``fault_seed``
    inject seeded faults into this subscriber's events (``docs/faults.md``);
    ``client_id`` names the logical subscriber, so that its faults carry on
    across its reconnects instead of starting over.
    """

    session: str = "main"
    from_seq: int | None = None
    from_race_ms: int | None = None
    live: bool = False
    epoch: int | None = None
    snapshot: bool = False
    views: bool = False
    faults: FaultSpecText | None = None
    fault_seed: FaultSeed = 0
    client_id: ClientId | None = None


class Unsubscribe(_ClientMessage, tag="unsubscribe", frozen=True):
    """Stop following; the connection stays open."""

    session: str | None = None


class CreateSession(_ClientMessage, tag="create_session", frozen=True):
    """Create a private session over a catalog scenario, answered by ``session_created``.

    ``faults`` and ``fault_seed`` give every subscriber of the session the same
    fault plan (unless its ``subscribe`` names its own); ``token`` is the
    server's token, needed when the server was started with one.
    """

    scenario: str
    speed: WireSpeed = 1.0
    paused: bool = False
    timestamps: Timestamps = "original"
    max_gap_ms: Annotated[int, msgspec.Meta(ge=0)] | None = 10_000
    faults: FaultSpecText | None = None
    fault_seed: FaultSeed = 0
    token: str = ""


class Control(_ClientMessage, tag="control", frozen=True):
    """Drive a session's clock; needs the session's control token.

    ``speed`` goes with action ``speed``; ``seq`` (the last event to count as
    passed) or ``race_ms`` (with ``race`` in a championship) goes with ``seek``;
    ``faults`` (and ``fault_seed``) go with ``faults``, which sets the session's
    fault spec for every subscription made from then on (``none`` clears it).
    """

    session: str
    action: ControlAction
    token: str = ""
    speed: WireSpeed | None = None
    seq: int | None = None
    race_ms: int | None = None
    race: str | None = None
    faults: FaultSpecText | None = None
    fault_seed: FaultSeed = 0


class Ping(_ClientMessage, tag="ping", frozen=True):
    """Ask for a ``pong``; ``id`` comes back as it was sent."""

    id: str | int | None = None


ClientMessage: TypeAlias = Subscribe | Unsubscribe | CreateSession | Control | Ping


# -- server -> client -----------------------------------------------------------------


class Subscribed(_Message, tag="subscribed", frozen=True):
    """The subscription is in place; ``next_seq`` is the first event it will deliver."""

    session: str
    stream: str
    epoch: int
    head_seq: int
    next_seq: int
    protocol: int = PROTOCOL_VERSION


class Unsubscribed(_Message, tag="unsubscribed", frozen=True):
    """The subscription is over; nothing more comes for it."""

    session: str | None


class SnapshotMessage(_Message, tag="snapshot", frozen=True):
    """The projected state as of ``seq``: replaces whatever the client held.

    ``Projection.from_state(state)`` continues folding from ``seq``; the next event
    delivered is ``seq + 1``.
    """

    session: str
    epoch: int
    seq: int
    state: ProjectionState
    race_states: list[RaceStateView]
    standings: list[Standings]
    medal_table: MedalTable


class ViewsMessage(_Message, tag="views", frozen=True):
    """The views as of ``seq``, the last event this subscriber was sent (``views: true``)."""

    session: str
    epoch: int
    seq: int
    race_states: list[RaceStateView]
    standings: list[Standings]
    medal_table: MedalTable
    commentary: list[NarrativeLine] = []  # the latest live-blog lines up to ``seq``, oldest first


class CaughtUp(_Message, tag="caught_up", frozen=True):
    """History is flushed: what follows is live."""

    session: str
    epoch: int
    head_seq: int


class Heartbeat(_Message, tag="heartbeat", frozen=True):
    """Sent to an idle subscriber every heartbeat interval."""

    session: str
    epoch: int
    head_seq: int


class ReplayStatus(_Message, tag="replay_state", frozen=True):
    """The session's clock, sent whenever it changes (and right after ``subscribed``).

    A client shows a running clock from it: ``race_ms`` when the message came, plus
    the wall time since times ``speed`` while ``playing``, never beyond
    ``until_race_ms`` (the time of the next event, or of the last one once nothing
    follows: ``Replay.race_clock_limit``). ``until_race_ms`` is ``null`` from a
    server that does not send it.
    """

    session: str
    epoch: int
    state: Literal["playing", "paused", "ended"]
    speed: float | Literal["instant"]
    position_seq: int
    race: str | None
    race_ms: int
    until_race_ms: int | None = None


class End(_Message, tag="end", frozen=True):
    """The replay is over; the server closes the connection with 1000 next."""

    session: str
    epoch: int
    head_seq: int


class ErrorMessage(_Message, tag="error", frozen=True):
    """Something went wrong; ``code`` is stable, ``message`` is for people.

    ``closes`` says whether the server closes the connection right after. The
    other fields are set where they apply: ``field`` (the JSON path of a bad
    field), ``session``, ``epoch`` and ``head_seq`` (the session's current ones),
    ``resume_from_seq`` (the first seq the client did not get).
    """

    code: ErrorCode
    message: str
    closes: bool = False
    field: str | None = None
    session: str | None = None
    epoch: int | None = None
    head_seq: int | None = None
    resume_from_seq: int | None = None


class SessionCreated(_Message, tag="session_created", frozen=True):
    """A private session exists; ``token`` controls it and is sent only to its creator."""

    session: str
    token: str
    scenario: str
    stream: str
    title: str
    epoch: int
    protocol: int = PROTOCOL_VERSION


class Pong(_Message, tag="pong", frozen=True):
    """The answer to ``ping``."""

    id: str | int | None = None


ServerMessage: TypeAlias = (
    Subscribed
    | Unsubscribed
    | SnapshotMessage
    | ViewsMessage
    | CaughtUp
    | Heartbeat
    | ReplayStatus
    | End
    | ErrorMessage
    | SessionCreated
    | Pong
)

ServerFrame: TypeAlias = ServerMessage | Event | list[Event]
"""What one text frame from the server decodes to."""


# -- encoding and decoding ------------------------------------------------------------

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


def error(
    code: ErrorCode,
    message: str,
    *,
    field: str | None = None,
    session: str | None = None,
    epoch: int | None = None,
    head_seq: int | None = None,
    resume_from_seq: int | None = None,
) -> ErrorMessage:
    """An ``error`` message, with ``closes`` taken from the table of codes."""
    return ErrorMessage(
        code=code,
        message=message,
        closes=ERRORS[code].closes,
        field=field,
        session=session,
        epoch=epoch,
        head_seq=head_seq,
        resume_from_seq=resume_from_seq,
    )


def parse_client(raw: bytes | str) -> ClientMessage | ErrorMessage:
    """One client frame as its message, or the ``error`` to answer it with."""
    try:
        message = _client_decoder.decode(raw)
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
    probe = _probe_decoder.decode(raw)
    frame: ServerFrame
    if isinstance(probe, list):
        frame = _batch_decoder.decode(raw)
    elif "op" in probe:
        frame = _server_decoder.decode(raw)
    else:
        frame = _event_decoder.decode(raw)
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
