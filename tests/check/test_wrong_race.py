"""A text about the wrong race (the right athletes, another year) is flagged where the results
differ, and the checker abstains on what it cannot know."""

from __future__ import annotations

import tomllib
from pathlib import Path

from feed.cli import main
from tests.check.checkkit import checker

CORPUS = Path(__file__).parent / "corpus"


def text_of(name: str) -> str:
    text: str = tomllib.loads((CORPUS / f"{name}.toml").read_text(encoding="utf-8"))["text"]
    return text


def test_a_budapest_2023_report_checked_against_tokyo_2025_flags_what_differs() -> None:
    """Kerr did not win Tokyo, Nader was not twelfth there, and the text names Budapest 2023."""
    report = checker("tokyo-2025-m1500-final").check(text_of("budapest-2023-report"))
    contradicted = {
        (j.claim.kind, j.claim.text) for j in report.claims if j.verdict.verdict == "contradicted"
    }
    assert ("won", "Josh Kerr won") in contradicted
    assert ("place", "Isaac Nader of Portugal was twelfth") in contradicted
    assert ("count", "Twelve") in contradicted
    frames = [j for j in report.claims if j.claim.kind == "competition"]
    assert frames and all(j.verdict.verdict == "contradicted" for j in frames)
    assert "Tokyo" in frames[0].verdict.feed_says


def test_it_abstains_on_athletes_and_records_the_feed_does_not_hold() -> None:
    """Ingebrigtsen, Kipsang and Nuguse did not run in Tokyo 2025; it holds no Dutch record."""
    report = checker("tokyo-2025-m1500-final").check(text_of("budapest-2023-report"))
    absent = ("Ingebrigtsen", "Kipsang", "Nuguse", "Nordås")
    about_absent = [
        j for j in report.claims
        if any(name in j.claim.named for name in absent)
    ]  # fmt: skip
    assert about_absent
    assert {j.verdict.verdict for j in about_absent} == {"not_checkable"}
    [dutch] = [j for j in report.claims if j.claim.kind == "record" and j.claim.record == "NR"]
    assert dutch.verdict.verdict == "not_checkable"
    assert "no national record" in dutch.verdict.feed_says


def test_nothing_in_a_wrong_race_text_is_supported_that_the_feed_does_not_say() -> None:
    """What it supports holds in Tokyo too (Nader runs for Portugal)."""
    report = checker("tokyo-2025-m1500-final").check(text_of("budapest-2023-report"))
    supported = [
        (j.claim.kind, j.claim.text) for j in report.claims if j.verdict.verdict == "supported"
    ]
    assert supported == [("nation", "Isaac Nader of Portugal")]


def test_racefeed_check_exits_1_on_the_wrong_race(tmp_path: Path) -> None:
    """The command gates a publish step: a wrong-race article fails it."""
    article = tmp_path / "budapest.md"
    article.write_text(text_of("budapest-2023-report"), encoding="utf-8")
    assert main(["check", str(article), "--against", "tokyo-2025-m1500-final", "--json"]) == 1
    assert main(["check", str(article), "--against", "budapest-2023-m1500-final", "--json"]) == 0
