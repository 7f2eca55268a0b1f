"""Where a subscription starts: the resume rules of the protocol, in one function.

A subscribe names at most one start point: ``from_seq`` (a resume sends the last
seq it holds plus one), ``from_race_ms``, ``live``, or none (from seq 1). A resume
that cannot be met is never a silent gap: a stale ``epoch`` gets ``stale_epoch``,
a ``from_seq`` before 1 or beyond ``head + 1`` gets ``unreachable_seq``, and either
way the subscriber starts at the head after a fresh snapshot.
"""

from __future__ import annotations

from feed import wire
from feed.protocol.history import History

__all__ = ["start_of"]


def start_of(
    message: wire.Subscribe, history: History, *, session: str, epoch: int
) -> tuple[int, wire.ErrorMessage | None]:
    """The first seq to send, and the error to send first when the resume cannot be met."""
    head = history.head_seq
    if message.epoch is not None and message.epoch != epoch:
        return head + 1, wire.error(
            "stale_epoch",
            f"epoch {message.epoch} is over; the session is in epoch {epoch}: "
            f"a snapshot at seq {head} follows",
            session=session,
            epoch=epoch,
            head_seq=head,
        )
    if message.from_seq is not None:
        if not 1 <= message.from_seq <= head + 1:
            return head + 1, wire.error(
                "unreachable_seq",
                f"from_seq {message.from_seq} is outside 1..{head + 1} (head + 1); "
                f"a snapshot at seq {head} follows",
                field="$.from_seq",
                session=session,
                epoch=epoch,
                head_seq=head,
            )
        return message.from_seq, None
    if message.from_race_ms is not None:
        return history.first_at_or_after(message.from_race_ms), None
    if message.live:
        return head + 1, None
    return 1, None
