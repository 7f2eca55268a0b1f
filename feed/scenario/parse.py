"""Scenario text to a validated spec, or every problem in it, each with its line.

Three passes, each reporting all it finds: TOML syntax (tomllib), then structure
(every table against its Struct, field by field), then meaning (``validate``). A
later pass runs only when the earlier ones found nothing, since it needs their
result; within a pass nothing stops at the first problem.

The file name is the scenario's id: the catalog and a championship find scenarios
by it. So in ``my-race.toml`` the id is ``my-race`` whatever ``[scenario] id`` says
(it may be left out). A different ``id`` is a warning, not an error, so that a copied
or renamed file still loads. A file whose name is not a valid id keeps its own.
"""

from __future__ import annotations

import re
import tomllib
from typing import Final

import msgspec

from feed.errors import ScenarioError, ScenarioInvalid
from feed.scenario.locate import Locator, parse_path
from feed.scenario.model import ChampionshipSpec, RaceSpec
from feed.scenario.problem import Problem, to_errors
from feed.scenario.repair import set_aside
from feed.scenario.structure import check_structure, describe
from feed.scenario.validate import validate_championship, validate_race

__all__ = ["decode_source", "parse_scenario"]

_KINDS: Final[dict[str, type[RaceSpec] | type[ChampionshipSpec]]] = {
    "race": RaceSpec,
    "championship": ChampionshipSpec,
}
_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = re.compile(r"\s*\(at end of document\)$")
_MSGSPEC_WHERE = re.compile(r"\s*- at `\$(.*)`$")
_PLAIN_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # the pattern of ScenarioId


def decode_source(raw: bytes, path: str) -> str:
    """Scenario bytes as text (UTF-8, an optional BOM dropped).

    Raises:
        ScenarioInvalid: the bytes are not UTF-8, located at the line of the first bad byte.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"expected UTF-8 text, found byte 0x{raw[exc.start]:02x} at column {column}"
        raise ScenarioInvalid([ScenarioError(path, message, line=line)]) from None


def parse_scenario(
    text: str, path: str, *, warnings: list[ScenarioError] | None = None
) -> RaceSpec | ChampionshipSpec:
    """Parse and check a scenario file's text; ``path`` names it in messages and gives its id.

    Args:
        text: the file's text.
        path: the file as the user named it; a ``.toml`` name is the scenario's id.
        warnings: where to add what is worth saying but does not stop the file
            loading (an ``id`` that differs from the file name).

    Raises:
        ScenarioInvalid: with every problem found, each located by line and field.
    """
    raw = _load_toml(text, path)
    locator = Locator(text)
    said = _id_from_file_name(raw, path)
    if said is not None and warnings is not None:
        warnings += to_errors([said], path, locator)
    problems, target, checked = _choose_kind(raw)
    problems += check_structure(checked, target)
    if problems:
        problems += _meaning_of_the_rest(checked, problems, target)
        raise ScenarioInvalid(to_errors(problems, path, locator))
    try:
        spec = msgspec.convert(raw, target)
    except msgspec.ValidationError as exc:
        # The structural check should have caught this; still say where it is.
        raise ScenarioInvalid(to_errors([_from_msgspec(exc)], path, locator)) from None
    problems = validate_race(spec) if isinstance(spec, RaceSpec) else validate_championship(spec)
    if problems:
        raise ScenarioInvalid(to_errors(problems, path, locator))
    return spec


def _load_toml(text: str, path: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line: int | None = None
        where = _TOML_WHERE.search(message)
        if where is not None:
            line = int(where.group(1))
            message = f"{message[: where.start()]} (column {where.group(2)})"
        elif (end := _TOML_END.search(message)) is not None:
            line = max(1, len(text.splitlines()))
            message = f"{message[: end.start()]} (at the end of the file)"
        error = ScenarioError(path, f"invalid TOML: {message}", line=line)
        raise ScenarioInvalid([error]) from None
    except RecursionError:
        error = ScenarioError(path, "invalid TOML: values nested too deeply")
        raise ScenarioInvalid([error]) from None


def _meaning_of_the_rest(
    data: dict[str, object],
    problems: list[Problem],
    target: type[RaceSpec] | type[ChampionshipSpec],
) -> list[Problem]:
    """The meaning pass over what the structural problems leave standing (see ``repair``)."""
    aside = set_aside(data, problems, target)
    if aside is None:
        return []
    spec = msgspec.convert(aside.data, target)
    found = validate_race(spec) if isinstance(spec, RaceSpec) else validate_championship(spec)
    return [problem for problem in found if not aside.concerns(problem)]


def _choose_kind(
    raw: dict[str, object],
) -> tuple[list[Problem], type[RaceSpec] | type[ChampionshipSpec], dict[str, object]]:
    """Pick the Struct to check against from ``scenario.kind``; report a kind that is neither."""
    header = raw.get("scenario")
    if not isinstance(header, dict) or "kind" not in header:
        return [], RaceSpec, raw
    kind = header["kind"]
    if isinstance(kind, str) and kind in _KINDS:
        return [], _KINDS[kind], raw
    problem = Problem(
        ("scenario", "kind"), f"expected 'race' or 'championship', found {describe(kind)}"
    )
    # Check the rest as a race, so that one bad kind does not hide every other problem.
    return [problem], RaceSpec, {**raw, "scenario": {**header, "kind": "race"}}


def _id_from_file_name(raw: dict[str, object], path: str) -> Problem | None:
    """Make the file name the id (in ``raw``); a warning when the file said otherwise."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    header = raw.get("scenario")
    if not name.endswith(".toml") or not isinstance(header, dict):
        return None
    stem = name[: -len(".toml")]
    if _PLAIN_ID.fullmatch(stem) is None:
        return None
    given = header.get("id")
    header["id"] = stem
    if given is None or given == stem:
        return None
    message = (
        f"the file name is the id: {stem!r}, not {describe(given)} "
        f"(rename the file to use that id, or change id to {stem!r})"
    )
    return Problem(("scenario", "id"), message)


def _from_msgspec(exc: msgspec.ValidationError) -> Problem:
    message = str(exc)
    where = _MSGSPEC_WHERE.search(message)
    if where is None:
        return Problem((), message)
    return Problem(parse_path(where.group(1)), message[: where.start()])
