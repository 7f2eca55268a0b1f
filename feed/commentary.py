"""What a client is sent of the narration: every key moment, and the latest lines.

A ``views`` message cannot carry every line of a long session at every event, nor
leave out the moments a live blog keeps pinned (the gun, an incident, the bell,
the photo finish, the result). ``commentary_window`` gives the lines up to a seq
that a client is sent: every pinned one, then the latest ``COMMENTARY_WINDOW``
others. A client that keeps what it is sent (the web page does) holds every key
moment, whenever it joined. ``narrate`` tells a whole stream at once.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from feed.events import Event
from feed.narrative import NarrativeLine, Narrator
from feed.projections import Projection

__all__ = ["COMMENTARY_WINDOW", "commentary_window", "narrate"]

COMMENTARY_WINDOW = 30
"""How many of the latest lines a ``views`` message carries besides the pinned ones."""


def commentary_window(
    lines: Sequence[NarrativeLine], seq: int, latest: int = COMMENTARY_WINDOW
) -> list[NarrativeLine]:
    """The lines up to ``seq`` a client is sent: every pinned one, and the ``latest`` others.

    Args:
        lines: every line so far, oldest first (``Narrator.lines``).
        seq: the last event the client holds; later lines are left out.
        latest: how many of the most recent lines to send in full.
    """
    stop = bisect.bisect_right(lines, seq, key=lambda line: line.seq)
    start = max(0, stop - latest)
    return [line for line in lines[:start] if line.pinned] + list(lines[start:stop])


def narrate(events: Iterable[Event]) -> list[NarrativeLine]:
    """Every line a narrator writes over ``events``, a whole stream from its first seq."""
    projection = Projection()
    narrator = Narrator()
    for event in events:
        projection.apply(event)
        narrator.apply(event, projection)
    return list(narrator.lines)
