"""Check parsed TOML against a Struct field by field, reporting every problem at once.

``msgspec.convert`` stops at the first error; an author fixing a file wants all of
them. This walks the Struct's type information (``msgspec.inspect``) and reports each
unknown key (with a close name when there is one), each wrong-typed or out-of-range
value (what was found and what was expected) and each missing required field.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time

import msgspec
import msgspec.inspect as mi

from feed.scenario.locate import PathPart
from feed.scenario.problem import Problem, suggest

__all__ = ["check_structure", "describe"]

_Path = tuple[PathPart, ...]

# Friendlier words for the patterns the model uses.
_PATTERNS = {r"^[a-z0-9][a-z0-9-]*$": "made of lowercase letters, digits and hyphens"}


def check_structure(value: object, target: type[msgspec.Struct]) -> list[Problem]:
    """Every way ``value`` (as tomllib gave it) fails to fit ``target``."""
    problems: list[Problem] = []
    _check(value, _type_info(target), (), problems)
    return problems


@functools.cache
def _type_info(target: type[msgspec.Struct]) -> mi.Type:
    # Inspecting a Struct walks its whole type tree: once per target, not once per file.
    return mi.type_info(target)


def describe(value: object) -> str:
    """Name a TOML value for a message: ``string 'abc'``, ``integer 5``, ``table``."""
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"float {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    if isinstance(value, datetime):
        kind = "offset date-time" if value.tzinfo is not None else "local date-time"
        return f"{kind} {value.isoformat()}"
    if isinstance(value, date):
        return f"date {value.isoformat()}"
    if isinstance(value, time):
        return f"local time {value.isoformat()}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__


def _check(value: object, info: mi.Type, path: _Path, out: list[Problem]) -> None:
    if isinstance(info, mi.StructType):
        _check_struct(value, info, path, out, skip=None)
    elif isinstance(info, mi.UnionType):
        _check_union(value, info, path, out)
    elif isinstance(info, mi.ListType):
        _check_list(value, info, path, out)
    elif isinstance(info, mi.DictType):
        _check_dict(value, info, path, out)
    else:
        problem = _scalar_problem(value, info)
        if problem is not None:
            out.append(Problem(path, problem))


def _check_struct(
    value: object, info: mi.StructType, path: _Path, out: list[Problem], skip: str | None
) -> None:
    if not isinstance(value, dict):
        out.append(Problem(path, f"expected a table, found {describe(value)}"))
        return
    names = [field.encode_name for field in info.fields]
    for key in value:
        if key not in names and key != skip:
            # The shared "synthetic" goes last: the table's own fields matter more.
            listed = sorted(names, key=lambda name: name == "synthetic")
            hint = suggest(key, names) or f" (expected one of: {', '.join(listed)})"
            out.append(Problem((*path, key), f"unknown field {key!r}{hint}"))
    for field in info.fields:
        if field.encode_name in value:
            _check(value[field.encode_name], field.type, (*path, field.encode_name), out)
        elif field.required:
            out.append(Problem((*path, field.encode_name), "missing required field"))


def _check_union(value: object, info: mi.UnionType, path: _Path, out: list[Problem]) -> None:
    members = [member for member in info.types if not isinstance(member, mi.NoneType)]
    tagged = [m for m in members if isinstance(m, mi.StructType) and m.tag_field is not None]
    if tagged and len(tagged) == len(members):
        _check_tagged(value, tagged, path, out)
        return
    if len(members) == 1:
        _check(value, members[0], path, out)
        return
    for member in members:
        attempt: list[Problem] = []
        _check(value, member, path, attempt)
        if not attempt:
            return
    expected = " or ".join(_expected(member) for member in members)
    out.append(Problem(path, f"expected {expected}, found {describe(value)}"))


def _check_tagged(
    value: object, members: list[mi.StructType], path: _Path, out: list[Problem]
) -> None:
    if not isinstance(value, dict):
        out.append(Problem(path, f"expected a table, found {describe(value)}"))
        return
    tag_field = members[0].tag_field or "type"
    by_tag = {str(member.tag): member for member in members}
    choices = ", ".join(by_tag)
    tag = value.get(tag_field)
    if tag is None:
        out.append(Problem((*path, tag_field), f"missing required field (one of: {choices})"))
        return
    if not isinstance(tag, str) or tag not in by_tag:
        hint = suggest(tag, by_tag) if isinstance(tag, str) else ""
        found = describe(tag)
        message = f"unknown {tag_field} {found}{hint}; expected one of: {choices}"
        out.append(Problem((*path, tag_field), message))
        return
    _check_struct(value, by_tag[tag], path, out, skip=tag_field)


def _check_list(value: object, info: mi.ListType, path: _Path, out: list[Problem]) -> None:
    if not isinstance(value, list):
        out.append(Problem(path, f"expected {_expected(info)}, found {describe(value)}"))
        return
    if info.min_length is not None and len(value) < info.min_length:
        message = f"expected at least {info.min_length} entries, found {len(value)}"
        if info.min_length == 1:
            message = "expected at least one entry, found none"
        out.append(Problem(path, message))
    for index, item in enumerate(value):
        _check(item, info.item_type, (*path, index), out)


def _check_dict(value: object, info: mi.DictType, path: _Path, out: list[Problem]) -> None:
    if not isinstance(value, dict):
        out.append(Problem(path, f"expected a table, found {describe(value)}"))
        return
    for key, item in value.items():
        _check(item, info.value_type, (*path, str(key)), out)


def _scalar_problem(value: object, info: mi.Type) -> str | None:
    """What is wrong with a scalar, or None when it fits."""
    found = describe(value)
    if isinstance(info, mi.StrType):
        if not isinstance(value, str):
            return f"expected {_expected(info)}, found {found}"
        return _string_range(value, info)
    if isinstance(info, mi.IntType):
        if not isinstance(value, int) or isinstance(value, bool):
            return f"expected {_expected(info)}, found {found}"
        if not _in_bounds(value, info):
            return f"expected {_expected(info)}, found {found}"
        return None
    if isinstance(info, mi.FloatType):
        if not isinstance(value, int | float) or isinstance(value, bool):
            return f"expected a number, found {found}"
        return None
    if isinstance(info, mi.BoolType):
        return None if isinstance(value, bool) else f"expected true or false, found {found}"
    if isinstance(info, mi.LiteralType):
        if value in info.values and type(value) in {type(v) for v in info.values}:
            return None
        hint = suggest(value, [str(v) for v in info.values]) if isinstance(value, str) else ""
        return f"expected {_expected(info)}, found {found}{hint}"
    if isinstance(info, mi.DateTimeType):
        if not isinstance(value, datetime):
            return f"expected {_expected(info)}, found {found}"
        if info.tz and value.tzinfo is None:
            return f"expected a date-time with a UTC offset (like {_EXAMPLE_DT}), found {found}"
        return None
    if isinstance(info, mi.DateType):
        ok = isinstance(value, date) and not isinstance(value, datetime)
        return None if ok else f"expected {_expected(info)}, found {found}"
    if isinstance(info, mi.NoneType):
        return f"expected nothing, found {found}"
    return f"cannot check a value of this kind here, found {found}"


def _string_range(value: str, info: mi.StrType) -> str | None:
    if info.min_length is not None and len(value) < info.min_length:
        return "expected a non-empty string, found an empty one"
    if info.max_length is not None and len(value) > info.max_length:
        return f"expected at most {info.max_length} characters, found {len(value)}"
    # msgspec matches patterns with re.search; so does this, to agree with convert.
    if info.pattern is not None and re.search(info.pattern, value) is None:
        return f"expected {_expected(info)}, found {describe(value)}"
    return None


def _in_bounds(value: int, info: mi.IntType) -> bool:
    return not (
        (info.ge is not None and value < info.ge)
        or (info.gt is not None and value <= info.gt)
        or (info.le is not None and value > info.le)
        or (info.lt is not None and value >= info.lt)
    )


_EXAMPLE_DT = "2025-09-17T22:20:00+09:00"


def _expected(info: mi.Type) -> str:
    """Say what a type accepts, in the words of a TOML author."""
    if isinstance(info, mi.StrType):
        if info.pattern is not None:
            return "a string " + _PATTERNS.get(info.pattern, f"matching {info.pattern!r}")
        return "a string"
    if isinstance(info, mi.IntType):
        bounds = [
            f"{word} {limit}"
            for word, limit in (
                (">=", info.ge),
                (">", info.gt),
                ("<=", info.le),
                ("<", info.lt),
            )
            if limit is not None
        ]
        return "an integer" + (f" {' and '.join(bounds)}" if bounds else "")
    if isinstance(info, mi.LiteralType):
        return "one of " + ", ".join(repr(v) for v in info.values)
    if isinstance(info, mi.ListType):
        return f"an array of {_plural(info.item_type)}"
    if isinstance(info, mi.DateTimeType):
        return f"an offset date-time like {_EXAMPLE_DT}" if info.tz else "a date-time"
    if isinstance(info, mi.DateType):
        return "a date like 1999-08-17"
    if isinstance(info, mi.BoolType):
        return "true or false"
    if isinstance(info, mi.StructType | mi.DictType):
        return "a table"
    return "a value"


def _plural(info: mi.Type) -> str:
    if isinstance(info, mi.StrType):
        return "strings"
    if isinstance(info, mi.IntType):
        return "integers"
    if isinstance(info, mi.StructType | mi.UnionType | mi.DictType):
        return "tables"
    return "values"
