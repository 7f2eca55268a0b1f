"""Each claim is supported, contradicted with what the feed says and the seq, or not checkable."""

from __future__ import annotations

import pytest

from feed.check import Report
from tests.check.checkkit import checker, events, only, verdicts

TOKYO = "tokyo-2025-m1500-final"


def check(text: str, scenario: str = TOKYO, *, at_seq: int | None = None) -> Report:
    return checker(scenario).check(text, at_seq=at_seq)


def seq_of(scenario: str, event_type: str, **data: object) -> int:
    for event in events(scenario):
        if event.type == event_type and all(getattr(event.data, k) == v for k, v in data.items()):
            return event.seq
    raise LookupError(event_type)


@pytest.mark.parametrize(
    ("text", "kind", "verdict"),
    [
        ("Nader won.", "won", "supported"),
        ("Wightman won.", "won", "contradicted"),
        ("Wightman was second.", "place", "supported"),
        ("Laros was fourth.", "place", "contradicted"),
        ("Kerr finished last.", "place", "supported"),
        ("Nader won in 3:34.10.", "time", "supported"),
        ("Nader won in 3:34.1.", "time", "supported"),
        ("Nader won in 3:34.20.", "time", "contradicted"),
        ("Nader won in 3:34.094.", "time", "supported"),
        ("Nader won in 3:34.095.", "time", "contradicted"),
        ("Nader beat Wightman by two hundredths.", "margin", "supported"),
        ("Nader beat Wightman by a tenth.", "margin", "contradicted"),
        ("Wightman beat Nader by two hundredths.", "margin", "contradicted"),
        ("Reynold Cheruiyot took bronze.", "medal", "supported"),
        ("Timothy Cheruiyot took bronze.", "medal", "contradicted"),
        ("Laros led at 400 m in 59.5.", "split", "supported"),
        ("Laros led at 400 m in 58.5.", "split", "contradicted"),
        ("Nader was seventh at the bell.", "position", "supported"),
        ("Nader was fifth at the bell.", "position", "contradicted"),
        ("The third lap took about 55.5 seconds.", "lap", "supported"),
        ("The third lap took 52.5 seconds.", "lap", "contradicted"),
        ("Wightman passed T. Cheruiyot with 200 m to go.", "passed", "supported"),
        ("Nader passed Wightman with 300 m to go.", "passed", "contradicted"),
        ("Kerr tore his calf with about 600 m to go.", "incident", "supported"),
        ("Kerr tore his hamstring.", "incident", "contradicted"),
        ("Kerr fell.", "incident", "contradicted"),
        ("Kerr was hurt with 100 m to go.", "incident", "contradicted"),
        ("Wightman tore his calf.", "incident", "contradicted"),
        ("Riva was jostled.", "incident", "not_checkable"),
        ("Kerr dropped out.", "stopped", "contradicted"),
        ("Kerr did not start.", "did_not_start", "contradicted"),
        ("Fourteen men started the final.", "count", "supported"),
        ("Twelve men started the final.", "count", "contradicted"),
        ("Isaac Nader of Portugal won.", "nation", "supported"),
        ("Isaac Nader of Spain won.", "nation", "contradicted"),
        ("The 26-year-old Nader won.", "age", "supported"),
        ("The 27-year-old Nader won.", "age", "contradicted"),
        ("The 31-year-old Wightman was second.", "age", "not_checkable"),
        ("Nader set a personal best.", "record", "not_checkable"),
        ("Nader set a championship record.", "record", "contradicted"),
        ("The result was made official.", "status", "supported"),
        ("A protest was lodged against Nader.", "protest", "contradicted"),
        ("Nader and Wightman were separated by the photo finish.", "photo", "supported"),
    ],
)
def test_a_claim_of_each_kind_is_judged_against_the_final_state(
    text: str, kind: str, verdict: str
) -> None:
    """Supported where the feed agrees, contradicted where it disagrees, else not checkable."""
    assert only(check(text), kind).verdict.verdict == verdict


def test_a_contradiction_says_what_the_feed_says_and_the_seq_that_shows_it() -> None:
    """A time off by a tenth: the feed's time, and the seq of the photo that set it."""
    verdict = only(check("Nader won in 3:34.20."), "time").verdict
    assert verdict.feed_says == "Isaac Nader ran 3:34.10"
    assert verdict.evidence_seq == seq_of(TOKYO, "photo_finish_resolved")


def test_a_leader_at_the_bell_is_supported_when_posted_at_the_bell_though_he_finished_fourth() -> (
    None
):
    """Time-aware: "[2:42] Cheruiyot leads" is judged at 2:42, not with hindsight."""
    report = check("[2:42] T. Cheruiyot leads.")
    assert only(report, "position").verdict.verdict == "supported"
    assert "race time [2:42]" in only(report, "position").verdict.judged_at
    unstamped = check("T. Cheruiyot leads.")
    assert only(unstamped, "position").verdict.verdict == "contradicted"


def test_a_result_stamped_before_it_happened_is_not_checkable_rather_than_wrong() -> None:
    """At race time 2:00 nobody has finished: "Nader wins" cannot be judged yet."""
    assert only(check("[2:00] Nader wins."), "won").verdict.verdict == "not_checkable"


def test_a_status_claimed_before_the_feed_gave_it_is_contradicted() -> None:
    """At 22:22 venue time the result was not official yet (it was at 22:30)."""
    assert only(check("22:22 The result is official."), "status").verdict.verdict == "contradicted"
    assert only(check("22:30 The result is official."), "status").verdict.verdict == "supported"


def test_at_seq_judges_unstamped_text_as_a_reader_at_that_seq_would() -> None:
    """Before the photo is resolved, Wightman's reading puts him second: a time claim holds then."""
    before_finish = seq_of(TOKYO, "athlete_finished", athlete_id="nader-isaac") - 1
    assert only(check("Nader won.", at_seq=before_finish), "won").verdict.verdict == "not_checkable"
    report = check("Nader won.", at_seq=before_finish + 1)
    assert only(report, "won").verdict.verdict == "supported"
    assert report.final_seq == before_finish + 1


def test_an_ambiguous_surname_is_supported_if_one_athlete_fits_and_contradicted_if_none() -> None:
    """ "Cheruiyot led at the bell" (Timothy did); "Cheruiyot won" (neither did)."""
    assert only(check("Cheruiyot led at the bell."), "position").verdict.verdict == "supported"
    won = only(check("Cheruiyot won."), "won").verdict
    assert (
        won.verdict == "contradicted" and "Reynold" in won.feed_says and "Timothy" in won.feed_says
    )


def test_a_dead_heat_and_a_photo_split_at_the_thousandth_are_told_apart() -> None:
    """Esempio and Beispiel shared bronze; Eksempel and Esimerkki were split by 3 thousandths."""
    dead = only(check("Esempio and Beispiel dead-heated.", "edge-dead-heat-bronze"), "photo")
    assert dead.verdict.verdict == "supported"
    split = only(
        check("Eksempel and Esimerkki dead-heated.", "edge-separated-at-thousandths"), "photo"
    )
    assert split.verdict.verdict == "contradicted" and "3:35.101" in split.verdict.feed_says


def test_a_disqualification_its_rule_and_the_protest_are_judged() -> None:
    """Sample was disqualified under TR17.1.2 after Portugal's protest was upheld."""
    text = (
        "Portugal protested against Sample and the protest was upheld. "
        "Sample was disqualified under rule TR17.1.2."
    )
    report = check(text, "edge-medallist-disqualified")
    assert [(k, v) for k, _, v in verdicts(report)] == [
        ("protest", "supported"), ("disqualified", "supported")
    ]  # fmt: skip
    assert "upheld" in only(report, "protest").verdict.feed_says
    wrong = check("Sample was disqualified under TR17.2.1.", "edge-medallist-disqualified")
    assert only(wrong, "disqualified").verdict.verdict == "contradicted"


def test_a_dq_medallist_crossed_the_line_second_but_was_not_placed_second() -> None:
    """ "Crossed the line second" is the order at the line; "was second" the result."""
    crossed = only(check("Sample crossed the line second.", "edge-medallist-disqualified"), "place")
    placed = only(check("Sample was second.", "edge-medallist-disqualified"), "place")
    assert (crossed.verdict.verdict, placed.verdict.verdict) == ("supported", "contradicted")


def test_an_amended_time_is_judged_at_the_time_in_force() -> None:
    """Primer's time was corrected to 3:35.49; the first reading (3:35.41) no longer holds."""
    amended = check("Primer's time was corrected to 3:35.49.", "edge-amended-time")
    assert only(amended, "amended").verdict.verdict == "supported"
    old = check("Primer ran 3:35.41.", "edge-amended-time")
    assert only(old, "time").verdict.verdict == "contradicted"
    first = seq_of("edge-amended-time", "result_amended") - 1
    assert (
        only(
            check("Primer ran 3:35.41.", "edge-amended-time", at_seq=first), "time"
        ).verdict.verdict
        == "supported"
    )


def test_the_medal_table_of_a_championship_is_judged() -> None:
    """Kenya top the table; Spain do not."""
    scenario = "tokyo-2025-championship"
    assert (
        only(check("Kenya top the medal table.", scenario), "medal_table").verdict.verdict
        == "supported"
    )
    assert (
        only(check("Spain top the medal table.", scenario), "medal_table").verdict.verdict
        == "contradicted"
    )
    assert (
        only(check("Kenya have three medals.", scenario), "medal_table").verdict.verdict
        == "supported"
    )


def test_a_dns_and_a_dnf_after_a_fall_are_judged() -> None:
    """Tusaale did not start; Dæmi fell at 700 m and did not finish; Mithal finished."""
    scenario = "edge-dns-and-fall-dnf"
    report = check("Tusaale did not start. Dæmi fell at 700 m and did not finish.", scenario)
    assert {v for _, _, v in verdicts(report)} == {"supported"}
    assert (
        only(check("Mithal did not finish.", scenario), "stopped").verdict.verdict == "contradicted"
    )
