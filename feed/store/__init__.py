"""The session log: its records, the fold readers rebuild sessions with, and its interface.

This package is pure (no I/O): the implementations of ``EventLog`` are in the
shell, ``feed.net.memlog``, ``feed.net.jsonlog`` and ``feed.net.natslog``.
"""

from feed.store.log import Entry, EventLog
from feed.store.records import (
    ClockChanged,
    EpochStarted,
    EventPublished,
    FaultsChanged,
    LogRecord,
    SessionOpened,
    check_session_name,
    decode_record,
    encode_record,
    event_id,
    record_id,
)
from feed.store.timeline import SessionLog, Timeline

__all__ = [
    "ClockChanged",
    "Entry",
    "EpochStarted",
    "EventLog",
    "EventPublished",
    "FaultsChanged",
    "LogRecord",
    "SessionLog",
    "SessionOpened",
    "Timeline",
    "check_session_name",
    "decode_record",
    "encode_record",
    "event_id",
    "record_id",
]
