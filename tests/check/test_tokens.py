"""A sentence is read into tokens resolved against the feed's own roster and vocabulary."""

from __future__ import annotations

from feed.check.names import NameMatcher
from feed.check.text import fold, split_sentences
from feed.check.tok import Tok
from feed.check.tokens import tokenize
from feed.check.vocab import Vocabulary
from tests.check.checkkit import events

TOKYO = Vocabulary.from_events(events("tokyo-2025-m1500-final"))
NAMES = NameMatcher(TOKYO)


def read(text: str) -> list[Tok]:
    [(start, end)] = split_sentences(text, 0, len(text))
    return tokenize(text, fold(text), start, end, NAMES)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(t.kind, text[t.start : t.end]) for t in read(text) if t.kind not in ("word", "punct")]


def athletes(text: str) -> list[tuple[str, ...]]:
    return [tuple(a for _, a in t.ids) for t in read(text) if t.kind == "ath"]


def test_athletes_are_named_by_full_name_surname_or_initial_and_surname() -> None:
    """Isaac Nader, Nader, I. Nader and Nader's all name the same entrant."""
    assert athletes("Isaac Nader beat Wightman, and I. Nader's kick won it.") == [
        ("nader-isaac",),
        ("wightman-jake",),
        ("nader-isaac",),
    ]


def test_names_are_matched_without_their_accents_and_only_where_capitalised() -> None:
    """ "Pihlstrom" is Samuel Pihlström; "ben" in running text is not Adrián Ben."""
    assert athletes("Pihlstrom and Ben were 11th and 8th.") == [
        ("pihlstrom-samuel",),
        ("ben-adrian",),
    ]
    assert athletes("The ben of it was that Pihlström ran well.") == [("pihlstrom-samuel",)]


def test_a_surname_two_athletes_share_names_both() -> None:
    """ "Cheruiyot" may be Reynold or Timothy; "T. Cheruiyot" is one of them."""
    assert athletes("Cheruiyot led, T. Cheruiyot led.") == [
        ("cheruiyot-reynold", "cheruiyot-timothy"),
        ("cheruiyot-timothy",),
    ]


def test_nations_by_code_country_adjective_and_person_word() -> None:
    """POR, Portugal, Portuguese, the Briton: all nation tokens with their code."""
    found = [(t.code, t.nation) for t in read("POR and Portugal: the Portuguese beat the Briton.")
             if t.kind == "nat"]  # fmt: skip
    assert found == [("POR", ""), ("POR", ""), ("POR", "person"), ("GBR", "person")]


def test_a_capitalised_name_the_feed_does_not_know_is_an_unknown_name() -> None:
    """ "Ingebrigtsen" did not run in Tokyo 2025: an unknown name, never a known athlete."""
    assert ("unknown", "Jakob Ingebrigtsen") in kinds("Nader beat Jakob Ingebrigtsen.")
    assert ("unknown", "Norwegians") not in kinds("Two Norwegians were there.")


def test_by_a_decimal_is_a_margin_and_the_event_name_is_no_point() -> None:
    """ "by 0.02 s" is a margin; "the men's 1500 m final" names the event, "at 400 m" a point."""
    found = kinds("Nader won the men's 1500 m final by 0.02 s after 59.5 at 400 m.")
    assert ("margin", "0.02 s") in found
    assert ("event", "1500 m") in found
    assert ("point", "400 m") in found
    assert ("time", "59.5") in found


def test_about_marks_a_time_or_point_as_hedged() -> None:
    """ "about 600 m to go" and "around 55.5" are hedged."""
    hedged = [
        t.hedged
        for t in read("It went about 600 m to go in around 55.5.")
        if t.kind in ("point", "time")
    ]
    assert hedged == [True, True]


def test_cue_phrases_are_matched_longest_first() -> None:
    """ "dead heat" is not a heat; "did not stop" is not a negation; "hit the front" is a lead."""
    cues = [
        t.code for t in read("A dead heat: he did not stop and hit the front.") if t.kind == "cue"
    ]
    assert cues == ["dead_heat", "continue", "take_lead"]


def test_counts_of_the_field_are_counts() -> None:
    """ "Fourteen men" and "14 on the start list" count the field."""
    assert [
        (t.code, t.value) for t in read("Fourteen men, 14 on the start list.") if t.kind == "count"
    ] == [("starters", 14), ("entrants", 14)]
