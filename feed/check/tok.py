"""The token a sentence is read into: one typed piece of meaning with its place in the text.

A sentence becomes a list of ``Tok``: athletes and nations (resolved against the
feed's vocabulary), times, margins, points in the race, ordinals, medals,
records, cue phrases (``feed.check.lexicon``) and plain words. The extraction
rules work on these, never on raw characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

__all__ = ["Tok", "TokKind"]

TokKind: TypeAlias = Literal[
    "ath",  # an athlete (ids: every (race, athlete) the words may name)
    "pron",  # he, his, him: the subject of the sentence before
    "nat",  # a nation named by country or adjective (code)
    "unknown",  # a capitalised name the feed does not know
    "time",  # value: ms; unit: precision in ms
    "margin",  # value: ms; unit: precision in ms
    "point",  # value: metres run; to: upper end of a range (== value when exact)
    "lap",  # value: lap number
    "event",  # value: a race distance named as the event ("the 1500 m")
    "ord",  # value: a place
    "num",  # value: a cardinal number
    "count",  # value: a number of athletes; code: "starters" or "entrants"
    "medal",  # code: gold, silver, bronze
    "record",  # code: PB, SB, NR, CR, OR, WL, WR; nation: for "Dutch record"
    "rule",  # code: the rule number, digits and dots
    "body",  # code: a body part
    "age",  # value: years
    "comp",  # code: world or olympic
    "year",  # value: a year
    "city",  # code: folded city name
    "cue",  # code: a lexicon cue
    "word",  # code: the folded word
    "punct",  # code: the punctuation
]


@dataclass(frozen=True, slots=True)
class Tok:
    """One token of a sentence.

    Attributes:
        kind: what it is (see ``TokKind``).
        start: offset of its first character in the whole text.
        end: offset just past it.
        code: a string value (cue name, nation code, medal, record kind ...).
        value: a number (ms, metres, place, count, year, age).
        unit: the precision of a time or margin, in ms; the hedge of a point, in metres.
        to: the upper end of a point's range, in metres.
        hedged: written with "about", "around" ...
        ids: for athletes, every (race, athlete id) the name may stand for.
        nation: a nation code attached (the "Dutch" of "Dutch record").
    """

    kind: TokKind
    start: int
    end: int
    code: str = ""
    value: int = 0
    unit: int = 0
    to: int = 0
    hedged: bool = False
    ids: tuple[tuple[str, str], ...] = ()
    nation: str = ""

    def is_cue(self, *cues: str) -> bool:
        """Whether this is a cue token of one of ``cues``."""
        return self.kind == "cue" and self.code in cues
