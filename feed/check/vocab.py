"""The feed's own vocabulary: who ran, under which names, for which nation, in which competition.

Built from the ``race_scheduled`` events of a stream. Names are matched as people
write them: the full name, the surname (for names of three words, the last two
as well), an initial and the surname ("T. Cheruiyot"). A surname two athletes of
one race share matches both, and the checker abstains on what only one of them
could have done. Nations are matched by code ("POR"), country name, adjective and
the words for a person of that nation (``feed.check.nations``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from feed.check.lexicon import CITIES
from feed.check.model import Competition
from feed.check.nations import NATION_WORDS, nation_words
from feed.check.text import fold
from feed.events import Event, RaceInfo, RaceScheduled

__all__ = ["AthleteInfo", "RaceVocab", "Vocabulary", "competition_of"]

_YEAR_IN_NAME = re.compile(r"(?:(19|20)(\d{2})|(?<=[a-z ])(\d{2}))\s*$")


@dataclass(frozen=True)
class AthleteInfo:
    """One entrant as the checker names them."""

    race: str
    athlete_id: str
    name: str
    nation: str
    born: date | None

    @property
    def surname(self) -> str:
        """The last word of the name, as commentators use it."""
        return (self.name.split() or [self.athlete_id])[-1]


@dataclass
class RaceVocab:
    """One race: its header, entrants, competition and local date."""

    race: str
    info: RaceInfo
    athletes: dict[str, AthleteInfo] = field(default_factory=dict)

    @property
    def competition(self) -> tuple[str | None, frozenset[str], frozenset[int]]:
        """The race's (kind, cities, years), read from its championship name and venue."""
        return competition_of(self.info)

    @property
    def day(self) -> date | None:
        """The race's local date, from its scheduled start."""
        return _day(self.info.scheduled_start)


def competition_of(info: RaceInfo) -> tuple[str | None, frozenset[str], frozenset[int]]:
    """(kind, folded cities, years) of a race: "world" or "olympic", where, and when."""
    name = fold(info.championship)
    kind = "olympic" if "olympic" in name else "world" if "world" in name else None
    places = fold(f"{info.championship} {info.venue}")
    cities = frozenset(
        fold(city) for city in CITIES if re.search(rf"\b{re.escape(fold(city))}\b", places)
    )
    years: set[int] = set()
    match = _YEAR_IN_NAME.search(name)
    if match is not None:
        years.add(int(match[1] + match[2]) if match[1] else 2000 + int(match[3]))
    start = _day(info.scheduled_start)
    if start is not None:
        years.add(start.year)
    return kind, cities, frozenset(years)


class Vocabulary:
    """Every race of a stream and the names the checker knows its athletes and nations by."""

    def __init__(self, races: dict[str, RaceVocab]) -> None:
        self.races = races
        self.names: dict[str, set[tuple[str, str]]] = {}
        self.nations: dict[str, str] = {}  # folded name, adjective or person word -> code
        self.person_words: dict[str, str] = {}  # folded "portuguese", "briton" -> code
        self.codes: set[str] = set()
        for race in races.values():
            for athlete in race.athletes.values():
                for key in _name_keys(athlete.name):
                    self.names.setdefault(key, set()).add((race.race, athlete.athlete_id))
                self.codes.add(athlete.nation)
        for code in sorted(self.codes | set(NATION_WORDS)):
            countries, adjectives, people = nation_words(code)
            for word in (*countries, *adjectives):
                self.nations.setdefault(fold(word), code)
            for word in (*people, *adjectives):
                self.person_words.setdefault(fold(word), code)

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> Vocabulary:
        """The vocabulary of every race scheduled in ``events`` (a republished list replaces)."""
        races: dict[str, RaceVocab] = {}
        for event in events:
            if isinstance(event, RaceScheduled):
                vocab = RaceVocab(race=event.race, info=event.data.race)
                for entrant in event.data.start_list:
                    vocab.athletes[entrant.athlete_id] = AthleteInfo(
                        race=event.race,
                        athlete_id=entrant.athlete_id,
                        name=entrant.name,
                        nation=entrant.nation,
                        born=_date(entrant.born),
                    )
                races[event.race] = vocab
        return cls(races)

    def athlete(self, race: str, athlete_id: str) -> AthleteInfo | None:
        """The entrant ``athlete_id`` of ``race``, if scheduled."""
        vocab = self.races.get(race)
        return None if vocab is None else vocab.athletes.get(athlete_id)

    def of_nation(self, code: str, races: Sequence[str] | None = None) -> list[AthleteInfo]:
        """The entrants of nation ``code`` (in ``races``, default all)."""
        chosen = self.races if races is None else {r: self.races[r] for r in races}
        return [a for v in chosen.values() for a in v.athletes.values() if a.nation == code]

    def competition(self) -> Competition:
        """The competition of the stream's first race, as a claim would name it."""
        for race in self.races.values():
            kind, cities, years = race.competition
            return Competition(
                kind="olympic" if kind == "olympic" else "world" if kind == "world" else None,
                city=min(cities) if cities else None,
                year=min(years) if years else None,
            )
        return Competition()


def _name_keys(name: str) -> set[str]:
    words = fold(name).split()
    if not words:
        return set()
    keys = {" ".join(words), words[-1]}
    if len(words) >= 3:
        keys.add(" ".join(words[-2:]))
    keys.add(f"{words[0][0]}. {words[-1]}")
    keys.add(f"{words[0]} {words[-1]}")
    return keys


def _day(text: str) -> date | None:
    """The local date of an ISO 8601 date and time, or None when it is not one."""
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
