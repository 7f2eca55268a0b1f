"""The protocol's version and its error codes: what each means, and what follows it.

``ERRORS`` decides, for every code, whether the server closes the connection after
it (and with which close code) and whether a client may retry (``fatal``): hosts
and clients read it, and the error table of ``docs/protocol.md`` is checked
against it by a test.
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple, TypeAlias

__all__ = ["ERRORS", "PROTOCOL_VERSION", "ErrorCode", "ErrorRule"]

PROTOCOL_VERSION: Final = 1
"""Sent in ``subscribed`` and ``session_created``; bumped only if a message changes meaning."""

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
    """What an error code means, and what the server and a client do about it.

    Attributes:
        closes: the server closes the connection right after sending it.
        close_code: the websocket close code it closes with.
        fatal: retrying the same request cannot succeed: a client gives up (the SDK
            raises ``FeedRejected``, ``racefeed tail`` exits 1) instead of resuming.
        meaning: what happened, for people (the table in ``docs/protocol.md``).
    """

    closes: bool
    close_code: int | None
    fatal: bool
    meaning: str


def _rule(meaning: str, *, closes: int | None = None, fatal: bool = False) -> ErrorRule:
    return ErrorRule(closes is not None, closes, fatal, meaning)


ERRORS: Final[dict[str, ErrorRule]] = {
    "bad_json": _rule("the frame is not valid JSON", fatal=True),
    "bad_message": _rule(
        "a field is missing, unknown, or of the wrong type; `field` is its JSON path "
        "(`$.from_seq`)",
        fatal=True,
    ),
    "unknown_op": _rule("the `op` names no client message", fatal=True),
    "binary_frame": _rule("a binary frame; the protocol is text frames only", fatal=True),
    "frame_too_large": _rule(
        "a frame above the server's limit (64 KiB by default)", closes=1009, fatal=True
    ),
    "unknown_session": _rule(
        "no session has that id (or the session was closed while subscribed)", fatal=True
    ),
    "unknown_scenario": _rule("no catalog scenario has that id", fatal=True),
    "unauthorized": _rule(
        "`control` without the session's token (or the server token), or `create_session` "
        "without the server token on a server that has one",
        fatal=True,
    ),
    "stale_epoch": _rule("a resume with an epoch that is over; a fresh snapshot follows"),
    "unreachable_seq": _rule(
        "a resume before seq 1 or beyond `head_seq + 1`; a fresh snapshot follows"
    ),
    "too_slow": _rule(
        "the client fell too far behind; reconnect and resume at `resume_from_seq`", closes=1013
    ),
    "rate_limited": _rule(
        "too many messages too fast (100 a second, bursts of 200 by default; one notice a "
        "second at most), or too many `control` and `create_session` messages (10 a second, "
        "bursts of 20; each one answered); that message was dropped"
    ),
    "too_many_sessions": _rule("the server holds as many private sessions as it may"),
    "too_many_connections": _rule(
        "the server, or this client's address, has as many connections as it may", closes=1013
    ),
    "too_many_subscriptions": _rule(
        "this connection sent as many `subscribe`s as it may; reconnect to go on", closes=1008
    ),
    "unavailable": _rule(
        "a part the server relies on did not answer in time (on a gateway: the director); "
        "nothing was done, try again"
    ),
    "internal_error": _rule("the server failed; reconnect and resume", closes=1011),
}
"""Every error code: whether it closes (and with what), whether it is fatal, what it means."""
