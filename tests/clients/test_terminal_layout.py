"""The terminal live blog fits 80x24 and 120x40 at every moment of the Tokyo final.

At each moment (paused before the gun, 400 m, 800 m, the injury, the bell, the
photo under review, the photo resolved, official) and each size, the screen is
drawn as the live display draws it, and read back as text: it fits, every panel
is there and readable (the commentary keeps a column of at least 30 characters),
the main table is whole (every athlete on it) and the moment's facts are shown.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from feed.events import Event
from feed.io import load_scenario
from feed.terminal import LiveBlog, Screen
from feed.terminal.tables import short_name
from tests.clients.moments import MOMENTS, moments

SIZES = [(80, 24), (120, 40)]
EVENTS: list[Event] = load_scenario("tokyo-2025-m1500-final").events
AT = moments(EVENTS)
NAMES = [entrant.name for entrant in EVENTS[0].data.start_list]  # type: ignore[union-attr]


def draw(seq: int, width: int, height: int) -> list[str]:
    """The screen after ``seq`` events, at that terminal size, as lines of text."""
    blog = LiveBlog()
    for event in EVENTS[:seq]:
        blog.apply(event)
    console = Console(width=width, height=height, record=True, file=io.StringIO())
    console.print(Screen(blog, height=height))
    return console.export_text().splitlines()


def panel_width(lines: list[str], title: str) -> int:
    """The width of the bordered panel whose top edge carries ``title``."""
    top = next(line for line in lines if f"─ {title} " in line)
    return len(top.rstrip()) - top.index("╭")


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["80x24", "120x40"])
@pytest.mark.parametrize("moment", MOMENTS)
def test_every_panel_fits_and_is_readable_and_the_main_table_is_whole(
    moment: str, width: int, height: int
) -> None:
    lines = draw(AT[moment], width, height)
    text = "\n".join(lines)
    assert len(lines) <= height, f"{len(lines)} lines on a {height}-line terminal"
    assert max(len(line) for line in lines) <= width
    assert "World Athletics Championships Tokyo 25" in lines[0]
    assert panel_width(lines, "Commentary") >= 30
    for name in NAMES:  # the start list, running order or result: all fourteen
        shown = name if width >= 120 else short_name(name)
        assert re.search(rf"(^|\s){re.escape(shown)}\s", text, re.M), f"{shown} missing"
    assert "…" not in "".join(line.split("│")[0] for line in lines)  # nothing cut in tables


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["80x24", "120x40"])
def test_each_moment_shows_its_facts(width: int, height: int) -> None:
    """Start list, leaders with their splits, the injury, the bell, the photo, the result."""
    screens = {moment: "\n".join(draw(AT[moment], width, height)) for moment in MOMENTS}
    before = screens["paused before the gun"]
    assert " START LIST " in before and "Start list: 14 athletes  CR 3:27.65" in before
    assert "Leader: Niels Laros NED at 400 m" in screens["400 m"]
    assert "Leader: Timothy Cheruiyot KEN at 800 m" in screens["800 m"]
    assert re.search(r"Kerr\s.*!", screens["injury"])  # his flag in the running order
    assert "Kerr is in trouble" in screens["injury"]
    assert "BELL: last lap" in screens["bell"]
    photo = screens["photo under review"]
    assert "PHOTO FINISH - UNDER REVIEW  I. Nader, J. Wightman" in photo
    assert len(re.findall(r"\bPHOTO\b", photo)) == 3  # the notice and two flagged rows
    assert "Winner" not in photo and "First across the line:" not in photo
    resolved = screens["photo resolved"]
    assert "First across the line: Isaac Nader POR 3:34.10" in resolved
    assert "Photo decides it" in resolved
    official = screens["official"]
    assert " OFFICIAL " in official and "Winner: Isaac Nader POR 3:34.10" in official
    assert re.search(r"^14\s+\S.*Kerr\s+GBR\s+4:11\.23.*! injury: calf", official, re.M)
    assert re.search(r"\b1 POR 1 0 0\s+1\b", official)  # the medal table


def test_the_readme_pictures_of_the_terminal_are_drawn_from_the_screen() -> None:
    """docs/ keeps two pictures of the terminal, 80x24 at the bell and 120x40 when official."""
    docs = Path(__file__).resolve().parents[2] / "docs"
    for moment, (width, height), name in (
        ("bell", (80, 24), "terminal-80x24.svg"),
        ("official", (120, 40), "terminal-120x40.svg"),
    ):
        blog = LiveBlog()
        for event in EVENTS[: AT[moment]]:
            blog.apply(event)
        console = Console(
            width=width, height=height, record=True, file=io.StringIO(), force_terminal=True,
            color_system="truecolor",
        )  # fmt: skip
        console.print(Screen(blog, height=height))
        console.save_svg(str(docs / name), title=f"racefeed watch ({width}x{height})")
        svg = (docs / name).read_text()
        assert svg.startswith("<svg") and "Commentary" in svg
        assert (docs / name).stat().st_size < 250_000
