"""Read one sentence into tokens: names, numbers, cue phrases and words, in text order.

Recognisers propose spans (``feed.check.names``, ``feed.check.numbers``); the
longest wins where they overlap. The words left over are matched against the
cue phrases of the lexicon, longest first; capitalised words left after that are
``unknown`` names. Last come the readings that depend on neighbours: "by 0.02 s"
is a margin, "about 700 m" is hedged, "the 1500 m final" names the event rather
than a point, "fourteen men" is a count.
"""

from __future__ import annotations

import re
from dataclasses import replace

from feed.check.lexicon import CUES
from feed.check.names import NameMatcher
from feed.check.numbers import recognise_numbers
from feed.check.tok import Tok

__all__ = ["tokenize"]

_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(
        ("ath", "nat", "city", "comp", "rule", "time", "margin", "point", "lap", "record",
         "medal", "body", "age", "year", "ord", "num")
    )
}  # fmt: skip
_WORD = re.compile(r"[\w'’]+(?:-[\w'’]+)*|[^\w\s]")
_LONGEST_CUE = max(len(phrase) for phrase in CUES)
_HEDGES = frozenset({"about", "around", "roughly", "approximately", "some", "almost", "nearly",
                     "circa", "c", "~", "under", "over", "just", "approx"})  # fmt: skip
_EVENT_NEXT = frozenset({"final", "finals", "race", "title", "event", "champion", "champions",
                         "gold", "silver", "bronze", "medal", "crown", "world", "olympic",
                         "heat", "heats", "semi-final", "runner", "runners", "men", "women",
                         "podium", "field", "medallist", "specialist"})  # fmt: skip
_COUNT_NEXT = {"men": "starters", "women": "starters", "athletes": "starters",
               "runners": "starters", "starters": "starters", "finalists": "starters",
               "competitors": "starters", "away": "starters", "on": "entrants"}  # fmt: skip
_PRONOUNS = frozenset({"he", "his", "him"})


def tokenize(text: str, folded: str, start: int, end: int, names: NameMatcher) -> list[Tok]:
    """The tokens of the sentence ``text[start:end]`` (``folded`` is ``fold(text)``)."""
    proposed = list(names.recognise(text, folded, start, end))
    proposed += list(recognise_numbers(folded[start:end], start))
    proposed.sort(key=lambda t: (t.start, -(t.end - t.start), _PRIORITY.get(t.kind, 99)))
    chosen: list[Tok] = []
    reach = start
    for tok in proposed:
        if tok.start >= reach:
            chosen.append(tok)
            reach = tok.end
    tokens: list[Tok] = []
    cursor = start
    for tok in chosen:
        tokens += _words(text, folded, cursor, tok.start)
        tokens.append(tok)
        cursor = tok.end
    tokens += _words(text, folded, cursor, end)
    taken = [(t.start, t.end) for t in tokens if t.kind not in ("word", "punct")]
    unknown = list(names.unknown(text, start, end, taken))
    if unknown:
        tokens = _merge_unknown(tokens, unknown)
    return _neighbours(tokens, names)


def _words(text: str, folded: str, start: int, end: int) -> list[Tok]:
    raw = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    out: list[Tok] = []
    index = 0
    while index < len(raw):
        s, e = raw[index]
        word = folded[s:e].replace("’", "'")
        if not word[0].isalnum():
            out.append(Tok("punct", s, e, code=word))
            index += 1
            continue
        matched = _cue_at(folded, raw, index)
        if matched is not None:
            cue, length = matched
            out.append(Tok("cue", s, raw[index + length - 1][1], code=cue))
            index += length
            continue
        if word in _PRONOUNS:
            out.append(Tok("pron", s, e, code=word))
        else:
            out.append(Tok("word", s, e, code=word))
        index += 1
    return out


def _cue_at(folded: str, raw: list[tuple[int, int]], index: int) -> tuple[str, int] | None:
    for length in range(min(_LONGEST_CUE, len(raw) - index), 0, -1):
        words = tuple(folded[s:e].replace("’", "'") for s, e in raw[index : index + length])
        if not all(w[0].isalnum() for w in words):
            continue
        cue = CUES.get(words)
        if cue is not None:
            return cue, length
        if words[-1].endswith("n't") and length == 1:
            return "neg", 1
    return None


def _merge_unknown(tokens: list[Tok], unknown: list[Tok]) -> list[Tok]:
    kept = [t for t in tokens if not any(u.start < t.end and t.start < u.end for u in unknown)]
    return sorted(kept + unknown, key=lambda t: t.start)


def _neighbours(tokens: list[Tok], names: NameMatcher) -> list[Tok]:
    distances = {race.info.distance_m for race in names.vocab.races.values()}
    out: list[Tok] = []
    for index, found in enumerate(tokens):
        tok = found
        before = _code(tokens, index - 1)
        after = _code(tokens, index + 1)
        if tok.kind in ("time", "point", "margin") and (
            before in _HEDGES or _code(tokens, index - 2) in _HEDGES
        ):
            tok = replace(tok, hedged=True)
        if (
            tok.kind == "time"
            and tok.value < 60_000
            and (before == "by" or after in ("ahead", "behind", "clear"))
        ):
            tok = replace(tok, kind="margin")
        elif (
            tok.kind == "point"
            and tok.code == "at"
            and (
                after in _EVENT_NEXT
                or before in ("men's", "women's", "metric")
                or (tok.value in distances and before == "the" and _code(tokens, index - 2) != "at")
            )
        ):
            tok = replace(tok, kind="event")
        elif tok.kind == "num" and after in _COUNT_NEXT:
            what = _COUNT_NEXT[after]
            if what != "entrants" or _code(tokens, index + 3) == "start":
                tok = replace(tok, kind="count", code=what)
        out.append(tok)
    return out


def _code(tokens: list[Tok], index: int) -> str:
    if 0 <= index < len(tokens):
        tok = tokens[index]
        if tok.kind in ("word", "cue", "punct", "pron"):
            return tok.code
    return ""
