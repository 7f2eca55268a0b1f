"""The pages people read say what the code does: tables held against their one source."""

from __future__ import annotations

from pathlib import Path

from feed import wire

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
