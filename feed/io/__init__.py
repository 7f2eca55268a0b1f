"""The file shell around the scenario core: the catalog, loading, checking, writing logs."""

from __future__ import annotations

from feed.io.catalog import CatalogEntry, catalog, scenario_dirs
from feed.io.loading import (
    LoadedScenario,
    check_paths,
    load_path,
    load_scenario,
    validate_paths,
    write_events,
)

__all__ = [
    "CatalogEntry",
    "LoadedScenario",
    "catalog",
    "check_paths",
    "load_path",
    "load_scenario",
    "scenario_dirs",
    "validate_paths",
    "write_events",
]
