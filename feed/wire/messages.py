"""Every message of the websocket protocol, as msgspec Structs tagged by ``op``.

Client messages refuse unknown fields (a typo does not go unseen); server messages
carry the session, epoch and seqs a client needs to resume. ``error`` builds an
``error`` message whose ``closes`` comes from the table of codes (``rules.ERRORS``).
"""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

import msgspec

from feed.events import Event
from feed.narrative import NarrativeLine
from feed.projections.state import ProjectionState
from feed.projections.views import MedalTable, RaceStateView, Standings
from feed.wire.rules import ERRORS, PROTOCOL_VERSION, ErrorCode

__all__ = [
    "CaughtUp",
    "ClientMessage",
    "Control",
    "ControlAction",
    "CreateSession",
    "End",
    "ErrorMessage",
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
    "error",
]

WireSpeed: TypeAlias = Annotated[float, msgspec.Meta(ge=0.1, le=1000)] | Literal["instant"]
ControlAction: TypeAlias = Literal["play", "pause", "speed", "seek", "step", "faults"]
ClientId: TypeAlias = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
FaultSeed: TypeAlias = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
FaultSpecText: TypeAlias = Annotated[str, msgspec.Meta(max_length=4096)]
Timestamps: TypeAlias = Literal["original", "rebased"]


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
