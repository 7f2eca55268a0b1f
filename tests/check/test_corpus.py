"""Precision on the corpus, as docs/check.md reports it: the thresholds CI holds the checker to.

The figures come from the same code as ``racefeed check-corpus tests/check/corpus``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from feed.check.measure import Figures, measure
from feed.io.corpus import load_corpus

CORPUS = Path(__file__).parent / "corpus"
KINDS_THE_ISSUE_LISTS = {
    "winner", "place", "time", "margin", "medal", "leader-at-point", "position-at-point",
    "split", "incident-who", "incident-body-part", "finished", "dnf-dns-dq", "dq-rule",
    "protest", "amended", "record", "competition", "year", "medal-table", "other-year",
}  # fmt: skip


@cache
def figures() -> Figures:
    docs, events = load_corpus(CORPUS)
    return measure(docs, events)


def test_no_false_alarm_on_an_accurate_text() -> None:
    """The target: an accurate text is never contradicted."""
    assert figures().false_alarms_accurate == 0, figures().alarms


def test_no_false_alarm_in_the_copies_away_from_the_planted_errors() -> None:
    """The rest of a copy is accurate too."""
    assert figures().false_alarms_copies == 0, figures().alarms


def test_at_least_95_percent_of_the_planted_errors_are_found() -> None:
    """Found: a contradicted claim on the words that were changed."""
    assert figures().found_share >= 0.95, figures().missed


def test_every_kind_of_error_the_issue_lists_is_planted_and_found() -> None:
    """Each kind is in the corpus, and each is found at least once."""
    by_kind = {row.kind: row for row in figures().by_kind}
    assert set(by_kind) >= KINDS_THE_ISSUE_LISTS
    assert all(by_kind[kind].found > 0 for kind in KINDS_THE_ISSUE_LISTS)


def test_it_abstains_on_few_sentences_whose_facts_the_feed_holds() -> None:
    """At most a quarter of all factual sentences, an eighth of those the feed can judge."""
    assert figures().abstain_share <= 0.25
    assert figures().feed_abstain_share <= 0.125


def test_it_never_contradicts_a_sentence_beyond_the_feed() -> None:
    """Careers, other rounds, ages it does not know: abstained on, never judged wrong."""
    assert figures().beyond_sentences >= 10
    assert figures().beyond_contradicted == 0


@pytest.mark.parametrize("kind", ["report", "live-blog"])
def test_the_corpus_holds_reports_and_live_blogs_of_every_real_final(kind: str) -> None:
    """Accurate texts of each built-in real final, reports and stamped live blogs."""
    docs, _ = load_corpus(CORPUS)
    covered = {d.against for d in docs if d.kind == kind and not d.planted}
    real = {"tokyo-2025-m1500-final", "budapest-2023-m1500-final", "eugene-2022-m1500-final",
            "tokyo-2020-m1500-final"}  # fmt: skip
    assert real <= covered if kind == "report" else len(covered & real) >= 3
