"""Load scenarios from files or catalog ids, check files, and write event files.

A scenario argument is a path (``.toml`` scenario or ``.jsonl`` event file) or a
catalog id. A championship's races are the ``<id>.toml`` files beside it; a race
that cannot be found is reported at the line of ``races`` that names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec

from feed.codec import decode_events, encode_events
from feed.errors import ScenarioError, ScenarioInvalid, UnknownScenario
from feed.events import Event, RaceScheduled
from feed.io.catalog import SUFFIXES, find, known_ids
from feed.scenario import (
    ChampionshipSpec,
    Locator,
    RaceSpec,
    compile_championship,
    compile_race,
    decode_source,
    parse_scenario,
)

__all__ = [
    "MAX_FILE_BYTES",
    "LoadedScenario",
    "check_paths",
    "load_path",
    "load_scenario",
    "validate_paths",
    "write_events",
]

MAX_FILE_BYTES = 64 * 2**20
"""The largest scenario or event file read (a championship of many races is a few MiB)."""


class LoadedScenario(msgspec.Struct, frozen=True, kw_only=True):
    """A scenario ready to replay: its compiled (or logged) events and what they hold."""

    id: str
    title: str
    kind: str  # "race" or "championship"
    path: str
    events: list[Event]
    races: list[str]  # the race ids in the stream, in the order the file gives them
    warnings: list[ScenarioError] = []  # worth saying, not stopping the load (a renamed file)


def load_scenario(arg: str) -> LoadedScenario:
    """Load a scenario named by a path or a catalog id.

    Raises:
        UnknownScenario: ``arg`` is neither an existing file nor a catalog id.
        ScenarioInvalid: the file has problems (all of them, located).
    """
    path = Path(arg)
    if path.is_file() and path.suffix in SUFFIXES:
        return load_path(arg)
    found = find(arg)
    if found is not None:
        return load_path(str(found))
    if path.is_file():
        return load_path(arg)  # reports what is wrong with the file
    raise UnknownScenario(arg, known_ids())


def load_path(name: str) -> LoadedScenario:
    """Load one ``.toml`` scenario or ``.jsonl`` event file, named as the user gave it.

    Raises:
        ScenarioInvalid: the file cannot be read or has problems.
    """
    path = Path(name)
    raw = _read(name)
    if path.suffix == ".jsonl":
        return _from_log(name, decode_events(raw, name))
    text = decode_source(raw, name)
    warnings: list[ScenarioError] = []
    spec = parse_scenario(text, name, warnings=warnings)
    if isinstance(spec, RaceSpec):
        header = spec.scenario
        events = compile_race(spec)
        return LoadedScenario(
            id=header.id,
            title=header.title,
            kind="race",
            path=name,
            events=events,
            races=[header.id],
            warnings=warnings,
        )
    races = _resolve_races(spec, name, text)
    try:
        events = compile_championship(spec, races)
    except ScenarioInvalid as exc:
        raise ScenarioInvalid(_in_file(exc.errors, spec.scenario.id, name, text)) from None
    return LoadedScenario(
        id=spec.scenario.id,
        title=spec.scenario.title,
        kind="championship",
        path=name,
        events=events,
        races=list(spec.scenario.races),
        warnings=warnings,
    )


def validate_paths(paths: Sequence[str]) -> list[ScenarioError]:
    """Every problem in every file (an unreadable or unsupported file is a problem too)."""
    return check_paths(paths)[0]


def check_paths(paths: Sequence[str]) -> tuple[list[ScenarioError], list[ScenarioError]]:
    """Every problem in every file, and every warning about the files that load."""
    errors: list[ScenarioError] = []
    warnings: list[ScenarioError] = []
    for name in paths:
        try:
            warnings += load_path(name).warnings
        except ScenarioInvalid as exc:
            errors.extend(exc.errors)
    return errors, warnings


def write_events(path: str | Path, events: Iterable[Event]) -> None:
    """Write events as a JSONL event file (one envelope a line)."""
    Path(path).write_bytes(encode_events(events))


def _read(name: str) -> bytes:
    """The file's bytes, or a ScenarioInvalid that says why there are none."""
    path = Path(name)
    expected = "expected a .toml scenario or a .jsonl event file"
    problem: str | None = None
    if path.is_dir():
        problem = f"is a directory; {expected}"
    elif path.suffix not in SUFFIXES:
        problem = f"{expected}, found {path.suffix or 'no suffix'}"
    elif not path.exists():
        problem = "no such file"
    elif not path.is_file():
        # A pipe would wait for ever, a device read without end.
        problem = f"is not a regular file (a pipe, a socket or a device); {expected}"
    if problem is None:
        try:
            with path.open("rb") as file:
                raw = file.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            problem = f"cannot read the file: {exc.strerror or exc}"
        else:
            if len(raw) <= MAX_FILE_BYTES:
                return raw
            problem = f"is larger than {MAX_FILE_BYTES // 2**20} MiB, the most a scenario may be"
    raise ScenarioInvalid([ScenarioError(name, problem)])


def _from_log(name: str, events: list[Event]) -> LoadedScenario:
    races = list(dict.fromkeys(event.race for event in events))
    titles = [
        e.data.race.title for e in events if isinstance(e, RaceScheduled) and e.data.race.title
    ]
    single = len(races) == 1
    return LoadedScenario(
        id=events[0].stream,
        title=titles[0] if single and titles else events[0].stream,
        kind="race" if single else "championship",
        path=name,
        events=events,
        races=races,
    )


def _in_file(
    errors: list[ScenarioError], scenario_id: str, name: str, text: str
) -> list[ScenarioError]:
    """Errors the core reported against a scenario id, moved to the file and its lines."""
    locator = Locator(text)
    return [
        ScenarioError(name, e.message, line=locator.line(e.field), field=e.field)
        if e.path == scenario_id and e.field is not None
        else e
        for e in errors
    ]


def _resolve_races(spec: ChampionshipSpec, name: str, text: str) -> dict[str, RaceSpec]:
    """Parse the race files a championship names, beside it; report each one that fails."""
    locator = Locator(text)
    folder = Path(name).parent
    races: dict[str, RaceSpec] = {}
    errors: list[ScenarioError] = []
    for index, race_id in enumerate(spec.scenario.races):
        field = f"scenario.races[{index}]"
        line = locator.line(field)
        race_path = folder / f"{race_id}.toml"
        if not race_path.is_file():
            message = f"race {race_id!r} not found: expected {race_path}"
            errors.append(ScenarioError(name, message, line=line, field=field))
            continue
        try:
            race = parse_scenario(
                decode_source(race_path.read_bytes(), str(race_path)), str(race_path)
            )
        except ScenarioInvalid as exc:
            message = f"race {race_id!r} has {len(exc.errors)} problem(s), listed under {race_path}"
            errors.append(ScenarioError(name, message, line=line, field=field))
            errors.extend(exc.errors)
            continue
        except OSError as exc:
            message = f"race {race_id!r}: cannot read {race_path}: {exc.strerror or exc}"
            errors.append(ScenarioError(name, message, line=line, field=field))
            continue
        if not isinstance(race, RaceSpec):
            message = f"{race_id!r} is a championship; expected a race"
            errors.append(ScenarioError(name, message, line=line, field=field))
            continue
        races[race_id] = race
    if errors:
        raise ScenarioInvalid(errors)
    return races
