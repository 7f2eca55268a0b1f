"""The adapter contract: answers decoded strictly, differences said with names and places."""

from __future__ import annotations

import msgspec
import pytest

from feed.conform.contract import (
    Ask,
    Shown,
    ShownRow,
    compare,
    decode_shown,
    encode_ask,
    expected_at,
)
from feed.io import load_scenario

TOKYO = load_scenario("tokyo-2025-m1500-final").events


def _answer(expected_seq: int, **changes: object) -> Shown:
    expected = expected_at(TOKYO, expected_seq, epoch=1)
    fields = {
        "id": 1,
        "seq": expected.seq,
        "epoch": 1,
        "status": expected.status,
        "standings": expected.standings,
        "medals": expected.medals,
    }
    return Shown(**{**fields, **changes})  # type: ignore[arg-type]


def test_the_reference_answer_compares_equal() -> None:
    """A client that shows the reference fold has no difference."""
    assert compare(expected_at(TOKYO, 231, epoch=1), _answer(231)) == []


def test_a_swapped_podium_is_told_with_names_and_places() -> None:
    """Gold and silver swapped: two row lines naming both athletes."""
    expected = expected_at(TOKYO, 231, epoch=1)
    rows = list(expected.standings)
    rows[0], rows[1] = rows[1], rows[0]
    problems = compare(expected, _answer(231, standings=rows))
    assert len(problems) == 2
    assert problems[0].startswith("standings row 1: expected place 1 bib")
    assert "Isaac Nader" in problems[0] and "Jake Wightman" in problems[0]


def test_seq_epoch_status_and_medals_are_each_compared() -> None:
    """Each field that differs is one line."""
    expected = expected_at(TOKYO, 231, epoch=2)
    problems = compare(expected, _answer(231, seq=230, epoch=1, status="unofficial", medals=[]))
    assert [p.split(":")[0] for p in problems] == ["seq", "epoch", "status", "medal table"]


def test_any_epoch_is_right_when_the_case_says_so() -> None:
    """A fault that moves the client to an epoch of its own: the epoch is not compared."""
    assert compare(expected_at(TOKYO, 231, epoch=None), _answer(231, epoch=7)) == []


def test_a_missing_row_is_a_difference() -> None:
    """A client that loses the DNS/last row shows one row fewer: that row is named."""
    expected = expected_at(TOKYO, 231, epoch=1)
    problems = compare(expected, _answer(231, standings=expected.standings[:-1]))
    assert len(problems) == 1 and problems[0].endswith("got no row")


def test_answers_are_decoded_strictly_and_extra_fields_are_ignored() -> None:
    """Unknown fields pass; a wrong type is refused with where it was."""
    shown = decode_shown(b'{"id": 3, "seq": 0, "standings": [{"bib": 4, "x": 1}], "y": 2}')
    assert shown.standings == [ShownRow(bib=4)]
    with pytest.raises(msgspec.ValidationError, match=r"\$\.standings\[0\]\.bib"):
        decode_shown(b'{"id": 3, "seq": 0, "standings": [{"bib": "4"}]}')


def test_asks_are_one_json_line() -> None:
    """The client reads lines: each ask ends with a newline and has no other."""
    assert encode_ask(Ask(ask="show", id=2)) == b'{"ask":"show","id":2}\n'
    assert encode_ask(Ask(ask="quit")) == b'{"ask":"quit"}\n'
