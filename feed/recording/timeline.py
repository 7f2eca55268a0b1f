"""The playback timeline: which recorded frames are due when, under the clock controls.

Pure: time is always an argument (``now`` in seconds from any monotonic clock).
The position is in recording milliseconds; while playing it advances at ``speed``
recording-ms per real ms. Controls: ``play``, ``pause``, ``set_speed``, ``seek``
(to a ms offset) and ``step`` (release exactly the next frame, then stay paused).
"""

from __future__ import annotations

from collections.abc import Sequence

from feed.recording.format import Frame

__all__ = ["Timeline"]


class Timeline:
    """A cursor over recorded frames, driven by a caller-supplied clock."""

    def __init__(
        self, frames: Sequence[Frame], *, speed: float = 1.0, paused: bool = False
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self._frames = frames
        self._index = 0  # the next frame not yet released
        self._speed = speed
        self._paused = paused
        self._anchor_now: float | None = None  # set at the first look at the clock
        self._anchor_ms = 0.0

    @property
    def speed(self) -> float:
        """Recording ms per real ms."""
        return self._speed

    @property
    def paused(self) -> bool:
        """Whether the position is standing still."""
        return self._paused

    @property
    def finished(self) -> bool:
        """Whether every frame has been released."""
        return self._index >= len(self._frames)

    def position(self, now: float) -> float:
        """The recording position (ms) at ``now``."""
        if self._anchor_now is None:
            self._anchor_now = now
        if self._paused:
            return self._anchor_ms
        return self._anchor_ms + (now - self._anchor_now) * 1000.0 * self._speed

    def _rebase(self, now: float) -> None:
        self._anchor_ms = self.position(now)
        self._anchor_now = now

    def due(self, now: float) -> list[Frame]:
        """Release every frame whose time has come, in order."""
        position = self.position(now)
        released: list[Frame] = []
        while self._index < len(self._frames) and self._frames[self._index].t_ms <= position:
            released.append(self._frames[self._index])
            self._index += 1
        return released

    def next_deadline(self, now: float) -> float | None:
        """When (same clock as ``now``) the next frame is due; None if paused or done."""
        if self._paused or self.finished:
            return None
        wait_ms = self._frames[self._index].t_ms - self.position(now)
        return now + max(0.0, wait_ms) / 1000.0 / self._speed

    def play(self, now: float) -> None:
        """Resume from the current position."""
        self._rebase(now)
        self._paused = False

    def pause(self, now: float) -> None:
        """Hold the current position."""
        self._rebase(now)
        self._paused = True

    def set_speed(self, speed: float, now: float) -> None:
        """Change speed without moving the position."""
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self._rebase(now)
        self._speed = speed

    def seek(self, ms: float, now: float) -> None:
        """Jump to ``ms``: frames before it are skipped, frames at or after it come next."""
        self._rebase(now)
        self._anchor_ms = max(0.0, ms)
        self._index = 0
        while self._index < len(self._frames) and self._frames[self._index].t_ms < self._anchor_ms:
            self._index += 1

    def step(self, now: float) -> Frame | None:
        """Release exactly the next frame and pause at its time; None when done."""
        self.pause(now)
        if self.finished:
            return None
        frame = self._frames[self._index]
        self._index += 1
        self._anchor_ms = max(self._anchor_ms, frame.t_ms)
        return frame
