"""The reading of one sentence that the extraction rules share: clauses, negation, claims out.

A ``Reader`` wraps the tokens of one sentence with the questions every rule asks
(is this negated? what points are in this clause? which time follows?) and
collects the claims the rules emit, one per athlete of a subject group.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from feed.check.model import Claim, ClaimKind, Moment
from feed.check.numbers import resolve_point
from feed.check.subjects import Sentence, Subject, clause_of
from feed.check.tok import Tok

__all__ = ["Reader"]


class Reader:
    """One sentence under extraction.

    Attributes:
        sentence: its tokens, race and vocabulary.
        moment: when its claims are judged.
        stamped: the entry has a time stamp (present tense means "at that moment").
        claims: what the rules emitted so far.
        consumed: indexes of tokens a rule has already read as part of a claim.
    """

    def __init__(self, sentence: Sentence, moment: Moment, *, stamped: bool) -> None:
        self.sentence = sentence
        self.tokens = sentence.tokens
        self.moment = moment
        self.stamped = stamped
        self.claims: list[Claim] = []
        self.consumed: set[int] = set()
        race = sentence.vocab.races.get(sentence.race or "")
        if race is None and sentence.vocab.races:
            race = next(iter(sentence.vocab.races.values()))
        self.distance_m = race.info.distance_m if race is not None else 0
        self.lap_m = race.info.lap_m if race is not None else 400

    def tok(self, index: int) -> Tok | None:
        """The token at ``index``, or None outside the sentence."""
        return self.tokens[index] if 0 <= index < len(self.tokens) else None

    def clause(self, index: int, *, soft: bool = True) -> range:
        """Token indexes of the clause holding ``index`` (soft: commas end it too)."""
        first, last = clause_of(self.tokens, index, soft=soft)
        return range(first, last)

    def find(self, kinds: Iterable[str], where: range, *, code: str | None = None) -> list[int]:
        """Indexes in ``where`` of tokens of ``kinds`` (and ``code``, for cues)."""
        wanted = set(kinds)
        return [
            i
            for i in where
            if self.tokens[i].kind in wanted and (code is None or self.tokens[i].code == code)
        ]

    def has_cue(self, where: range, *cues: str) -> bool:
        """Whether a cue of ``cues`` is in ``where``."""
        return any(self.tokens[i].is_cue(*cues) for i in where)

    def negated(self, index: int) -> bool:
        """A negation before ``index`` in its clause, or right after it ("won nothing")."""
        where = self.clause(index)
        before = range(where.start, index)
        return self.has_cue(before, "neg")

    def doubtful(self, index: int) -> bool:
        """The clause is hypothetical ("could win", "hoping to") or negated."""
        return self.has_cue(self.clause(index), "modal") or self.negated(index)

    def point_range(self, index: int) -> tuple[int, int] | None:
        """The metres (low, high) of the point token at ``index`` in this race."""
        return resolve_point(self.tokens[index], self.distance_m, self.lap_m)

    def emit(
        self,
        kind: ClaimKind,
        subject: Subject | None,
        parts: Iterable[int],
        **fields: object,
    ) -> None:
        """Add a claim for each member of ``subject`` (or one without athletes), over ``parts``."""
        indexes = list(parts)
        self.consumed.update(indexes)
        spans = [(self.tokens[i].start, self.tokens[i].end) for i in indexes]
        members: tuple[Subject | None, ...] = subject.members() if subject is not None else (None,)
        for member in members:
            own = spans + ([(member.start, member.end)] if member is not None else [])
            start = min(s for s, _ in own)
            end = max(e for _, e in own)
            claim = Claim(
                kind=kind,
                start=start,
                end=end,
                text=self.sentence.text[start:end],
                moment=self.moment,
                race=self.sentence.race,
            )
            if member is not None:
                claim = msgspec.structs.replace(
                    claim, athletes=member.ids, named=member.named, unresolved=member.unresolved
                )
                if member.nation is not None and "nation" not in fields:
                    claim = msgspec.structs.replace(claim, nation=member.nation)
            self.claims.append(msgspec.structs.replace(claim, **fields))
