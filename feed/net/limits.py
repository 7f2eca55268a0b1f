"""The server's limits on what one client may hold or do, and the admission of connections.

Every limit has a default that suits a workstation and a clear error when hit
(the codes are in ``feed.wire.ERRORS``). The older limits live on ``ServerConfig``
itself (``max_message_bytes``, ``rate_per_s``/``rate_burst``,
``max_private_sessions``, ``limits.backlog_frames``/``backlog_bytes``); the ones
about connections, subscriptions, control and fault state are in
``ConnectionLimits``. ``LIMITS`` names them all, for ``racefeed serve --limit``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from feed import wire

if TYPE_CHECKING:
    from feed.net.server import ServerConfig

__all__ = ["LIMITS", "Admission", "ConnectionLimits", "configure_limits"]


@dataclass(frozen=True, kw_only=True)
class ConnectionLimits:
    """Limits on connections, subscriptions, control messages and fault state.

    Attributes:
        max_connections: websocket connections open at once on the server.
        max_connections_per_address: of those, from one client IP address.
        max_subscribes_per_connection: ``subscribe`` messages one connection may send
            in its life; past that it is closed (``too_many_subscriptions``, 1008)
            and a client reconnects. Each subscribe may build a snapshot.
        control_per_s: ``control`` and ``create_session`` messages a connection may
            send a second, on average (more: ``rate_limited``).
        control_burst: how many of those it may send at once.
        fault_states: fault states kept for clients that name a ``client_id``, over
            all sessions (the least recently used are forgotten; each is about as
            large as its fault plan: tens of bytes per event of the log).
    """

    max_connections: int = 1024
    max_connections_per_address: int = 256
    max_subscribes_per_connection: int = 1000
    control_per_s: float = 10.0
    control_burst: int = 20
    fault_states: int = 1024


class Admission:
    """Counts open connections, in all and per address, and refuses those over the limits."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self._limits = limits
        self._by_address: dict[str, int] = {}
        self._total = 0

    @property
    def total(self) -> int:
        """Connections admitted and not yet released."""
        return self._total

    def of(self, address: str) -> int:
        """Connections admitted from ``address`` and not yet released."""
        return self._by_address.get(address, 0)

    def admit(self, address: str) -> wire.ErrorMessage | None:
        """Count a new connection from ``address``, or the ``error`` to refuse it with."""
        limits = self._limits
        if self._total >= limits.max_connections:
            return wire.error(
                "too_many_connections",
                f"the server has {self._total} connections open, its limit; retry later",
            )
        held = self._by_address.get(address, 0)
        if held >= limits.max_connections_per_address:
            return wire.error(
                "too_many_connections",
                f"{held} connections are open from {address}, the limit per address; "
                "close one or retry later",
            )
        self._by_address[address] = held + 1
        self._total += 1
        return None

    def release(self, address: str) -> None:
        """A connection admitted from ``address`` has closed."""
        held = self._by_address.get(address, 0)
        if held <= 1:
            self._by_address.pop(address, None)
        else:
            self._by_address[address] = held - 1
        self._total = max(0, self._total - 1)


LIMITS: Final[dict[str, str]] = {
    "max_message_bytes": "the largest client frame answered (larger: frame_too_large, 1009)",
    "rate_per_s": "client messages a connection may send a second (more: rate_limited)",
    "rate_burst": "client messages a connection may send at once",
    "max_private_sessions": "private sessions held at once (more: too_many_sessions)",
    "backlog_frames": "frames queued for a client that does not keep up (more: too_slow)",
    "backlog_bytes": "bytes queued for such a client (more: too_slow)",
    "max_connections": "connections open at once (more: too_many_connections, 1013)",
    "max_connections_per_address": "of those, from one IP address (more: too_many_connections)",
    "max_subscribes_per_connection": "subscribes in one connection's life (more: "
    "too_many_subscriptions, 1008)",
    "control_per_s": "control and create_session messages a second (more: rate_limited)",
    "control_burst": "control and create_session messages at once",
    "fault_states": "fault states kept for named client_ids, over all sessions (LRU)",
}
"""Every limit ``configure_limits`` can set, by name."""

_ON_CONFIG: Final = frozenset(
    {"max_message_bytes", "rate_per_s", "rate_burst", "max_private_sessions"}
)
_ON_OUTBOX: Final = frozenset({"backlog_frames", "backlog_bytes"})


def configure_limits(config: ServerConfig, items: Sequence[str]) -> ServerConfig:
    """``config`` with each ``NAME=VALUE`` of ``items`` set (``max_connections=64``).

    Raises:
        ValueError: an unknown name or a value that is not a positive number, saying
            which item and what was expected.
    """
    on_config: dict[str, float | int] = {}
    on_outbox: dict[str, float | int] = {}
    on_connections: dict[str, float | int] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or name not in LIMITS:
            raise ValueError(
                f"--limit {item!r}: expected NAME=VALUE with NAME one of {', '.join(LIMITS)}"
            )
        value = _positive(item, text.strip(), fractional=name.endswith("_per_s"))
        if name in _ON_CONFIG:
            on_config[name] = value
        elif name in _ON_OUTBOX:
            on_outbox[name] = value
        else:
            on_connections[name] = value
    outbox = dataclasses.replace(config.limits, **on_outbox)  # type: ignore[arg-type]
    connections = dataclasses.replace(config.connection_limits, **on_connections)  # type: ignore[arg-type]
    return dataclasses.replace(
        config,
        limits=outbox,
        connection_limits=connections,
        **on_config,  # type: ignore[arg-type]
    )


def _positive(item: str, text: str, *, fractional: bool) -> float | int:
    try:
        value: float | int = float(text) if fractional else int(text)
    except ValueError:
        kind = "a number" if fractional else "a whole number"
        raise ValueError(f"--limit {item!r}: expected {kind} above 0, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"--limit {item!r}: expected a value above 0, got {text!r}")
    return value
