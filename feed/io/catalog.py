"""The built-in scenarios: where they live and what each one is.

Scenario directories are searched in order: every directory in ``RACEFEED_SCENARIOS``
(``os.pathsep``-separated), then the copy packaged with a wheel (``feed/_scenarios``)
or, in a source checkout, the repository's ``scenarios/``. The first file with an id
wins. A broken file is listed with its error rather than breaking the listing.
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

import feed
from feed.codec import decode_events
from feed.errors import RacefeedError, ScenarioInvalid
from feed.events import RaceScheduled
from feed.scenario import RaceSpec, decode_source, parse_scenario

__all__ = [
    "ENV_VAR",
    "SUFFIXES",
    "CatalogEntry",
    "catalog",
    "catalog_signature",
    "find",
    "known_ids",
    "scenario_dirs",
]

ENV_VAR = "RACEFEED_SCENARIOS"
SUFFIXES = (".toml", ".jsonl")


class CatalogEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One scenario in the catalog; a broken file has ``kind`` "invalid" and its ``error``."""

    id: str
    title: str
    kind: str  # "race", "championship" or "invalid"
    path: str
    description: str = ""
    error: str | None = None


def scenario_dirs() -> list[Path]:
    """The directories searched for scenarios, in order."""
    dirs = [Path(item) for item in os.environ.get(ENV_VAR, "").split(os.pathsep) if item]
    package = Path(feed.__file__).resolve().parent
    packaged = package / "_scenarios"
    dirs.append(packaged if packaged.is_dir() else package.parent / "scenarios")
    return dirs


def _files() -> dict[str, Path]:
    """Scenario id -> file, the first directory that has the id winning."""
    found: dict[str, Path] = {}
    for directory in scenario_dirs():
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.suffix in SUFFIXES and path.is_file():
                found.setdefault(path.stem, path)
    return found


def find(scenario_id: str) -> Path | None:
    """The file of a catalog id, or None."""
    return _files().get(scenario_id)


def known_ids() -> list[str]:
    """Every catalog id, sorted."""
    return sorted(_files())


def catalog_signature() -> tuple[tuple[str, int, int], ...]:
    """What the catalog depends on: each scenario file, its modification time and size.

    Equal signatures mean an equal catalog (a cache keeps it until this changes).
    """
    signature = []
    for path in _files().values():
        try:
            stat = path.stat()
        except OSError:
            continue
        signature.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


def catalog() -> list[CatalogEntry]:
    """Every scenario in the catalog, sorted by id."""
    return [_entry(scenario_id, path) for scenario_id, path in sorted(_files().items())]


def _entry(scenario_id: str, path: Path) -> CatalogEntry:
    try:
        raw = path.read_bytes()
        if path.suffix == ".jsonl":
            return _log_entry(scenario_id, path, raw)
        spec = parse_scenario(decode_source(raw, str(path)), str(path))
    except (OSError, RacefeedError) as exc:
        return _broken(scenario_id, path, exc)
    kind = "race" if isinstance(spec, RaceSpec) else "championship"
    header = spec.scenario
    return CatalogEntry(
        id=header.id, title=header.title, kind=kind, path=str(path), description=header.description
    )


def _log_entry(scenario_id: str, path: Path, raw: bytes) -> CatalogEntry:
    events = decode_events(raw, str(path))
    races = list(dict.fromkeys(event.race for event in events))
    titles = [
        e.data.race.title for e in events if isinstance(e, RaceScheduled) and e.data.race.title
    ]
    title = titles[0] if len(races) == 1 and titles else events[0].stream
    kind = "race" if len(races) == 1 else "championship"
    return CatalogEntry(id=scenario_id, title=title, kind=kind, path=str(path))


def _broken(scenario_id: str, path: Path, exc: Exception) -> CatalogEntry:
    if isinstance(exc, ScenarioInvalid) and exc.errors:
        first = exc.errors[0].format()
        more = len(exc.errors) - 1
        message = first + (f" (and {more} more)" if more else "")
    else:
        message = f"cannot read {path}: {exc}"
    return CatalogEntry(
        id=scenario_id, title=f"invalid: {message}", kind="invalid", path=str(path), error=message
    )
