"""Set structural problems aside, so that the meaning of the rest of a file is checked too.

An author fixing a file wants every problem at once. The structural pass stops the
file from becoming a spec; ``set_aside`` gives the meaning pass something to check
anyway: an unknown key is dropped, a bad optional value falls back to its default,
and a bad required value is stood in for by a placeholder of the right type. The
meaning pass's problems that touch what was set aside (its path, or a placeholder
value in a message) are left out: they would be about the stand-in, not the file.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import msgspec
import msgspec.inspect as mi

from feed.scenario.locate import PathPart
from feed.scenario.problem import Problem

__all__ = ["SetAside", "set_aside"]

_Path = tuple[PathPart, ...]
PLACEHOLDER = "set-aside"  # a stand-in string: a real id, name or time never reads so


class SetAside(msgspec.Struct, frozen=True):
    """A file's data with its structural problems set aside, and where they were."""

    data: dict[str, object]
    paths: list[_Path]
    marks: list[str]  # how the stand-ins read, to recognise them in messages

    def concerns(self, problem: Problem) -> bool:
        """Whether ``problem`` is about something set aside (or a stand-in for it)."""
        at = problem.at
        if any(at[: len(path)] == path or path[: len(at)] == at for path in self.paths):
            return True
        return any(mark in problem.message for mark in self.marks)


def set_aside(
    data: dict[str, object], problems: Sequence[Problem], target: type[msgspec.Struct]
) -> SetAside | None:
    """``data`` with each problem's value set aside; ``None`` if no spec can come of it."""
    fixed = copy.deepcopy(data)
    paths: list[_Path] = []
    marks: list[str] = []
    for number, problem in enumerate(problems):
        path = problem.at
        if not path:
            return None
        parent = _at(fixed, path[:-1])
        key = path[-1]
        info = _field_info(target, path)
        if not isinstance(parent, dict | list):
            return None
        if isinstance(parent, dict) and (info is None or not info[1]):
            parent.pop(key, None)  # unknown, or optional: its default stands in
        elif info is not None:
            stand_in = _stand_in(info[0], number)
            if stand_in is None:
                return None
            _put(parent, key, stand_in)
            marks.append(str(stand_in))
        else:
            return None
        paths.append(path)
    try:
        msgspec.convert(fixed, target)
    except msgspec.ValidationError:
        return None
    return SetAside(fixed, paths, marks)


def _put(parent: dict[str, object] | list[object], key: PathPart, value: object) -> None:
    if isinstance(parent, dict):
        parent[str(key)] = value
    elif isinstance(key, int):
        parent[key] = value


def _at(value: object, path: _Path) -> object:
    for part in path:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return None
    return value


def _field_info(target: type[msgspec.Struct], path: _Path) -> tuple[mi.Type, bool] | None:
    """The type of the field at ``path`` and whether it is required (``None``: no such field)."""
    info: mi.Type = mi.type_info(target)
    required = False
    for part in path:
        info = _without_none(info)
        if isinstance(info, mi.StructType) and isinstance(part, str):
            found = next((f for f in info.fields if f.encode_name == part), None)
            if found is None:
                return None
            info, required = found.type, found.required
        elif isinstance(info, mi.ListType) and isinstance(part, int):
            info, required = info.item_type, True
        elif isinstance(info, mi.DictType):
            info, required = info.value_type, True
        else:
            return None
    return info, required


def _without_none(info: mi.Type) -> mi.Type:
    if isinstance(info, mi.UnionType):
        members = [m for m in info.types if not isinstance(m, mi.NoneType)]
        if len(members) == 1:
            return members[0]
    return info


def _stand_in(info: mi.Type, number: int) -> object:
    """A value of ``info``'s type that no author would write, or ``None`` for none."""
    info = _without_none(info)
    if isinstance(info, mi.IntType):
        top = info.le if info.le is not None else (info.lt - 1 if info.lt is not None else 10**9)
        bottom = info.ge if info.ge is not None else (info.gt + 1 if info.gt is not None else 0)
        value = top - 7 - number
        return value if value >= bottom else None
    if isinstance(info, mi.StrType):
        return None if info.pattern is not None else f"{PLACEHOLDER}-{number}"
    if isinstance(info, mi.ListType):
        return []
    if isinstance(info, mi.DictType):
        return {}
    return None
