"""The split curve: monotone cubic through every known point, strictly increasing."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feed.scenario import MonotoneCurve


@st.composite
def knots(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Strictly increasing (metres, ms) knots starting at (0, 0), of very uneven pace."""
    count = draw(st.integers(min_value=1, max_value=8))
    gaps_m = draw(st.lists(st.integers(1, 2000), min_size=count, max_size=count))
    gaps_ms = draw(st.lists(st.integers(1, 600_000), min_size=count, max_size=count))
    points = [(0, 0)]
    for gap_m, gap_ms in zip(gaps_m, gaps_ms, strict=True):
        points.append((points[-1][0] + gap_m, points[-1][1] + gap_ms))
    return points


@settings(max_examples=200, deadline=None, print_blob=True)
@given(knots())
def test_the_curve_passes_exactly_through_every_knot(points: list[tuple[int, int]]) -> None:
    """At a known split the curve gives exactly the known time."""
    curve = MonotoneCurve(points)
    for metres, ms in points:
        assert curve.at(metres) == ms


@settings(max_examples=200, deadline=None, print_blob=True)
@given(knots(), st.integers(min_value=2, max_value=60))
def test_the_curve_is_strictly_increasing(points: list[tuple[int, int]], samples: int) -> None:
    """Between knots time only ever moves forward, however uneven the pace."""
    curve = MonotoneCurve(points)
    end = points[-1][0]
    xs = sorted({end * i / samples for i in range(samples + 1)} | {p[0] for p in points})
    times = [curve.at(x) for x in xs]
    assert all(later > earlier for earlier, later in itertools.pairwise(times))


def test_two_knots_give_an_even_pace() -> None:
    """With only the gun and the finish, the curve is a straight line."""
    curve = MonotoneCurve([(0, 0), (1500, 210_000)])
    assert curve.at(750) == pytest.approx(105_000)


def test_knots_out_of_order_are_refused() -> None:
    """The curve is only defined through increasing knots."""
    with pytest.raises(ValueError, match="increase"):
        MonotoneCurve([(0, 0), (400, 60_000), (300, 70_000)])


def test_distances_outside_the_knots_are_refused() -> None:
    """No extrapolation: the caller decides what lies beyond."""
    with pytest.raises(ValueError, match="outside"):
        MonotoneCurve([(0, 0), (400, 60_000)]).at(401)
