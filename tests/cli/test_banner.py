"""The serve/replay banner never cuts a control token across two terminal lines."""

from __future__ import annotations

from feed.cli.banner import BannerSession, banner_lines, session_lines

TOKEN = "Zk3vQ0wT9pXr_b2LmN8sYq1A"


def test_each_token_has_a_line_of_its_own_within_80_columns() -> None:
    title = "Tokyo 2025 World Championships, men's 1500 m final (a long title for 80 columns)"
    lines = banner_lines(
        "ws://127.0.0.1:8765/",
        [BannerSession("tokyo-2025-m1500-final", title, TOKEN), BannerSession("x", "X", None)],
    )
    assert lines[:2] == [
        "racefeed: feed at ws://127.0.0.1:8765/",
        "          web page at http://127.0.0.1:8765/",
    ]
    assert all(len(line) <= 80 for line in lines)
    assert f"    control token: {TOKEN}" in lines
    assert sum(TOKEN in line for line in lines) == 1
    assert lines[2].endswith("…") and lines[2].startswith("  session tokyo-2025-m1500-final: ")
    assert lines[-1] == "  session x: X"


def test_a_session_taken_up_from_the_log_says_where_on_the_line_after_its_token() -> None:
    note = "resumed from the log at epoch 2, seq 40, paused"
    lines = session_lines([BannerSession("main", "Final", TOKEN, note)])
    assert lines == ["  session main: Final", f"    control token: {TOKEN}", f"    {note}"]
