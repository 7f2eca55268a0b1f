"""Who a predicate is about: the nearest name to its left, read the way reports are written.

The subject of "won", "second", "bronze" ... is the nearest person to its left in
the same clause group (``;`` and ``:`` end one), skipping the objects of "beat",
"passed", "ahead of", "from" (in "Kerr passed Ingebrigtsen and won", Kerr won);
after "who", the name before it. People are named by name, by "the Portuguese"
(the one athlete of that nation in the race), by "the 26-year-old" (the one
athlete whose age the feed knows to be 26), or by "he"/"his" (the nearest name
before, else the subject of the sentence before). Names joined by "and" make one
subject of several athletes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from feed.check.tok import Tok
from feed.check.vocab import Vocabulary

__all__ = ["Sentence", "Subject", "age_on", "clause_of", "resolve", "subject_left", "subject_right"]

_HARD = frozenset({";", ":", "(", ")", "—", "–", "!", "?"})
_SOFT = _HARD | {","}
_OBJECT_MARKERS = frozenset({"beat", "pass", "ahead", "behind", "from"})
_OBJECT_WORDS = frozenset({"over", "than", "past", "of", "against", "beyond", "to"})
_SUBJECT_KINDS = frozenset({"ath", "unknown", "pron", "nat", "age"})


@dataclass(frozen=True)
class Subject:
    """Who a claim is about, resolved in one race.

    Attributes:
        ids: the athlete ids it may stand for (several: an ambiguous name).
        named: how the text names them.
        start: offset of the name.
        end: offset past the name.
        nation: set when the subject is a nation ("Portugal have the gold").
        unresolved: why nobody in the feed can be meant, when so.
        group: further subjects joined by "and" ("Esempio and Beispiel").
    """

    ids: tuple[str, ...]
    named: str
    start: int
    end: int
    nation: str | None = None
    unresolved: str | None = None
    group: tuple[Subject, ...] = ()

    def members(self) -> tuple[Subject, ...]:
        """This subject and those joined to it by "and"."""
        return (self, *self.group)


@dataclass
class Sentence:
    """One sentence being read: its tokens, race and what came before."""

    text: str
    tokens: list[Tok]
    vocab: Vocabulary
    race: str | None
    previous: Subject | None = None


def age_on(born: date, day: date) -> int:
    """Age in whole years on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def clause_of(tokens: list[Tok], index: int, *, soft: bool) -> tuple[int, int]:
    """The (first, last + 1) token indexes of the clause holding ``index``."""
    stops = _SOFT if soft else _HARD
    first = index
    while first > 0 and not _is_stop(tokens[first - 1], stops):
        first -= 1
    last = index
    while last < len(tokens) - 1 and not _is_stop(tokens[last + 1], stops):
        last += 1
    return first, last + 1


def subject_left(sentence: Sentence, index: int, *, appositive: bool = False) -> Subject | None:
    """The subject of the predicate at token ``index``, searching leftwards.

    Args:
        sentence: the sentence read.
        index: the predicate's token.
        appositive: the predicate is a noun phrase ("fourth in 3:29.56") that may stand
            after a comma for the name just before it, even an object ("ahead of
            Kipsang, fourth in 3:29.56").
    """
    tokens = sentence.tokens
    relative = False
    for pos in range(index - 1, -1, -1):
        tok = tokens[pos]
        if tok.kind == "punct" and tok.code in _HARD:
            return None
        if tok.kind == "word" and tok.code in ("who", "which"):
            relative = True
            continue
        if appositive and tok.kind == "punct" and tok.code == "," and pos > 0:
            before = tokens[pos - 1]
            if before.kind in ("ath", "unknown") and pos - 1 < index:
                return _with_group(sentence, pos - 1)
        if tok.kind not in _SUBJECT_KINDS or not _can_be_subject(tokens, pos):
            continue
        if not relative and _is_object(tokens, pos):
            continue
        return _with_group(sentence, pos)
    return None


def subject_right(sentence: Sentence, index: int, *, limit: int = 4) -> Subject | None:
    """The first subject within ``limit`` tokens right of ``index`` ("bronze went to X")."""
    tokens = sentence.tokens
    for pos in range(index + 1, min(len(tokens), index + 1 + limit)):
        tok = tokens[pos]
        if tok.kind == "punct" and tok.code in _HARD:
            return None
        if tok.kind in _SUBJECT_KINDS and _can_be_subject(tokens, pos, rightwards=True):
            return _with_group(sentence, pos, rightwards=True)
    return None


def resolve(sentence: Sentence, pos: int) -> Subject:
    """The subject one token names."""
    tok = sentence.tokens[pos]
    named = sentence.text[tok.start : tok.end]
    race = sentence.race
    if tok.kind == "ath":
        ids = tuple(a for r, a in tok.ids if r == race)
        if not ids:
            why = f"{named!r} is not in the race this sentence is about"
            return Subject((), named, tok.start, tok.end, unresolved=why)
        return Subject(ids, named, tok.start, tok.end)
    if tok.kind == "pron":
        return _pronoun(sentence, pos)
    if tok.kind == "nat":
        if not _descriptor(sentence.tokens, pos):
            return Subject((), named, tok.start, tok.end, nation=tok.code)
        people = tuple(a.athlete_id for a in sentence.vocab.of_nation(tok.code, _races(race)))
        nobody = None if people else f"no athlete of {tok.code} is in the race"
        return Subject(people, named, tok.start, tok.end, unresolved=nobody)
    if tok.kind == "age":
        return _by_age(sentence, tok, named)
    why = f"no athlete named {named!r} is on the feed's start list"
    return Subject((), named, tok.start, tok.end, unresolved=why)


def _pronoun(sentence: Sentence, pos: int) -> Subject:
    tok = sentence.tokens[pos]
    named = sentence.text[tok.start : tok.end]
    for back in range(pos - 1, -1, -1):
        if sentence.tokens[back].kind == "ath":
            found = resolve(sentence, back)
            return Subject(found.ids, named, tok.start, tok.end, unresolved=found.unresolved)
    if sentence.previous is not None and not sentence.previous.group:
        prev = sentence.previous
        return Subject(prev.ids, named, tok.start, tok.end, prev.nation, prev.unresolved)
    why = f"{named!r} cannot be tied to one athlete"
    return Subject((), named, tok.start, tok.end, unresolved=why)


def _by_age(sentence: Sentence, tok: Tok, named: str) -> Subject:
    race = sentence.race
    vocab = sentence.vocab
    matches: list[str] = []
    if race is not None:
        day = vocab.races[race].day
        for athlete in vocab.races[race].athletes.values():
            if (
                athlete.born is not None
                and day is not None
                and age_on(athlete.born, day) == tok.value
            ):
                matches.append(athlete.athlete_id)
    if len(matches) == 1:
        return Subject(tuple(matches), named, tok.start, tok.end)
    why = f"the feed knows the age of no single athlete who is {tok.value}"
    return Subject((), named, tok.start, tok.end, unresolved=why)


def _with_group(sentence: Sentence, pos: int, *, rightwards: bool = False) -> Subject:
    main = resolve(sentence, pos)
    tokens = sentence.tokens
    group: list[Subject] = []
    step = 1 if rightwards else -1
    cursor = pos + step
    while 0 <= cursor + step < len(tokens) and 0 <= cursor < len(tokens):
        joint = tokens[cursor]
        nxt = tokens[cursor + step]
        if not ((joint.kind == "word" and joint.code in ("and", "&")) or joint.code == ","):
            break
        if nxt.kind not in ("ath", "unknown"):
            break
        group.append(resolve(sentence, cursor + step))
        cursor += 2 * step
    return Subject(
        main.ids, main.named, main.start, main.end, main.nation, main.unresolved, tuple(group)
    )


def _can_be_subject(tokens: list[Tok], pos: int, *, rightwards: bool = False) -> bool:
    tok = tokens[pos]
    if tok.kind == "pron":
        return tok.code in ("he", "his")
    if tok.kind in ("nat", "age"):
        nxt = tokens[pos + 1] if pos + 1 < len(tokens) else None
        if nxt is not None and nxt.kind in ("ath", "unknown"):
            return False  # "Kenyan Reynold Cheruiyot": the name is the subject
        if nxt is not None and nxt.kind == "word" and nxt.code in ("'s", "’s"):
            return tokens[pos + 2].kind not in ("ath", "unknown") if pos + 2 < len(tokens) else True
        if tok.kind == "age":
            return _descriptor(tokens, pos)
        if _descriptor(tokens, pos) or (rightwards and tok.kind == "nat"):
            return True
        # A nation is a subject where it opens a clause: "Portugal have the gold".
        back = pos - 1
        while back >= 0 and tokens[back].kind == "word" and tokens[back].code == "the":
            back -= 1
        opens = back < 0 or (tokens[back].kind == "punct" and tokens[back].code in _HARD)
        opens = opens or tokens[back].code in ("and", "but", "while", ",")
        described = nxt is not None and nxt.kind in ("record", "event", "point", "comp", "city")
        return opens and not described
    return True


def _descriptor(tokens: list[Tok], pos: int) -> bool:
    """ "the Portuguese", "the 26-year-old (Portuguese)": a person described, not a nation."""
    back = pos - 1
    if back >= 0 and tokens[back].kind == "age" and tokens[pos].kind == "nat":
        back -= 1
    return back >= 0 and tokens[back].kind == "word" and tokens[back].code == "the"


def _is_object(tokens: list[Tok], pos: int) -> bool:
    back = pos - 1
    while back >= 0 and tokens[back].kind == "word" and tokens[back].code == "the":
        back -= 1
    if back < 0:
        return False
    tok = tokens[back]
    if tok.kind == "cue" and tok.code in _OBJECT_MARKERS:
        return True
    return tok.kind == "word" and tok.code in _OBJECT_WORDS


def _is_stop(tok: Tok, stops: frozenset[str]) -> bool:
    return tok.kind == "punct" and tok.code in stops


def _races(race: str | None) -> list[str] | None:
    return None if race is None else [race]
