"""Numbers in race writing: times, margins, points in the race, laps, places, ages, years, rules.

Times in the usual notations: ``3:34.10``, ``3:34.094``, ``59.5``, ``59.5s``,
``3min 34.10sec``, ``3m 34.10s``, ``56 seconds``. Margins: ``two hundredths (of a
second)``, ``three thousandths``, ``a tenth``, ``by 0.02 s``, ``0.13 seconds
clear``. Points: ``400 m``, ``800 metres``, ``the bell``, ``a lap to go``,
``200 m to go``, ``200 out``, ``the last 200 m``, ``halfway``, ``into the straight``,
``after two laps``. Every time carries the precision it was written to, so that
"3:34.1" is compared to a tenth and "3:34.10" to a hundredth.

Recognisers run on folded text (``feed.check.text.fold``) and return tokens with
offsets into the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from feed.check.lexicon import BODY_PARTS, NUMBER_WORDS, ORDINAL_WORDS, RECORD_WORDS
from feed.check.tok import Tok, TokKind

__all__ = ["recognise_numbers", "resolve_point"]

_NUMBER = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_FRACTIONS = {"tenth": 100, "hundredth": 10, "thousandth": 1}
_SEC = r"(?:sec|secs|seconds?|s)\b"

_RULE = re.compile(r"\b(?:tr|rule)\s?(\d+(?:\.\d+)+)\b")
_TIME_CLOCK = re.compile(
    r"(?<![\d.:])(?:(\d{1,2}):(?=\d{2}:))?(\d{1,2}):([0-5]\d)(?:\.(\d{1,3}))?(?![\d:]|\.\d)"
)
_TIME_WORDS = re.compile(
    r"(?<![\d.])(\d{1,2})\s?(?:min|mins|minutes?|m)\s?(\d{1,2})(?:\.(\d{1,3}))?\s?" + _SEC
)
_TIME_DECIMAL = re.compile(r"(?<![\d.:])(\d{1,3})\.(\d{1,3})(?:\s?" + _SEC + r")?(?!\d|\.\d)")
_TIME_SECONDS = re.compile(r"(?<![\d.:])(\d{1,3})\s?(?:sec|secs|seconds)\b")
_MARGIN_WORDS = re.compile(
    rf"\b({_NUMBER}|\d+)\s+(tenth|hundredth|thousandth)s?(?:\s+of\s+a\s+second)?\b"
)
_MARGIN_SECONDS = re.compile(rf"\bby\s+({_NUMBER}|\d+)\s+seconds?\b")
_FINAL_STRETCH = re.compile(
    r"\b(?:the\s+)?(?:final|last|closing)\s+(\d{2,4})\s?(?:m|metres|meters)?\b"
)
_DISTANCE = re.compile(
    r"(?<![\d.:,])(\d{1,2},\d{3}|\d{2,5})\s?(?:-?\s?(?:m|metres|meters|metre|meter))(?![a-z\d])"
)
_TO_GO = re.compile(r"\s*(?:to go|out|from home|remaining|left|from the finish)\b")
_BARE_TO_GO = re.compile(r"(?<![\d.:])(\d{2,4})(?=\s+(?:to go|out|from home|remaining)\b)")
_BELL = re.compile(
    r"\b(?:the bell|(?:a|one) lap to go|one lap remaining"
    r"|(?:into|start of) the (?:last|final) lap)\b"
)
_LAST_LAP = re.compile(r"\b(?:the|a) (?:last|final) lap\b")
_LAPS_TO_GO = re.compile(rf"\b({_NUMBER}|\d) laps (?:to go|remaining)\b")
_AFTER_LAPS = re.compile(rf"\bafter ({_NUMBER}|\d) laps?\b|\bafter the (first|second|third) lap\b")
_LAP = re.compile(r"\b(first|opening|second|third|fourth) lap\b")
_HALF = re.compile(r"\bhalfway\b|\bhalf-way\b|\bthe half\b")
_STRAIGHT = re.compile(r"\b(?:into|entering|down) the (?:home )?straight\b")
_AGE = re.compile(r"\b(\d{2})-year-old\b|\baged (\d{2})\b")
_YEAR = re.compile(r"(?<![\d.:,])(19[5-9]\d|20[0-4]\d)(?!\d|\.\d|\s?(?:m|metres|meters)\b)")
_ORD_NUMERIC = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_ORD_WORDS = re.compile(r"\b(" + "|".join(ORDINAL_WORDS) + r")\b")
_MEDAL = re.compile(r"\b(gold|silver|bronze)(?:\s+medals?)?\b")
_BODY = re.compile(r"\b(" + "|".join(BODY_PARTS) + r")\b")
_RECORD = re.compile(
    r"\b(" + "|".join(re.escape(" ".join(words)) for words in RECORD_WORDS) + r")\b"
)
_INTEGER = re.compile(rf"(?<![\d.:,])(\d{{1,3}})(?![\d.:,]|st|nd|rd|th)|\b({_NUMBER})\b")
_LAP_NUMBERS = {"first": 1, "opening": 1, "second": 2, "third": 3, "fourth": 4}
# Points named by words alone, and their code for ``resolve_point``.
_NAMED_POINTS = ((_BELL, "bell"), (_LAST_LAP, "last_lap"), (_HALF, "half"), (_STRAIGHT, "straight"))


def recognise_numbers(folded: str, offset: int) -> Iterator[Tok]:
    """Every number-like token in ``folded`` (a folded sentence starting at ``offset``)."""
    for m in _RULE.finditer(folded):
        yield _tok("rule", m, offset, code=m[1])
    for m in _TIME_CLOCK.finditer(folded):
        yield _time(m, offset, (int(m[1] or 0) * 60 + int(m[2])) * 60 + int(m[3]), m[4])
    for m in _TIME_WORDS.finditer(folded):
        yield _time(m, offset, int(m[1]) * 60 + int(m[2]), m[3])
    for m in _TIME_DECIMAL.finditer(folded):
        yield _time(m, offset, int(m[1]), m[2])
    for m in _TIME_SECONDS.finditer(folded):
        yield _time(m, offset, int(m[1]), None)
    for m in _MARGIN_WORDS.finditer(folded):
        unit = _FRACTIONS[m[2]]
        yield _tok("margin", m, offset, value=_count(m[1]) * unit, unit=unit)
    for m in _MARGIN_SECONDS.finditer(folded):
        start = m.start() + m[0].index(m[1])
        yield Tok("margin", offset + start, offset + m.end(), value=_count(m[1]) * 1000, unit=1000)
    yield from _points(folded, offset)
    for m in _AGE.finditer(folded):
        yield _tok("age", m, offset, value=int(m[1] or m[2]))
    for m in _YEAR.finditer(folded):
        yield _tok("year", m, offset, value=int(m[1]))
    for m in _ORD_NUMERIC.finditer(folded):
        yield _tok("ord", m, offset, value=int(m[1]))
    for m in _ORD_WORDS.finditer(folded):
        yield _tok("ord", m, offset, value=ORDINAL_WORDS[m[1]])
    for m in _MEDAL.finditer(folded):
        yield _tok("medal", m, offset, code=m[1])
    for m in _BODY.finditer(folded):
        part = {"hamstrings": "hamstring", "calves": "calf", "quadriceps": "quad"}.get(m[1], m[1])
        yield _tok("body", m, offset, code=part)
    for m in _RECORD.finditer(folded):
        yield _tok("record", m, offset, code=RECORD_WORDS[tuple(m[1].split())])
    for m in _INTEGER.finditer(folded):
        if m[2] in {"a", "an"}:
            continue
        yield _tok("num", m, offset, value=int(m[1]) if m[1] else NUMBER_WORDS[m[2]])


def resolve_point(tok: Tok, distance_m: int, lap_m: int) -> tuple[int, int] | None:
    """The range of metres run (low, high) a point token names in a race of ``distance_m``.

    Returns None when the point lies outside the race.
    """
    code = tok.code
    if code == "at":
        low, high = tok.value, tok.to
    elif code == "to_go":
        low, high = distance_m - tok.to, distance_m - tok.value
    elif code == "bell":
        low = high = distance_m - lap_m
    elif code == "last_lap":
        low, high = distance_m - lap_m, distance_m
    elif code == "laps_to_go":
        low = high = distance_m - tok.value * lap_m
    elif code == "after_laps":
        low = high = tok.value * lap_m
    elif code == "half":
        low = high = distance_m // 2
    elif code == "straight":
        low = high = distance_m - 100
    elif code == "stretch":
        low, high = distance_m - tok.value, distance_m
    else:
        return None
    if tok.hedged:
        low, high = low - 100, high + 100
    low, high = max(low, 0), min(high, distance_m)
    return (low, high) if high > 0 and low <= high else None


def _points(folded: str, offset: int) -> Iterator[Tok]:
    for pattern, code in _NAMED_POINTS:
        for m in pattern.finditer(folded):
            yield _tok("point", m, offset, code=code)
    for m in _LAPS_TO_GO.finditer(folded):
        yield _tok("point", m, offset, code="laps_to_go", value=_count(m[1]))
    for m in _AFTER_LAPS.finditer(folded):
        laps = _count(m[1]) if m[1] else _LAP_NUMBERS[m[2]]
        yield _tok("point", m, offset, code="after_laps", value=laps)
    for m in _LAP.finditer(folded):
        yield _tok("lap", m, offset, value=_LAP_NUMBERS[m[1]])
    for m in _FINAL_STRETCH.finditer(folded):
        yield _tok("point", m, offset, code="stretch", value=int(m[1]))
    for m in _DISTANCE.finditer(folded):
        metres = int(m[1].replace(",", ""))
        if _TO_GO.match(folded, m.end()) is not None:
            yield _to_go(m, metres, folded, offset)
        else:  # "at" or the event's name: told apart by the words around it, later
            yield _tok("point", m, offset, code="at", value=metres)
    for m in _BARE_TO_GO.finditer(folded):
        yield _to_go(m, int(m[1]), folded, offset)


def _to_go(m: re.Match[str], metres: int, folded: str, offset: int) -> Tok:
    """ "200 m to go", "200 out": the point with its "to go" words."""
    to_go = _TO_GO.match(folded, m.end())
    end = offset + (to_go.end() if to_go is not None else m.end())
    return Tok("point", offset + m.start(), end, code="to_go", value=metres, to=metres)


def _time(m: re.Match[str], offset: int, seconds: int, fraction: str | None) -> Tok:
    digits = fraction or ""
    unit = 10 ** (3 - len(digits))
    ms = seconds * 1000 + (int(digits) * unit if digits else 0)
    return _tok("time", m, offset, value=ms, unit=unit)


def _count(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def _tok(
    kind: TokKind, m: re.Match[str], offset: int, *, code: str = "", value: int = 0, unit: int = 0
) -> Tok:
    to = value if kind == "point" else 0
    return Tok(kind, offset + m.start(), offset + m.end(), code=code, value=value, unit=unit, to=to)
