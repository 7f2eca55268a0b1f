"""Find the factual claims of a text: entries, sentences, scope, then the rules, in order.

Rules run in a fixed order, each marking the tokens it read so that a later rule
does not read them again: assignments ("bronze went to X"), leaders and passes,
results (wins, medals, places, records), times, margins, incidents, the events
around results, then nations, ages, counts and the medal table. The text's frame
(the competition it names first) becomes a claim of its own; a sentence out of
scope (``feed.check.scope``) keeps its claims, each marked unresolved with why.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from feed.check.model import FINAL, Claim, Competition, Moment
from feed.check.names import NameMatcher
from feed.check.reader import Reader
from feed.check.rules_events import read_events
from feed.check.rules_people import read_people
from feed.check.rules_race import read_incidents, read_leads, read_passes
from feed.check.rules_results import read_goes_to, read_results
from feed.check.rules_times import read_margins, read_times
from feed.check.scope import FeedCompetition, Frame, frame_of, out_of_scope
from feed.check.subjects import Sentence, Subject, resolve
from feed.check.text import fold, split_entries, split_sentences
from feed.check.timeline import stamp_moment
from feed.check.tok import Tok
from feed.check.tokens import tokenize
from feed.check.vocab import Vocabulary

__all__ = ["RULES", "extract"]

RULES: tuple[Callable[[Reader], None], ...] = (
    read_goes_to,
    read_leads,
    read_passes,
    read_results,
    read_times,
    read_margins,
    read_incidents,
    read_events,
    read_people,
)


def extract(
    text: str,
    vocab: Vocabulary,
    *,
    default: Moment = FINAL,
    wall_offset_min: int | None = None,
    context: str | None = None,
) -> list[Claim]:
    """Every claim of ``text`` about the races of ``vocab``, in text order.

    Args:
        text: the article or live blog.
        vocab: the feed's races and names.
        default: when entries without a stamp are judged (the final state, or a seq).
        wall_offset_min: the zone of wall-time stamps written without one, in minutes
            east of UTC; None: the venue's own.
        context: the race a sentence is taken to be about when its words fit several.
    """
    folded = fold(text)
    names = NameMatcher(vocab)
    feed = _feed_competition(vocab)
    frame: Frame | None = None
    framing = True  # the headline and the lede say which race the text is about
    claims: list[Claim] = []
    single = next(iter(vocab.races)) if len(vocab.races) == 1 else None
    previous: Subject | None = None  # "He ..." may look back across paragraphs
    for entry in split_entries(text):
        sentences = [
            (span, tokenize(text, folded, span[0], span[1], names))
            for span in split_sentences(text, entry.start, entry.end)
        ]
        entry_race = single or next(
            (race for _, tokens in sentences if (race := _race_of(tokens, vocab, context))), context
        )
        moment = default
        if entry.stamp is not None and vocab.races:
            race_info = vocab.races[entry_race or next(iter(vocab.races))].info
            moment = stamp_moment(entry.stamp, race_info.scheduled_start, wall_offset_min)
        race = entry_race
        heading = text[entry.start : entry.start + 1] == "#"
        for _span, tokens in sentences:
            race = single or _race_of(tokens, vocab, race)
            named = frame_of(tokens) if framing else None
            if named is not None:
                claims.append(_frame_claim(text, named, moment, race))
                frame = _merge(frame, named)
                # The headline and the first sentence of the text proper that names one.
                framing = heading
            sentence = Sentence(text, tokens, vocab, race, previous)
            live = entry.stamp is not None or moment.kind == "seq"
            reader = Reader(sentence, moment, stamped=live)
            for rule in RULES:
                rule(reader)
            why = None if named is not None else out_of_scope(tokens, frame, feed)
            if why is not None:
                reader.claims = [
                    msgspec.structs.replace(c, unresolved=c.unresolved or f"the sentence {why}")
                    for c in reader.claims
                ]
            claims += reader.claims
            previous = _main_subject(sentence) or previous
    claims.sort(key=lambda c: (c.start, c.end))
    return claims


def _race_of(tokens: list[Tok], vocab: Vocabulary, context: str | None) -> str | None:
    """The race a sentence is about: one its athletes, event, points and sex words fit.

    Several fit: the ``context`` race (the entry's, or the one running at the moment
    judged) if it is one of them, else the first in stream order.
    """
    candidates = list(vocab.races)
    named = False
    for tok in tokens:
        if tok.kind == "ath":
            named = True
            races = {race for race, _ in tok.ids}
            candidates = [race for race in candidates if race in races]
    for tok in tokens:
        narrowed = candidates
        if tok.kind == "event":
            narrowed = [r for r in candidates if vocab.races[r].info.distance_m == tok.value]
        elif tok.kind == "point" and tok.code in ("at", "to_go"):
            narrowed = [r for r in candidates if vocab.races[r].info.distance_m >= tok.to]
        elif tok.kind == "word" and tok.code in ("women's", "women", "men's", "men"):
            women = tok.code.startswith("women")
            narrowed = [
                r for r in candidates if ("women" in vocab.races[r].info.event.lower()) == women
            ]
        candidates = narrowed or candidates
    if not candidates:
        return None
    if context in candidates:
        return context
    return candidates[0] if named or len(candidates) < len(vocab.races) else context


def _main_subject(sentence: Sentence) -> Subject | None:
    for pos, tok in enumerate(sentence.tokens):
        if tok.kind == "ath":
            return resolve(sentence, pos)
    return None


def _merge(frame: Frame | None, named: Frame) -> Frame:
    """The frame so far, with what ``named`` adds (the first mention of each part wins)."""
    if frame is None:
        return named
    old, new = frame.competition, named.competition
    merged = Competition(
        kind=old.kind or new.kind, city=old.city or new.city, year=old.year or new.year
    )
    return Frame(merged, frame.start, frame.end)


def _frame_claim(text: str, frame: Frame, moment: Moment, race: str | None) -> Claim:
    return Claim(
        kind="competition",
        start=frame.start,
        end=frame.end,
        text=text[frame.start : frame.end],
        moment=moment,
        race=race,
        competition=frame.competition,
    )


def _feed_competition(vocab: Vocabulary) -> FeedCompetition:
    kinds: set[str] = set()
    cities: set[str] = set()
    years: set[int] = set()
    for race in vocab.races.values():
        kind, race_cities, race_years = race.competition
        if kind is not None:
            kinds.add(kind)
        cities |= race_cities
        years |= race_years
    return FeedCompetition(frozenset(kinds), frozenset(cities), frozenset(years))
