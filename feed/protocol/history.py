"""One epoch's published events: the envelopes as sent, the events, and how to batch them.

The session protocol keeps what it has published in this epoch so that any
subscriber can catch up from any seq. Envelopes are kept exactly as they were
encoded once; a catch-up batch is joined from them in one copy, its end found by
bisection over a table of byte offsets (built lazily, by the first catch-up that
needs it), so no event is looked at one by one. Live frames (several events due at
once) are cut by count and bytes.
"""

from __future__ import annotations

import array
import bisect
import itertools
import operator
from collections.abc import Sequence

from feed import wire
from feed.events import Event

__all__ = ["History"]


class History:
    """The envelopes and events of the current epoch; index ``seq - 1``.

    Args:
        batch_events: events in one live batch frame.
        batch_bytes: bytes of envelopes in one live batch frame.
        history_bytes: bytes of one catch-up batch frame (one envelope alone if larger).
    """

    __slots__ = (
        "_batch_bytes",
        "_batch_events",
        "_history_bytes",
        "_offsets",
        "envelopes",
        "events",
    )

    def __init__(self, *, batch_events: int, batch_bytes: int, history_bytes: int) -> None:
        self.envelopes: list[bytes] = []
        self.events: list[Event] = []
        self._batch_events = batch_events
        self._batch_bytes = batch_bytes
        self._history_bytes = history_bytes
        # Bytes of envelopes[:i], each counted with its comma; extended lazily.
        self._offsets = array.array("q", [0])

    @property
    def head_seq(self) -> int:
        """The last seq published in this epoch (0 before any)."""
        return len(self.envelopes)

    def extend(self, events: Sequence[Event], envelopes: Sequence[bytes]) -> None:
        """Append the next events (from ``head_seq + 1`` on) and their envelopes."""
        self.envelopes.extend(envelopes)
        self.events.extend(events)

    def cut(self, head: int) -> None:
        """Keep the first ``head`` events only (a new epoch started there)."""
        del self.envelopes[head:]
        del self.events[head:]
        del self._offsets[head + 1 :]

    def first_at_or_after(self, race_ms: int) -> int:
        """The seq of the first event whose ``race_ms`` is at least ``race_ms`` (head + 1: none)."""
        for event in self.events:
            if event.race_ms >= race_ms:
                return event.seq
        return self.head_seq + 1

    def live_frames(self, envelopes: Sequence[bytes]) -> list[tuple[int, bytes]]:
        """Frames for envelopes published at once: ``(count so far, frame)`` each.

        One envelope goes as itself; several as batches within the live limits.
        """
        if len(envelopes) == 1:
            return [(1, envelopes[0])]
        frames: list[tuple[int, bytes]] = []
        start = 0
        while start < len(envelopes):
            stop = start
            size = 0
            while stop < len(envelopes) and stop - start < self._batch_events:
                size += len(envelopes[stop]) + 1
                if size > self._batch_bytes and stop > start:
                    break
                stop += 1
            frames.append((stop, wire.encode_batch(envelopes[start:stop])))
            start = stop
        return frames

    def history_frame(self, first_seq: int) -> tuple[int, bytes]:
        """The catch-up batch from ``first_seq``: its last seq and the frame."""
        begin = first_seq - 1
        stop = self._history_stop(begin)
        return stop, wire.encode_batch(self.envelopes[begin:stop])

    def _history_stop(self, begin: int) -> int:
        """Where the catch-up batch from ``envelopes[begin]`` ends (one event at least)."""
        offsets = self._offsets
        head = len(self.envelopes)
        known = len(offsets) - 1
        if known < head:
            sizes = map(operator.add, map(len, self.envelopes[known:]), itertools.repeat(1))
            offsets.extend(
                itertools.islice(itertools.accumulate(sizes, initial=offsets[-1]), 1, None)
            )
        # A frame of envelopes [begin, stop) is their bytes, a comma each but the last, and [].
        bound = offsets[begin] + self._history_bytes - 1
        stop = bisect.bisect_right(offsets, bound, begin + 1, head + 1) - 1
        return max(stop, begin + 1)
