"""Scenarios: TOML text to a validated spec, and a spec to its event stream (pure).

::

    parse_scenario(text, path)          -> RaceSpec | ChampionshipSpec   (or ScenarioInvalid)
    compile_race(spec, stream=...)      -> list[Event]
    compile_championship(spec, races)   -> list[Event]

Reading files and finding scenarios by id is the shell's job (``feed.io``).
"""

from __future__ import annotations

from feed.scenario.championship import compile_championship
from feed.scenario.compile import compile_race
from feed.scenario.interpolate import MonotoneCurve
from feed.scenario.locate import Locator, format_path, parse_path
from feed.scenario.model import ChampionshipSpec, RaceSpec
from feed.scenario.parse import decode_source, parse_scenario
from feed.scenario.validate import validate_race

__all__ = [
    "ChampionshipSpec",
    "Locator",
    "MonotoneCurve",
    "RaceSpec",
    "compile_championship",
    "compile_race",
    "decode_source",
    "format_path",
    "parse_path",
    "parse_scenario",
    "validate_race",
]
