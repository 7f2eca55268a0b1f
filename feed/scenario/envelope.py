"""A blank event envelope: events are built first and numbered once their order is known."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["BLANK", "Envelope"]


class Envelope(TypedDict):
    """The envelope fields every event constructor takes."""

    seq: int
    stream: str
    race: str
    race_ms: int
    at: str


BLANK: Envelope = {"seq": 0, "stream": "", "race": "", "race_ms": 0, "at": ""}
"""Placeholder envelope; ``compile_race`` replaces every field after sorting."""
