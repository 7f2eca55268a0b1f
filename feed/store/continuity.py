"""Where a log's events skip a seq: the check a log read back from storage must pass.

A writer stores each session's records in the order its clock made them, so in a
whole log every epoch's events run 1, 2, 3 ... (from the head its ``epoch`` record
names) with nothing missing; a repeat is harmless. A seq that comes before the one
after the last is a hole: records were lost (a line deleted from a file, a damaged
block). A reader must not serve past a hole as if nothing happened: ``gaps`` says
where each one is, so that the reader can refuse the log, saying where.
"""

from __future__ import annotations

from collections.abc import Sequence

from feed.store.records import (
    EpochStarted,
    EventPublished,
    LogRecord,
    SessionClosed,
    SessionOpened,
)

__all__ = ["gaps"]


def gaps(records: Sequence[LogRecord]) -> list[tuple[int, str]]:
    """Each hole: the index of the record after it, and what is missing, said for people."""
    expected: dict[str, tuple[int, int]] = {}  # session -> (epoch, next seq)
    found: list[tuple[int, str]] = []
    for index, record in enumerate(records):
        match record:
            case SessionOpened():
                expected.setdefault(record.session, (1, 1))
            case EpochStarted():
                expected[record.session] = (record.epoch, record.head_seq + 1)
            case SessionClosed():
                expected.pop(record.session, None)
            case EventPublished():
                epoch, seq = expected.get(record.session, (1, 1))
                if record.epoch < epoch or record.seq < seq:
                    continue  # a repeat, or an epoch that is over
                if record.epoch > epoch:
                    found.append((index, _missing_epoch(record, epoch)))
                elif record.seq > seq:
                    found.append((index, _missing_seqs(record, seq)))
                expected[record.session] = (record.epoch, record.seq + 1)
            case _:
                pass
    return found


def _missing_seqs(record: EventPublished, seq: int) -> str:
    lost = f"seq {seq}" if record.seq == seq + 1 else f"seqs {seq}..{record.seq - 1}"
    return (
        f"session {record.session!r}, epoch {record.epoch}: {lost} missing before this "
        f"record of seq {record.seq}: records were lost"
    )


def _missing_epoch(record: EventPublished, epoch: int) -> str:
    return (
        f"session {record.session!r}: an event of epoch {record.epoch} with no record of that "
        f"epoch starting (the log was in epoch {epoch}): records were lost"
    )
