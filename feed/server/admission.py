"""The admission of connections and plain HTTP requests, in all and per client address.

A connection over ``Limits.max_connections`` (or over
``max_connections_per_address`` from one address) is refused with
``too_many_connections`` and closed with 1013, before it can hold anything. Plain
HTTP requests (health, catalog, the page) are counted per address like messages:
past ``http_per_s`` (bursts of ``http_burst``) they are answered 429.
"""

from __future__ import annotations

from collections import OrderedDict

from feed import wire
from feed.protocol import Limits
from feed.protocol.rate import TokenBucket

__all__ = ["Admission"]


class Admission:
    """Counts open connections, in all and per address, and refuses those over the limits."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._by_address: dict[str, int] = {}
        self._total = 0
        self._requests: OrderedDict[str, TokenBucket] = OrderedDict()

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

    def admit_request(self, address: str, now: float) -> bool:
        """Whether a plain HTTP request from ``address`` may be answered at ``now``."""
        bucket = self._requests.get(address)
        if bucket is None:
            bucket = TokenBucket(self._limits.http_per_s, self._limits.http_burst, now)
            self._requests[address] = bucket
            while len(self._requests) > _ADDRESSES_KEPT:  # bounded, whoever asks
                self._requests.popitem(last=False)
        self._requests.move_to_end(address)
        return bucket.take(now)


_ADDRESSES_KEPT = 4096
