"""A server-wide bound on bytes held for one purpose, whoever holds them.

Per-client limits alone do not bound a server: a thousand clients that never read
each hold their own backlog. A ``Budget`` is shared by every holder of one kind of
memory (the outboxes' backlogs, the frames faults hold back): each holder says how
much it holds now; when the total passes the bound, the largest holders are cut
off (told through the callback they gave) until it is back under. The largest
goes first: the client that stopped reading pays, not the one that happened to
receive the next frame.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

__all__ = ["Budget"]


class Budget:
    """Bytes held by many holders, against one bound.

    Args:
        limit: the most bytes held in all.
    """

    __slots__ = ("_cuts", "_held", "limit", "used")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._held: dict[Hashable, int] = {}
        self._cuts: dict[Hashable, Callable[[], None]] = {}

    def hold(self, holder: Hashable, size: int, cut: Callable[[], None]) -> None:
        """``holder`` now holds ``size`` bytes; past the bound, the largest holders are cut."""
        if size <= 0:
            self.release(holder)
            return
        self.used += size - self._held.get(holder, 0)
        self._held[holder] = size
        self._cuts[holder] = cut
        while self.used > self.limit and self._held:
            largest = max(self._held, key=self._held.__getitem__)
            victim = self._cuts[largest]
            self.release(largest)
            victim()

    def release(self, holder: Hashable) -> None:
        """``holder`` holds nothing now (it drained, or went)."""
        self.used -= self._held.pop(holder, 0)
        self._cuts.pop(holder, None)

    def __len__(self) -> int:
        return len(self._held)
