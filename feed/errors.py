"""Every exception racefeed raises, in one tree.

::

    RacefeedError
     ├── ScenarioError          one located problem in a scenario or event file
     │    └── DocumentError     one located problem in a text to check or a corpus file
     ├── ScenarioInvalid        a file with one or more ScenarioErrors (all of them)
     ├── TableError             one located problem in a results table being imported
     ├── TableInvalid           a results table with one or more TableErrors (all of them)
     ├── UnknownScenario        a catalog id or path that names nothing
     ├── SequenceError          a gap, rewind or duplicate in a stream's seq
     ├── ProtocolError          a wire message that breaks the protocol (carries a stable code)
     ├── FaultSpecError         a fault spec that cannot be used (also a ValueError)
     └── FeedError              the client SDK cannot go on
          ├── FeedUnavailable   no server answered, after every retry on every URL
          ├── FeedRejected      a server refused the request (unknown session, no token ...)
          └── FeedTimeout       a waiting helper ran out of time (also a TimeoutError)

Errors that come from bad input always say where: the file, the line or the
field path, what was found and what was expected.
"""

from __future__ import annotations

__all__ = [
    "DocumentError",
    "FaultSpecError",
    "FeedError",
    "FeedRejected",
    "FeedTimeout",
    "FeedUnavailable",
    "ProtocolError",
    "RacefeedError",
    "ScenarioError",
    "ScenarioInvalid",
    "SequenceError",
    "TableError",
    "TableInvalid",
    "UnknownScenario",
]


class RacefeedError(Exception):
    """The root of every error racefeed raises on purpose."""


class ScenarioError(RacefeedError):
    """One problem at one place in a scenario file or event file.

    Attributes:
        path: the file, as the user named it.
        line: 1-based line number, when the problem has one.
        field: the field path (``athletes[3].finish``), when known.
        message: what was found and what was expected.
    """

    def __init__(
        self, path: str, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.message = message
        super().__init__(self.format())

    def format(self) -> str:
        """Render as ``file:line: field: message`` (parts that are unknown are left out)."""
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        what = self.message if self.field is None else f"{self.field}: {self.message}"
        return f"{where}: {what}"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.field or "")


class DocumentError(ScenarioError):
    """One problem in a document given to ``racefeed check``: an article, a corpus file.

    Located and formatted like a scenario problem: ``file:line: field: message``.
    """


class ScenarioInvalid(RacefeedError):
    """A scenario file (or several) with problems; ``errors`` holds every one of them."""

    def __init__(self, errors: list[ScenarioError]) -> None:
        self.errors = sorted(errors, key=ScenarioError.sort_key)
        super().__init__("\n".join(e.format() for e in self.errors))


class TableError(RacefeedError):
    """One problem at one place in a results table (CSV, FinishLynx .lif ...).

    Attributes:
        path: the file, as the user named it.
        message: what was found and what was expected.
        line: 1-based line of the file, when the problem has one.
        row: 1-based result row (the header and blank lines not counted), when known.
        column: 1-based column, when the problem is in one cell.
        column_name: that column's header (or its meaning, for a file without headers).
    """

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        row: int | None = None,
        column: int | None = None,
        column_name: str | None = None,
    ) -> None:
        self.path = path
        self.message = message
        self.line = line
        self.row = row
        self.column = column
        self.column_name = column_name
        super().__init__(self.format())

    def format(self) -> str:
        """Render as ``file:line: row R, column C (name): message`` (unknown parts left out)."""
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        cell = []
        if self.row is not None:
            cell.append(f"row {self.row}")
        if self.column is not None:
            name = f" ({self.column_name})" if self.column_name else ""
            cell.append(f"column {self.column}{name}")
        prefix = ", ".join(cell)
        return f"{where}: {prefix}: {self.message}" if prefix else f"{where}: {self.message}"

    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line or 0, self.column or 0)


class TableInvalid(RacefeedError):
    """A results table with problems; ``errors`` holds every one of them, in file order."""

    def __init__(self, errors: list[TableError]) -> None:
        self.errors = sorted(errors, key=TableError.sort_key)
        super().__init__("\n".join(e.format() for e in self.errors))


class UnknownScenario(RacefeedError):
    """A scenario argument that is neither a catalog id nor a readable file."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        hint = ", ".join(known) if known else "none"
        super().__init__(f"unknown scenario {name!r}: not a file, and not a catalog id ({hint})")


class SequenceError(RacefeedError):
    """A stream whose seq is not gapless and increasing.

    Attributes:
        expected: the seq that should have come next.
        got: the seq that came.
    """

    def __init__(self, expected: int, got: int, where: str = "") -> None:
        self.expected = expected
        self.got = got
        kind = "duplicate" if got == expected - 1 else "rewind" if got < expected else "gap"
        self.kind = kind
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}seq {kind}: expected seq {expected}, got {got}")


class ProtocolError(RacefeedError):
    """A message that breaks the wire protocol; ``code`` is stable and documented."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class FaultSpecError(RacefeedError, ValueError):
    """A fault spec that cannot be used: which key, where in the text, what was expected.

    Also a ``ValueError``, so that msgspec turns it into a ``ValidationError``
    when a spec is decoded from JSON.

    Attributes:
        message: what was found and what was expected.
        key: the field it is about, when there is one.
        related: other fields that set off a rule between fields.
        text: the spec string it was parsed from, when it was parsed.
        column: 1-based column in ``text`` where the problem starts.
    """

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        related: tuple[str, ...] = (),
        text: str | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.key = key
        self.related = related
        self.text = text
        self.column = column
        super().__init__(self.format())

    def format(self) -> str:
        """Render as ``fault spec 'TEXT' column N: KEY: MESSAGE`` (unknown parts left out)."""
        where = "fault spec"
        if self.text is not None:
            where += f" {self.text!r}"
        if self.column is not None:
            where += f" column {self.column}"
        if self.key is None:
            what = self.message
        elif self.message.startswith("["):  # an index into a list: stall_at_seq[0]: ...
            what = f"{self.key}{self.message}"
        else:
            what = f"{self.key}: {self.message}"
        return f"{where}: {what}"


class FeedError(RacefeedError):
    """The client SDK met something it cannot recover from."""


class FeedUnavailable(FeedError):
    """No server could be reached: every URL failed, for every retry allowed."""


class FeedRejected(FeedError):
    """A server answered with an error the client cannot fix by retrying.

    Attributes:
        code: the protocol's stable error code (``unknown_session``, ``unauthorized`` ...).
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(f"{code}: {message}")


class FeedTimeout(FeedError, TimeoutError):
    """A waiting helper gave up; the message says what it waited for and what it saw."""
