"""Claims are found where a report states a fact about the race, and only there."""

from __future__ import annotations

import pytest

from feed.check.model import Claim
from tests.check.checkkit import checker

TOKYO = "tokyo-2025-m1500-final"


def claims(text: str, scenario: str = TOKYO) -> list[Claim]:
    return checker(scenario).claims(text)


def summary(text: str, scenario: str = TOKYO) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.kind, c.athletes) for c in claims(text, scenario) if c.unresolved is None]


@pytest.mark.parametrize(
    ("text", "kind", "field", "value"),
    [
        ("Isaac Nader won in 3:34.10.", "won", "athletes", ("nader-isaac",)),
        ("Isaac Nader won in 3:34.10.", "time", "time_ms", 214_100),
        ("Wightman was second in 3:34.12.", "place", "place", 2),
        ("Reynold Cheruiyot took bronze.", "medal", "medal", "bronze"),
        ("Bronze went to Reynold Cheruiyot.", "medal", "athletes", ("cheruiyot-reynold",)),
        ("Nader beat Wightman by two hundredths.", "margin", "other", ("wightman-jake",)),
        ("Laros led at 400 m in 59.5.", "position", "distance_m", 400),
        ("Laros led at 400 m in 59.5.", "split", "time_ms", 59_500),
        ("T. Cheruiyot led at the bell.", "position", "distance_m", 1100),
        ("Wightman hit the front with 200 m to go.", "position", "distance_m", 1300),
        ("The third lap took about 55.5 seconds.", "lap", "lap", 3),
        ("Kerr tore his calf with 600 m to go.", "incident", "body_part", "calf"),
        ("Kerr tore his calf with 600 m to go.", "incident", "distance_m", 900),
        ("Kerr dropped out.", "stopped", "athletes", ("kerr-josh",)),
        ("Kerr did not start.", "did_not_start", "athletes", ("kerr-josh",)),
        ("Kerr was disqualified under TR17.1.2.", "disqualified", "rule", "17.1.2"),
        ("Portugal lodged a protest against Kerr.", "protest", "nation", "POR"),
        ("Kerr's time was corrected to 4:11.24.", "amended", "time_ms", 251_240),
        ("Laros set a Dutch record.", "record", "nation", "NED"),
        ("Nader ran a personal best.", "record", "record", "PB"),
        ("Nader and Wightman went to a photo finish.", "photo", "other", ("wightman-jake",)),
        ("The result is official.", "status", "status", "official"),
        ("At the World Championships in Tokyo, Nader won.", "competition", "competition", None),
        ("Portugal's Isaac Nader won.", "nation", "nation", "POR"),
        ("The 26-year-old Nader won.", "age", "age", 26),
        ("Fourteen men started the final.", "count", "count", 14),
        ("Portugal have the gold.", "medal", "nation", "POR"),
    ],
)
def test_each_kind_of_claim_is_found_with_its_parameters(
    text: str, kind: str, field: str, value: object
) -> None:
    """One sentence per kind the issue lists, with the parameter the judge needs."""
    found = [c for c in claims(text) if c.kind == kind]
    assert found, [(c.kind, c.text) for c in claims(text)]
    if value is not None:
        assert getattr(found[0], field) == value


@pytest.mark.parametrize(
    "text",
    [
        "Nader could win if he kicks early.",
        "Wightman was hoping to win.",
        "Kerr did not win.",
        "Kerr was the favourite to take gold.",
        "Laros missed the record.",
        "His first global medal came tonight.",
        "The third lap was a blur.",
        "Wightman was given the same time to the tenth.",
        "Spain had two men in the first four.",
        "Timothy Cheruiyot then pushed the pace.",
    ],
)
def test_hypotheses_negations_and_figures_of_speech_are_no_claims(text: str) -> None:
    """Could, hoping, not, missed, "first global medal", "to the tenth": nothing to judge."""
    assert summary(text) == []


def test_a_sentence_about_another_round_or_year_keeps_its_claims_unresolved() -> None:
    """Kerr's semi-final, the 2023 title: the checker abstains on them, saying why."""
    found = claims("Nader won in Tokyo. Kerr strained a calf in his semi-final. Kerr won in 2023.")
    later = [c for c in found if c.start >= 20]
    assert later and all(c.unresolved for c in later)
    assert "another round" in (later[0].unresolved or "")
    assert "2023" in (later[-1].unresolved or "")


def test_the_competition_named_first_frames_the_text_and_is_a_claim() -> None:
    """The headline's city and the lede's year frame the text; other places are background."""
    text = "# Kerr wins in Budapest\n\nKerr won on 23 August 2023.\n\nIn Tokyo he had won bronze."
    found = claims(text)
    frames = [c.competition for c in found if c.kind == "competition"]
    assert [(f.city, f.year) for f in frames if f] == [("budapest", None), (None, 2023)]
    tokyo = [c for c in found if c.start > text.index("In Tokyo")]
    assert all(c.unresolved for c in tokyo)


def test_he_is_the_athlete_of_the_sentence_before() -> None:
    """ "He" resolves to the previous sentence's first athlete, across paragraphs too."""
    found = [c for c in claims("Kerr was hurt.\n\nHe finished last.") if c.kind == "place"]
    assert found[0].athletes == ("kerr-josh",)


def test_the_object_of_a_pass_is_not_the_subject_of_the_next_verb() -> None:
    """In "Wightman passed Laros and led", Wightman leads."""
    [lead] = [c for c in claims("Wightman passed Laros and led at 1300 m.") if c.kind == "position"]
    assert lead.athletes == ("wightman-jake",)


def test_an_appositive_after_an_object_belongs_to_the_object() -> None:
    """ "just ahead of Laros, fifth in 3:34.52": Laros was fifth."""
    found = claims("T. Cheruiyot was fourth, just ahead of Laros, fifth in 3:34.52.")
    places = {c.athletes: c.place for c in found if c.kind == "place"}
    assert places == {("cheruiyot-timothy",): 4, ("laros-niels",): 5}


def test_the_portuguese_is_the_one_portuguese_athlete_and_the_kenyan_either_kenyan() -> None:
    """Nationality words name the athletes of that nation in the race."""
    assert summary("The Portuguese won.") == [("won", ("nader-isaac",))]
    assert summary("The Kenyan led at the bell.") == [
        ("position", ("cheruiyot-reynold", "cheruiyot-timothy"))
    ]


def test_an_age_descriptor_names_someone_only_where_the_feed_knows_the_age() -> None:
    """The feed knows Nader's birth date: "the 26-year-old" is Nader; "the 31-year-old" nobody."""
    assert summary("The 26-year-old won.") == [("won", ("nader-isaac",))]
    [unresolved] = claims("The 31-year-old won.")
    assert "age" in (unresolved.unresolved or "")


def test_a_name_not_on_the_start_list_is_an_unresolved_claim() -> None:
    """ "Ingebrigtsen was second" in a Tokyo 2025 text: the checker cannot know."""
    [claim] = claims("Ingebrigtsen was second.")
    assert claim.kind == "place" and "start list" in (claim.unresolved or "")
