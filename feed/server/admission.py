"""The admission of connections: how many are open, in all and per client address.

A connection over ``Limits.max_connections`` (or over
``max_connections_per_address`` from one address) is refused with
``too_many_connections`` and closed with 1013, before it can hold anything.
"""

from __future__ import annotations

from feed import wire
from feed.protocol import Limits

__all__ = ["Admission"]


class Admission:
    """Counts open connections, in all and per address, and refuses those over the limits."""

    def __init__(self, limits: Limits) -> None:
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
