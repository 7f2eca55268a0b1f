"""Map a field path (``athletes[3].splits.800``) to the line of the TOML text it came from.

tomllib gives values without positions, so the text is scanned once: table headers
(``[race]``, ``[[athletes]]`` with their occurrence index), key lines, and the lines
of the elements of multi-line arrays. A path that names something inside an inline
table maps to the line of its key; one that names nothing written (a missing field)
maps to the nearest enclosing table that was. Indexes in paths count from 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["Locator", "PathPart", "format_path", "parse_path"]

PathPart = str | int
_Recorder = Callable[[tuple[PathPart, ...], int], None]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def format_path(parts: Sequence[PathPart]) -> str:
    """Write a path as ``athletes[3].splits.800``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def parse_path(text: str) -> tuple[PathPart, ...]:
    """Read ``athletes[3].splits.800`` back into its parts."""
    parts: list[PathPart] = []
    for match in _PATH_PART.finditer(text):
        index, key = match.groups()
        parts.append(int(index) if index is not None else key)
    return tuple(parts)


class Locator:
    """The line of every table, key and multi-line array element in one TOML text."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[PathPart, ...], int] = {}
        self._scan(text)

    def line(self, path: str | Sequence[PathPart]) -> int | None:
        """The 1-based line of ``path``, or of its nearest written ancestor; None if none."""
        parts = parse_path(path) if isinstance(path, str) else tuple(path)
        for end in range(len(parts), 0, -1):
            found = self._lines.get(parts[:end])
            if found is not None:
                return found
        return None

    def _record(self, path: tuple[PathPart, ...], line: int) -> None:
        self._lines.setdefault(path, line)

    def _scan(self, text: str) -> None:
        arrays: dict[tuple[PathPart, ...], int] = {}  # array-of-tables path -> count so far
        table: tuple[PathPart, ...] = ()
        state = _ValueState()
        for number, raw in enumerate(text.splitlines(), start=1):
            if state.open:
                state.feed(raw, number, self._record)
                continue
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                header = _read_header(line)
                if header is not None:
                    table = _resolve_header(header, line.startswith("[["), arrays)
                    self._record(table, number)
                    if isinstance(table[-1], int):
                        # The array as a whole is found at its first element's header.
                        self._record(table[:-1], number)
                continue
            key = _read_key(line)
            if key is None:
                continue
            keys, rest = key
            path = table + tuple(keys)
            self._record(path, number)
            state.start(path, rest, number, self._record)


def _resolve_header(
    keys: list[str], is_array: bool, arrays: dict[tuple[PathPart, ...], int]
) -> tuple[PathPart, ...]:
    """Turn ``[[athletes]]`` into ``("athletes", n)`` and ``[athletes.dnf]`` into its element."""
    resolved: tuple[PathPart, ...] = ()
    for position, key in enumerate(keys):
        resolved += (key,)
        last = position == len(keys) - 1
        if last and is_array:
            index = arrays.get(resolved, 0)
            arrays[resolved] = index + 1
            resolved += (index,)
        elif resolved in arrays:
            resolved += (arrays[resolved] - 1,)
    return resolved


def _read_header(line: str) -> list[str] | None:
    inner = line[2:] if line.startswith("[[") else line[1:]
    parsed = _read_dotted(inner)
    if parsed is None:
        return None
    keys, end = parsed
    if not inner[end:].lstrip().startswith("]"):
        return None
    return keys


def _read_key(line: str) -> tuple[list[str], str] | None:
    parsed = _read_dotted(line)
    if parsed is None:
        return None
    keys, end = parsed
    rest = line[end:].lstrip()
    if not rest.startswith("="):
        return None
    return keys, rest[1:]


def _read_dotted(text: str) -> tuple[list[str], int] | None:
    """Read a dotted key (bare or quoted parts) from the start of ``text``."""
    keys: list[str] = []
    position = 0
    while True:
        while position < len(text) and text[position] in " \t":
            position += 1
        if position >= len(text):
            return None
        char = text[position]
        if char in "\"'":
            end = text.find(char, position + 1)
            if end < 0:
                return None
            keys.append(text[position + 1 : end])
            position = end + 1
        else:
            match = _BARE_KEY.match(text, position)
            if match is None:
                return None
            keys.append(match.group())
            position = match.end()
        while position < len(text) and text[position] in " \t":
            position += 1
        if position < len(text) and text[position] == ".":
            position += 1
            continue
        return keys, position


class _ValueState:
    """Tracks a value that spans lines: open brackets and multi-line strings."""

    def __init__(self) -> None:
        self.depth = 0
        self.string: str | None = None  # the closing delimiter of an open multi-line string
        self.path: tuple[PathPart, ...] = ()
        self.element = 0
        self.expect = False  # the next thing at depth 1 starts a new array element
        self.is_array = False

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.string is not None

    def start(
        self,
        path: tuple[PathPart, ...],
        rest: str,
        number: int,
        record: _Recorder,
    ) -> None:
        self.path = path
        self.element = 0
        stripped = rest.lstrip()
        self.is_array = stripped.startswith("[")
        self.expect = False
        self.feed(rest, number, record)

    def feed(self, text: str, number: int, record: _Recorder) -> None:
        position = 0
        while position < len(text):
            if self.string is not None:
                end = text.find(self.string, position)
                if end < 0:
                    return
                position = end + len(self.string)
                self.string = None
                continue
            char = text[position]
            if char in " \t\r":
                position += 1
                continue
            if char == "#":
                return
            if self.is_array and self.depth == 1:
                if char == ",":
                    self.element += 1
                    self.expect = True
                    position += 1
                    continue
                if self.expect and char != "]":
                    record((*self.path, self.element), number)
                    self.expect = False
            position = self._step(text, position)

    def _step(self, text: str, position: int) -> int:
        """Consume one token at ``position`` and return where the next one starts."""
        char = text[position]
        if text.startswith(('"""', "'''"), position):
            self.string = text[position : position + 3]
            return position + 3
        if char == '"':
            return _skip_basic(text, position + 1)
        if char == "'":
            end = text.find("'", position + 1)
            return len(text) if end < 0 else end + 1
        if char in "[{":
            self.depth += 1
            if self.is_array and self.depth == 1:
                self.expect = True
        elif char in "]}":
            self.depth = max(0, self.depth - 1)
        return position + 1


def _skip_basic(text: str, position: int) -> int:
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == '"':
            return position + 1
        position += 1
    return position
