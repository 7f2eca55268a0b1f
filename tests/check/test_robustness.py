"""Any text at all is read without an exception: the checker reports, it never crashes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.check.checkkit import checker

WORDS = (
    "Nader", "Wightman", "Cheruiyot", "T.", "Kerr", "the", "Portuguese", "Kenyan", "won", "led",
    "at", "the bell", "400 m", "in", "3:34.10", "59.5", "by", "two hundredths", "second", "last",
    "bronze", "fell", "calf", "did not finish", "disqualified", "TR17.1.2", "protest", "upheld",
    "record", "Dutch", "2023", "Tokyo", "Budapest", "World Championships", "Olympic", ",", ".",
    ";", ":", "(", ")", "he", "his", "him", "who", "with", "200 m to go", "about", "not", "could",
    "[2:14]", "13:22", "\n", "\n\n", "# ", "26-year-old", "fourteen", "men", "ahead of", "behind",
    "passed", "medal table", "top", "have", "three", "medals", "Ingebrigtsen", "photo finish",
    "dead heat", "corrected to", "was", "official", "the result", "first", "lap", "third lap",
)  # fmt: skip
PROSE = st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROSE)
def test_race_writing_in_any_order_is_judged_without_an_exception(text: str) -> None:
    """Names, cues, numbers and stamps in any order: a report, counts that add up."""
    report = checker("tokyo-2025-m1500-final").check(text)
    assert report.supported + report.contradicted + report.not_checkable == len(report.claims)
    for judged in report.claims:
        assert text[judged.claim.start : judged.claim.end] == judged.claim.text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode_is_read_without_an_exception(text: str) -> None:
    """Control characters, other scripts, lone punctuation: no exception."""
    checker("tokyo-2025-championship").check(text, at_seq=400)
