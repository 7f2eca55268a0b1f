"""Every limit and interval of a racefeed deployment, in one documented structure.

``Limits`` is shared by every role: the session protocol reads the batch sizes,
the heartbeat interval and the fault bounds; the gateway role reads the
connection, rate and backlog limits; the director role reads the session limits.
``racefeed serve --limit NAME=VALUE`` (and ``director``/``gateway``) set any of them
by name; ``docs/reliability.md`` lists them with what hitting each looks like, and a
test holds that page against ``LIMITS``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = ["LIMITS", "Limits", "configure_limits"]


@dataclass(frozen=True, kw_only=True)
class Limits:
    """Limits on clients, sessions and memory; the defaults suit a workstation.

    Attributes:
        max_message_bytes: the largest client frame answered (larger: ``frame_too_large``).
        rate_per_s: client messages a connection may send a second, on average.
        rate_burst: client messages a connection may send at once.
        control_per_s: ``control`` and ``create_session`` messages a second, on average.
        control_burst: ``control`` and ``create_session`` messages at once.
        max_connections: websocket connections open at once.
        max_connections_per_address: of those, from one IP address.
        max_subscribes_per_connection: ``subscribe`` messages in one connection's life.
        max_private_sessions: private sessions held at once.
        private_idle_s: a private session nobody follows for this long is removed.
        backlog_frames: frames queued for a client that does not keep up.
        backlog_bytes: bytes queued for such a client (its socket buffer comes on top).
        write_buffer: a socket's write buffer above which frames queue.
        heartbeat_s: seconds between heartbeats to an idle subscriber.
        batch_events: events in one live batch frame.
        batch_bytes: bytes of envelopes in one live batch frame.
        history_bytes: bytes of one catch-up batch frame.
        fault_states: fault states kept for named ``client_id``s, over all sessions.
        fault_held_frames: frames a fault-injecting subscriber may hold back.
        fault_held_bytes: bytes fault-injecting subscribers may hold back, over the server.
        outbound_bytes: bytes queued for clients that do not keep up, over the server.
        cached_frame_bytes: bytes of snapshot and views frames kept, over all sessions.
        http_per_s: plain HTTP requests one address may make a second, on average.
        http_burst: plain HTTP requests one address may make at once.
    """

    max_message_bytes: int = 64 * 2**10
    rate_per_s: float = 100.0
    rate_burst: int = 200
    control_per_s: float = 10.0
    control_burst: int = 20
    max_connections: int = 1024
    max_connections_per_address: int = 256
    max_subscribes_per_connection: int = 1000
    max_private_sessions: int = 256
    private_idle_s: float = 900.0
    backlog_frames: int = 4096
    backlog_bytes: int = 8 * 2**20
    write_buffer: int = 256 * 2**10
    heartbeat_s: float = 15.0
    batch_events: int = 500
    batch_bytes: int = 256 * 2**10
    history_bytes: int = 256 * 2**10
    fault_states: int = 1024
    fault_held_frames: int = 4096
    fault_held_bytes: int = 64 * 2**20
    outbound_bytes: int = 256 * 2**20
    cached_frame_bytes: int = 32 * 2**20
    http_per_s: float = 20.0
    http_burst: int = 40


LIMITS: Final[dict[str, str]] = {
    "max_message_bytes": "the largest client frame answered (larger: frame_too_large, 1009)",
    "rate_per_s": "client messages a connection may send a second (more: rate_limited)",
    "rate_burst": "client messages a connection may send at once",
    "control_per_s": "control and create_session messages a second (more: rate_limited)",
    "control_burst": "control and create_session messages at once",
    "max_connections": "connections open at once (more: too_many_connections, 1013)",
    "max_connections_per_address": "of those, from one IP address (more: too_many_connections)",
    "max_subscribes_per_connection": "subscribes in one connection's life (more: "
    "too_many_subscriptions, 1008)",
    "max_private_sessions": "private sessions held at once (more: too_many_sessions)",
    "private_idle_s": "seconds a private session nobody follows is kept",
    "backlog_frames": "frames queued for a client that does not keep up (more: too_slow)",
    "backlog_bytes": "bytes queued for such a client (more: too_slow)",
    "write_buffer": "a socket's write buffer above which frames queue",
    "heartbeat_s": "seconds between heartbeats to an idle subscriber",
    "batch_events": "events in one live batch frame",
    "batch_bytes": "bytes of envelopes in one live batch frame (at most backlog_bytes / 2)",
    "history_bytes": "bytes of one catch-up batch frame (at most backlog_bytes / 2)",
    "fault_states": "fault states kept for named client_ids, over all sessions (LRU)",
    "fault_held_frames": "frames a fault-injecting subscriber may hold back (more: too_slow)",
    "fault_held_bytes": "bytes faults hold back over the server (more: the largest holder is "
    "too_slow)",
    "outbound_bytes": "bytes queued for slow clients over the server (more: the largest "
    "backlog is too_slow)",
    "cached_frame_bytes": "bytes of snapshot and views frames kept, over all sessions (LRU)",
    "http_per_s": "plain HTTP requests an address may make a second (more: 429)",
    "http_burst": "plain HTTP requests an address may make at once",
}
"""Every limit ``configure_limits`` can set, by name, with what it bounds."""

_FRACTIONAL: Final = frozenset(
    field.name for field in dataclasses.fields(Limits) if field.type == "float"
)


def configure_limits(limits: Limits, items: Sequence[str]) -> Limits:
    """``limits`` with each ``NAME=VALUE`` of ``items`` set (``max_connections=64``).

    Raises:
        ValueError: an unknown name or a value that is not a positive number, saying
            which item and what was expected.
    """
    changes: dict[str, float | int] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or name not in LIMITS:
            raise ValueError(
                f"--limit {item!r}: expected NAME=VALUE with NAME one of {', '.join(LIMITS)}"
            )
        changes[name] = _positive(item, text.strip(), fractional=name in _FRACTIONAL)
    return dataclasses.replace(limits, **changes)  # type: ignore[arg-type]


def _positive(item: str, text: str, *, fractional: bool) -> float | int:
    try:
        value: float | int = float(text) if fractional else int(text)
    except ValueError:
        kind = "a number" if fractional else "a whole number"
        raise ValueError(f"--limit {item!r}: expected {kind} above 0, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"--limit {item!r}: expected a value above 0, got {text!r}")
    return value
