"""What a session's log holds: four kinds of record, and their one encoding.

A session's log is the record of what its replay clock did, in the order it did it:

============== =============================================================
record         meaning
============== =============================================================
``opened``     the session exists: its scenario, title, stream and settings
``event``      event ``seq`` was published in ``epoch`` (the envelope, as sent)
``epoch``      epoch ``epoch`` starts with the first ``head_seq`` events of the
               one before (a seek backwards); later events are published again
``clock``      the clock changed (play, pause, speed, the end); ``status`` is
               the ``replay_state`` message subscribers are sent
``faults``     every later subscription gets this fault spec (``none`` clears)
``token``      one more control token is good for the session (its SHA-256)
``closed``     the session is over for good (a private session nobody used);
               its other records may be dropped from the log
============== =============================================================

Every record has an ``id``, the key a log deduplicates appends by. An event's id
is derived from its place, ``SESSION:EPOCH:SEQ``, so the same event appended twice
(a retried write, a restarted director) is stored once; the other records carry an
id chosen by whoever appends them. Records encode as one JSON object each, tagged by
``kind``; an event record embeds its envelope exactly as ``feed.codec`` wrote it.
"""

from __future__ import annotations

import re
from typing import Final, TypeAlias

import msgspec

from feed import wire
from feed.codec import decode_json

__all__ = [
    "SESSION_NAME",
    "ClockChanged",
    "EpochStarted",
    "EventPublished",
    "FaultsChanged",
    "LogRecord",
    "SessionClosed",
    "SessionOpened",
    "TokenIssued",
    "check_session_name",
    "decode_record",
    "encode_record",
    "event_id",
    "record_id",
]

SESSION_NAME: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
"""What a session name may be: it is one token of a NATS subject, and a file-safe word."""


class _Record(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind"):
    """Base of every log record."""

    session: str


class SessionOpened(_Record, tag="opened", frozen=True):
    """A session exists: what it replays and how.

    Attributes:
        id: the record id.
        scenario: the scenario's catalog id (or the file it was loaded from).
        title: the scenario's title.
        stream: the stream id of its events.
        events: how many events the scenario has.
        private: created over a socket (``create_session``) rather than named.
        token_sha256: hex SHA-256 of the control token (the token itself is never logged).
        max_gap_ms: the replay's longest idle gap kept.
        rebase: events are stamped with ``emitted_at`` as they go out.
        aliases: other ids the session answers to (``racefeed replay`` adds ``main``).
    """

    id: str
    scenario: str
    title: str
    stream: str
    events: int
    private: bool = False
    token_sha256: str = ""
    max_gap_ms: int | None = 10_000
    rebase: bool = False
    aliases: list[str] = []


class EventPublished(_Record, tag="event", frozen=True):
    """Event ``seq`` of ``epoch`` went out; ``envelope`` is its JSON, byte for byte."""

    epoch: int
    seq: int
    envelope: msgspec.Raw

    @property
    def id(self) -> str:
        """``SESSION:EPOCH:SEQ``: the same event always has the same id."""
        return event_id(self.session, self.epoch, self.seq)


class EpochStarted(_Record, tag="epoch", frozen=True):
    """Epoch ``epoch`` starts as the first ``head_seq`` events of the epoch before it."""

    id: str
    epoch: int
    head_seq: int
    status: wire.ReplayStatus


class ClockChanged(_Record, tag="clock", frozen=True):
    """The replay clock changed; ``status`` says how it stands now."""

    id: str
    status: wire.ReplayStatus


class FaultsChanged(_Record, tag="faults", frozen=True):
    """Every subscription made from now on gets ``faults`` with ``seed`` (``none`` clears it)."""

    id: str
    faults: str
    seed: int = 0


class TokenIssued(_Record, tag="token", frozen=True):
    """One more control token is good for the session (each start that names it adds one)."""

    id: str
    token_sha256: str


class SessionClosed(_Record, tag="closed", frozen=True):
    """The session is over for good; ``reason`` says why (``expired``)."""

    id: str
    reason: str


LogRecord: TypeAlias = (
    SessionOpened
    | EventPublished
    | EpochStarted
    | ClockChanged
    | FaultsChanged
    | TokenIssued
    | SessionClosed
)

_encoder = msgspec.json.Encoder()
_decoder: msgspec.json.Decoder[LogRecord] = msgspec.json.Decoder(LogRecord)


def event_id(session: str, epoch: int, seq: int) -> str:
    """The id of event ``seq`` of ``epoch`` in ``session``."""
    return f"{session}:{epoch}:{seq}"


def record_id(record: LogRecord) -> str:
    """The key a log deduplicates ``record`` by."""
    return record.id


def check_session_name(name: str) -> str:
    """Return ``name`` if it can name a session in every log, else raise ``ValueError``."""
    if not SESSION_NAME.match(name):
        raise ValueError(
            f"session name {name!r}: expected 1 to 64 letters, digits, '-' or '_' "
            "(it becomes part of a NATS subject)"
        )
    return name


def encode_record(record: LogRecord) -> bytes:
    """One record as one JSON object (no newline)."""
    return _encoder.encode(record)


def decode_record(raw: bytes | str) -> LogRecord:
    """One JSON object back into its record.

    Raises:
        msgspec.DecodeError: not JSON, or not a record (the message says which field).
    """
    return decode_json(_decoder, raw)
