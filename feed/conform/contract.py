"""The adapter contract: what racefeed asks a client under test, and what it answers.

A client under test runs as a command of its own. racefeed tells it where to connect
(``RACEFEED_URL``, ``RACEFEED_SESSION``), then writes one JSON line per question to
its standard input and reads one JSON line per answer from its standard output
(docs/conformance.md)::

    > {"ask": "show", "id": 3}
    < {"id": 3, "seq": 231, "epoch": 1, "status": "official",
       "standings": [{"place": 1, "bib": 110, "time": "3:34.10", "mark": null}, ...],
       "medals": [{"nation": "POR", "gold": 1, "silver": 0, "bronze": 0}]}
    > {"ask": "quit"}

The answer is what the client shows, nothing more: the expected answer is folded
here from the reference log and never sent, so a client cannot read it from racefeed.
This module is pure: the shapes, the expected answer, and the comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import msgspec

from feed.events import Event
from feed.projections import Projection, project

__all__ = [
    "CONTRACT_VERSION",
    "Ask",
    "Expected",
    "Shown",
    "ShownMedal",
    "ShownRow",
    "compare",
    "decode_shown",
    "encode_ask",
    "expected_at",
    "expected_of",
    "shown_of",
]

CONTRACT_VERSION: Final = 1


class Ask(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A question to the client: ``show`` what it shows now (answer with ``id``), or ``quit``."""

    ask: Literal["show", "quit"]
    id: int = 0


class ShownRow(msgspec.Struct, frozen=True, kw_only=True):
    """One row of a result table, as a client shows it (extra fields are ignored)."""

    bib: int
    place: int | None = None
    time: str | None = None
    mark: Literal["DQ", "DNF", "DNS"] | None = None
    name: str = ""


class ShownMedal(msgspec.Struct, frozen=True, kw_only=True):
    """One nation's line of the medal table."""

    nation: str
    gold: int
    silver: int
    bronze: int


class Shown(msgspec.Struct, frozen=True, kw_only=True):
    """A client's answer to ``show``.

    Attributes:
        id: the question's id.
        seq: the last seq it applied (0 before any).
        epoch: the epoch of the events it applied (``None`` before it subscribed).
        status: the result status of the race scheduled last (``None`` before any).
        standings: that race's rows in the order shown: finishers by place, athletes
            still running in running order, then DQ, DNF and DNS rows, each by bib.
        medals: the medal table, in rank order.
    """

    id: int
    seq: int
    epoch: int | None = None
    status: str | None = None
    standings: list[ShownRow] = []
    medals: list[ShownMedal] = []


class Expected(msgspec.Struct, frozen=True, kw_only=True):
    """What a right client shows at one point of the log (never sent to the client)."""

    seq: int
    epoch: int | None  # None: any epoch is right (a fault moved the client to its own)
    status: str | None
    standings: list[ShownRow]
    medals: list[ShownMedal]


_ask_encoder = msgspec.json.Encoder()
_shown_decoder = msgspec.json.Decoder(Shown)


def encode_ask(ask: Ask) -> bytes:
    """One line of the client's standard input."""
    return _ask_encoder.encode(ask) + b"\n"


def decode_shown(line: bytes) -> Shown:
    """One line of the client's standard output.

    Raises:
        msgspec.DecodeError: not JSON, or not the shape of an answer (says where).
    """
    return _shown_decoder.decode(line)


def shown_of(projection: Projection, *, id: int, epoch: int | None) -> Shown:
    """The answer of a client whose state is ``projection`` (a Python client's adapter)."""
    races = projection.race_ids()
    rows: list[ShownRow] = []
    status: str | None = None
    if races:
        standings = projection.standings()
        status = standings.status
        rows = [
            ShownRow(bib=r.bib, place=r.place, time=r.time, mark=r.mark, name=r.name)
            for r in standings.rows
        ]
    medals = [
        ShownMedal(nation=m.nation, gold=m.gold, silver=m.silver, bronze=m.bronze)
        for m in projection.medal_table().rows
    ]
    return Shown(
        id=id,
        seq=projection.head_seq,
        epoch=epoch,
        status=status,
        standings=rows,
        medals=medals,
    )


def expected_of(projection: Projection, *, epoch: int | None) -> Expected:
    """What a right client that folded the same events shows."""
    shown = shown_of(projection, id=0, epoch=epoch)
    return Expected(
        seq=shown.seq,
        epoch=epoch,
        status=shown.status,
        standings=shown.standings,
        medals=shown.medals,
    )


def expected_at(events: Sequence[Event], seq: int, *, epoch: int | None) -> Expected:
    """What a right client shows once it has applied ``events`` up to ``seq``."""
    return expected_of(project(events, until_seq=seq), epoch=epoch)


def compare(expected: Expected, shown: Shown) -> list[str]:
    """Where ``shown`` differs from ``expected``, one line each, with names (empty: right)."""
    problems: list[str] = []
    if shown.seq != expected.seq:
        problems.append(f"seq: expected {expected.seq}, got {shown.seq}")
    if expected.epoch is not None and shown.epoch != expected.epoch:
        problems.append(f"epoch: expected {expected.epoch}, got {shown.epoch}")
    if shown.status != expected.status:
        problems.append(f"status: expected {expected.status}, got {shown.status}")
    problems += _rows_diff(expected.standings, shown.standings)
    problems += _medals_diff(expected.medals, shown.medals)
    return problems


def _rows_diff(expected: list[ShownRow], shown: list[ShownRow]) -> list[str]:
    names = {row.bib: row.name for row in expected}
    problems: list[str] = []
    for index in range(max(len(expected), len(shown))):
        want = expected[index] if index < len(expected) else None
        got = shown[index] if index < len(shown) else None
        if want is not None and got is not None and _row_key(want) == _row_key(got):
            continue
        line = f"standings row {index + 1}: expected {_show_row(want, names)}"
        problems.append(f"{line}, got {_show_row(got, names)}")
    return problems


def _row_key(row: ShownRow) -> tuple[object, ...]:
    return (row.bib, row.place, row.time, row.mark)


def _show_row(row: ShownRow | None, names: dict[int, str]) -> str:
    if row is None:
        return "no row"
    who = names.get(row.bib) or row.name or "?"
    result = row.mark or row.time or "running"
    place = "-" if row.place is None else str(row.place)
    return f"place {place} bib {row.bib} {who} {result}"


def _medals_diff(expected: list[ShownMedal], shown: list[ShownMedal]) -> list[str]:
    if expected == shown:
        return []
    return [f"medal table: expected {_show_medals(expected)}, got {_show_medals(shown)}"]


def _show_medals(rows: list[ShownMedal]) -> str:
    if not rows:
        return "no medals"
    return "; ".join(f"{m.nation} {m.gold}-{m.silver}-{m.bronze}" for m in rows)
