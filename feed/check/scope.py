"""Which race a text is about, and which of its sentences are about something else.

The text's **frame** is the competition it names first (in a sentence that is not
background): "the World Championships in Tokyo", "the 2023 final in Budapest".
The frame is itself a claim, judged against the feed: a report of Budapest 2023
checked against the Tokyo 2025 feed is told so. Every later sentence that names
another year, city or competition than the frame, or that speaks of another
round or another time ("in his semi-final", "last year", "the defending
champion"), is **out of scope**: its facts are not the feed's, and the checker
abstains on all of them rather than judge them against the wrong race.
"""

from __future__ import annotations

from dataclasses import dataclass

from feed.check.model import Competition
from feed.check.tok import Tok

__all__ = ["FeedCompetition", "Frame", "frame_of", "out_of_scope"]


@dataclass(frozen=True)
class FeedCompetition:
    """What the feed's races are: kinds, folded cities and years (over all its races)."""

    kinds: frozenset[str]
    cities: frozenset[str]
    years: frozenset[int]


@dataclass(frozen=True)
class Frame:
    """The competition a text says it is about, and where it says so."""

    competition: Competition
    start: int
    end: int


def frame_of(tokens: list[Tok]) -> Frame | None:
    """The competition a sentence names (kind, city, year), unless it is background."""
    if any(t.is_cue("background") for t in tokens):
        return None
    # "the Olympic champion" is a title someone holds, not where this race is.
    titles = {
        i
        for i, t in enumerate(tokens[:-1])
        if t.kind == "comp" and tokens[i + 1].is_cue("champion")
    }
    tokens = [t for i, t in enumerate(tokens) if i not in titles]
    kind = next((t.code for t in tokens if t.kind == "comp"), None)
    city = next((t.code for t in tokens if t.kind == "city"), None)
    year = next((t.value for t in tokens if t.kind == "year"), None)
    named = [t for t in tokens if t.kind in ("comp", "city", "year")]
    if not named:
        return None
    competition = Competition(
        kind="olympic" if kind == "olympic" else "world" if kind == "world" else None,
        city=city,
        year=year,
    )
    return Frame(competition, named[0].start, named[-1].end)


def out_of_scope(tokens: list[Tok], frame: Frame | None, feed: FeedCompetition) -> str | None:
    """Why a sentence is about something else than the framed race, or None."""
    for tok in tokens:
        if tok.is_cue("background"):
            return "speaks of another round or another time"
    wanted = frame.competition if frame is not None else Competition()
    years = {wanted.year} if wanted.year is not None else set(feed.years)
    cities = {wanted.city} if wanted.city is not None else set(feed.cities)
    kinds = {wanted.kind} if wanted.kind is not None else set(feed.kinds)
    for tok in tokens:
        if tok.kind == "year" and years and tok.value not in years:
            return f"speaks of {tok.value}"
        if tok.kind == "city" and cities and tok.code not in cities:
            return f"speaks of {tok.code.title()}"
        if tok.kind == "comp" and kinds and tok.code not in kinds:
            return f"speaks of another competition ({tok.code})"
    return None
