"""The pages people read say what the code does: tables held against their one source."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from feed import wire
from feed.protocol import LIMITS, Limits

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _table(page: str, header: str) -> list[list[str]]:
    """The rows of the markdown table whose header line starts with ``header``."""
    lines = (DOCS / page).read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def test_the_error_table_of_the_protocol_page_is_the_table_of_codes() -> None:
    """Each code, whether it closes (with what), whether a client gives up, what it means."""
    expected = [
        [
            f"`{code}`",
            f"yes, {rule.close_code}" if rule.closes else "no",
            "gives up" if rule.fatal else "goes on",
            rule.meaning,
        ]
        for code, rule in wire.ERRORS.items()
    ]
    assert _table("protocol.md", "| code | closes |") == expected


def _shown(name: str, value: float) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if name.endswith("bytes") or name == "write_buffer":
        if value >= 2**20 and value % 2**20 == 0:
            return f"{value // 2**20} MiB"
        if value >= 1024 and value % 1024 == 0:
            return f"{value // 1024} KiB"
    return f"{value:,}"


def test_the_limits_table_of_the_reliability_page_is_the_limits_structure() -> None:
    """Every field of ``Limits``, in order, with its default and what it bounds."""
    defaults = Limits()
    expected = [
        [f"`{field.name}`", _shown(field.name, getattr(defaults, field.name)), LIMITS[field.name]]
        for field in dataclasses.fields(Limits)
    ]
    assert _table("reliability.md", "| name | default |") == expected
