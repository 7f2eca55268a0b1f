"""A problem found in a scenario, before it is tied to a file and a line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import msgspec

from feed.errors import ScenarioError
from feed.scenario.locate import Locator, PathPart, format_path

__all__ = ["Problem", "suggest", "to_errors"]


class Problem(msgspec.Struct, frozen=True):
    """What is wrong (``message``) and at which field path (``at``)."""

    at: tuple[PathPart, ...]
    message: str


def suggest(name: str, choices: Iterable[str]) -> str:
    """A ``" (did you mean 'x'?)"`` hint for a misspelt name, or ``""`` when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def to_errors(
    problems: Sequence[Problem], path: str, locator: Locator | None = None
) -> list[ScenarioError]:
    """Located errors: the file, the line of each field (when the text is known) and the field."""
    return [
        ScenarioError(
            path,
            problem.message,
            line=locator.line(problem.at) if locator is not None and problem.at else None,
            field=format_path(problem.at) or None,
        )
        for problem in problems
    ]
