"""Names in a sentence: athletes, nations, cities and competitions, resolved against the feed.

Athletes are matched by the name keys of ``feed.check.vocab`` (only where the text
capitalises them, so "for example" is never Tom Example). Nations by code,
country, adjective or person word; cities from the lexicon and the feed's own
venues; competitions by "World Championships", "Olympic Games" and the like. A
capitalised name the feed does not know becomes an ``unknown`` token, so that
"Kerr won, Ingebrigtsen second" never gives Kerr second place.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from feed.check.lexicon import CITIES
from feed.check.text import fold
from feed.check.tok import Tok
from feed.check.vocab import Vocabulary

__all__ = ["NameMatcher"]

_COMPETITIONS = (
    (
        r"world (?:athletics )?championships?|worlds"
        r"|world(?= (?:title|champion|champions|gold|silver|bronze|medal|crown|final))",
        "world",
    ),
    (r"olympic games|olympics|olympic", "olympic"),
)
_CAPITALISED = re.compile(r"[A-ZÀ-Ý][\w'’-]*(?:\s+[A-ZÀ-Ý][\w'’-]*)*")
# Capitalised words that are not names of people (checked folded, first word only).
_NOT_NAMES = frozenset(
    (
        "i", "a", "an", "the", "he", "his", "him", "it", "its", "this", "that", "these", "those",
        "there", "then", "but", "and", "as", "at", "in", "on", "into", "after", "before", "with",
        "without", "while", "when", "where", "what", "who", "which", "nobody", "everyone",
        "everybody", "somebody", "someone", "nothing", "all", "both", "each", "one", "two", "three",
        "four", "five", "six", "seven", "eight", "nine", "ten", "for", "from", "by", "of", "to",
        "up", "down", "out", "over", "off", "so", "yet", "still", "now", "not", "no", "yes", "it's",
        "there's", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "championships", "championship", "world", "games",
        "final", "finals", "stadium", "national", "field", "centre", "center", "men's", "women's",
        "men", "women", "race", "result", "results", "official", "unofficial", "protested", "gun",
        "bell", "lap", "slow", "fast", "coming", "tactical", "cagey", "dutch", "british", "kenyan",
        "portuguese", "spanish", "european", "african", "american", "asian", "jst", "utc", "gmt",
        "bst", "cest", "cet", "timing", "time", "times", "correction", "photo", "medal", "medals",
        "gold", "silver", "bronze", "further", "later", "earlier", "early", "late", "live",
        "latest", "breaking", "update", "report", "protest", "appeal", "winner", "winners",
        "champion", "champions", "record", "records", "pace", "lead", "leader", "leaders", "last",
        "first", "second", "third", "fourth", "fifth", "sixth", "final", "heat", "heats", "semi",
        "round", "behind", "ahead", "just", "only", "even", "also", "however", "meanwhile",
        "afterwards", "before", "since", "though", "although", "because", "once", "despite",
        "having", "being", "here", "what's", "that's", "it's", "we", "you", "they", "she", "her",
        "our", "their", "my", "your", "its", "us", "over", "under", "round", "two-time", "double",
        "new", "old"
    )
)  # fmt: skip


class NameMatcher:
    """Finds names in sentences, for one vocabulary."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self._athletes = _alternation(vocab.names)
        words = dict.fromkeys([*vocab.nations, *vocab.person_words])
        self._nations = _alternation(words)
        cities = {fold(city): fold(city) for city in CITIES}
        for race in vocab.races.values():
            cities.update({city: city for city in race.competition[1]})
            # The venue by name ("Hayward Field") stands for its city.
            home = min(race.competition[1]) if race.competition[1] else None
            for part in race.info.venue.split(","):
                name = fold(part.strip())
                if home is not None and name and name not in cities:
                    cities[name] = home
        self._city_of = cities
        self._cities = _alternation(dict.fromkeys(cities))
        self._codes = (
            re.compile(r"\b(" + "|".join(sorted(vocab.codes)) + r")\b") if vocab.codes else None
        )

    def recognise(self, text: str, folded: str, start: int, end: int) -> Iterator[Tok]:
        """Name tokens in ``text[start:end]`` (``folded`` is ``fold(text)``)."""
        sentence = folded[start:end]
        for m in self._athletes.finditer(sentence):
            if text[start + m.start()].isupper():
                ids = tuple(sorted(self.vocab.names[m[0]]))
                yield Tok("ath", start + m.start(), start + m.end(), code=m[0], ids=ids)
        for m in self._nations.finditer(sentence):
            word = m[0]
            if not text[start + m.start()].isupper() or (
                word == "us" and text[start + m.start() + 1] != "S"
            ):
                continue
            code = self.vocab.nations.get(word) or self.vocab.person_words[word]
            person = "person" if word in self.vocab.person_words else ""
            yield Tok("nat", start + m.start(), start + m.end(), code=code, nation=person)
        if self._codes is not None:
            for m in self._codes.finditer(text, start, end):
                yield Tok("nat", m.start(), m.end(), code=m[0])
        for m in self._cities.finditer(sentence):
            if text[start + m.start()].isupper():
                yield Tok("city", start + m.start(), start + m.end(), code=self._city_of[m[0]])
        for pattern, kind in _COMPETITIONS:
            for m in re.finditer(rf"\b(?:{pattern})\b", sentence):
                yield Tok("comp", start + m.start(), start + m.end(), code=kind)

    def unknown(
        self, text: str, start: int, end: int, taken: list[tuple[int, int]]
    ) -> Iterator[Tok]:
        """Capitalised words of ``text[start:end]`` outside ``taken`` that name nobody known."""
        for m in _CAPITALISED.finditer(text, start, end):
            words = m[0].split()
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            first = fold(words[0]).strip("'’")
            if first in _NOT_NAMES or first.rstrip("s") in self.vocab.person_words:
                continue  # "Norwegians": people of a nation, not a name
            yield Tok("unknown", m.start(), m.end(), code=m[0])


def _alternation(
    keys: dict[str, object] | dict[str, set[tuple[str, str]]] | dict[str, str],
) -> re.Pattern[str]:
    ordered = sorted(keys, key=len, reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")
    body = "|".join(re.escape(key) for key in ordered)
    return re.compile(rf"(?<![\w'’-])(?:{body})(?![\w-])")
