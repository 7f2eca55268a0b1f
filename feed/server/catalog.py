"""Where a server gets its scenarios: the catalog on disk, or scenarios held in memory.

Clients name scenarios by catalog id only; a path is accepted from the command
line (``--session NAME=PATH``) but never over the socket, so no client can make the
server read a file of its choosing.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from feed.errors import UnknownScenario
from feed.events import Event
from feed.io import catalog, load_scenario
from feed.io.catalog import catalog_signature, find, known_ids

__all__ = [
    "CatalogScenarios",
    "LoadedScenario",
    "ScenarioInfo",
    "ScenarioSource",
    "StaticScenarios",
]


@dataclass(frozen=True, kw_only=True)
class ScenarioInfo:
    """One line of the catalog, as ``/v1/scenarios`` lists it."""

    id: str
    title: str
    kind: str
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class LoadedScenario:
    """A scenario ready to replay."""

    id: str
    title: str
    kind: str
    events: Sequence[Event] = field(repr=False)


class ScenarioSource(Protocol):
    """What the server needs from a scenario store."""

    def catalog(self) -> list[ScenarioInfo]:
        """Every scenario a client may name."""

    def load(self, scenario: str, *, trusted: bool = False) -> LoadedScenario:
        """Load a scenario; ``trusted`` (the command line) may also name a file.

        Raises:
            UnknownScenario: no such id (or, when trusted, no such file either).
            ScenarioInvalid: the scenario's file has problems.
        """


class CatalogScenarios:
    """The built-in catalog (``feed.io``), each scenario compiled once and kept."""

    def __init__(self) -> None:
        self._cache: dict[str, LoadedScenario] = {}
        self._lock = threading.Lock()  # loads run in worker threads
        self._listed: tuple[tuple[tuple[str, int, int], ...], list[ScenarioInfo]] | None = None

    def catalog(self) -> list[ScenarioInfo]:
        """Every valid scenario of the catalog (read again only when a file changed)."""
        signature = catalog_signature()
        listed = self._listed
        if listed is not None and listed[0] == signature:
            return listed[1]
        entries = [
            ScenarioInfo(id=e.id, title=e.title, kind=e.kind, description=e.description)
            for e in catalog()
            if e.kind != "invalid"
        ]
        self._listed = (signature, entries)
        return entries

    def load(self, scenario: str, *, trusted: bool = False) -> LoadedScenario:
        """Compile (or fetch from the cache) a catalog id; a file path only when trusted."""
        if not trusted and find(scenario) is None:
            raise UnknownScenario(scenario, known_ids())
        with self._lock:
            cached = self._cache.get(scenario)
            if cached is not None:
                return cached
            loaded = load_scenario(scenario)
            log = LoadedScenario(
                id=loaded.id, title=loaded.title, kind=loaded.kind, events=loaded.events
            )
            self._cache[scenario] = log
            return log


class StaticScenarios:
    """Scenarios held in memory, for tests and for embedding racefeed in another program."""

    def __init__(self, scenarios: Mapping[str, LoadedScenario] | Sequence[LoadedScenario]) -> None:
        items = scenarios.values() if isinstance(scenarios, Mapping) else scenarios
        self._scenarios = {scenario.id: scenario for scenario in items}

    def catalog(self) -> list[ScenarioInfo]:
        """Every scenario held, by id."""
        return [
            ScenarioInfo(id=held.id, title=held.title, kind=held.kind)
            for held in sorted(self._scenarios.values(), key=lambda held: held.id)
        ]

    def load(self, scenario: str, *, trusted: bool = False) -> LoadedScenario:
        """The scenario with that id."""
        try:
            return self._scenarios[scenario]
        except KeyError:
            raise UnknownScenario(scenario, sorted(self._scenarios)) from None
