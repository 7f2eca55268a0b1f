"""Small scenario texts for tests, and helpers to find lines and problems in them."""

from __future__ import annotations

from feed.errors import ScenarioError, ScenarioInvalid
from feed.scenario import ChampionshipSpec, RaceSpec, parse_scenario

PATH = "test-race.toml"

HEADER = """\
[scenario]
id = "test-race"
title = "Test race"
kind = "race"
split_every_m = 100
lead_in_s = 30

[race]
championship = "Test Championships"
event = "Men's 1500 metres"
round = "Final"
venue = "Test Stadium"
scheduled_start = 2025-09-17T22:20:00+09:00
gun = 2025-09-17T22:20:40+09:00
distance_m = 1500
"""


def athlete(
    bib: int | str, athlete_id: str, outcome: str = 'finish = "3:35.000"', extra: str = ""
) -> str:
    """An ``[[athletes]]`` table; ``outcome`` is the finish, dnf or dns line."""
    text = f"""
[[athletes]]
bib = {bib}
id = "{athlete_id}"
name = "{athlete_id.title()}"
nation = "GBR"
{outcome}
"""
    return text + (extra + "\n" if extra else "")


TWO = athlete(1, "ann", 'finish = "3:34.100"') + athlete(2, "bea", 'finish = "3:35.200"')


def race(*sections: str, header: str = HEADER) -> str:
    """A race file: the header, then the sections (two finishers when none are given)."""
    return header + ("".join(sections) if sections else TWO)


def parse(text: str, path: str = PATH) -> RaceSpec | ChampionshipSpec:
    return parse_scenario(text, path)


def parse_race(text: str, path: str = PATH) -> RaceSpec:
    spec = parse_scenario(text, path)
    assert isinstance(spec, RaceSpec)
    return spec


def problems(text: str, path: str = PATH) -> list[ScenarioError]:
    """The errors parsing ``text`` reports (the test fails if it reports none)."""
    try:
        parse_scenario(text, path)
    except ScenarioInvalid as exc:
        return exc.errors
    raise AssertionError("expected the scenario to be invalid")


def only(text: str, path: str = PATH) -> ScenarioError:
    """The single error in ``text``."""
    found = problems(text, path)
    assert len(found) == 1, [e.format() for e in found]
    return found[0]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} (occurrence {occurrence}) not in the text")
