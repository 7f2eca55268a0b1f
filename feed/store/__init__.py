"""The session log: its records, their fold, its interface, and the backends that keep it.

``log``, ``records`` and ``timeline`` are pure (no I/O). The backends that keep the
records are here too, beside the interface they implement: ``memory`` (the embedded
default), ``jsonl`` (a file, ``racefeed serve --log``) and ``jetstream`` (NATS
JetStream, for the scale-out, over ``nats_client``; needs the ``nats`` extra).
Importing this package imports none of the backends.
"""

from feed.store.log import Entry, EventLog
from feed.store.records import (
    ClockChanged,
    EpochStarted,
    EventPublished,
    FaultsChanged,
    LogRecord,
    SessionClosed,
    SessionOpened,
    TokenIssued,
    check_session_name,
    decode_record,
    encode_record,
    event_id,
    record_id,
)
from feed.store.timeline import KnownSession, Timeline

__all__ = [
    "ClockChanged",
    "Entry",
    "EpochStarted",
    "EventLog",
    "EventPublished",
    "FaultsChanged",
    "KnownSession",
    "LogRecord",
    "SessionClosed",
    "SessionOpened",
    "Timeline",
    "TokenIssued",
    "check_session_name",
    "decode_record",
    "encode_record",
    "event_id",
    "record_id",
]
