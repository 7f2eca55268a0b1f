"""A monotone cubic curve of time over distance through an athlete's known points.

Fritsch and Carlson (1980): a piecewise cubic Hermite curve whose tangents are
limited so that it never turns back between knots. Through strictly increasing
points it is strictly increasing, it passes exactly through every knot, and between
knots it changes pace smoothly instead of in steps, so running orders between known
splits change the way a race does.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

__all__ = ["MonotoneCurve"]


class MonotoneCurve:
    """Time as a function of distance through knots ``(distance, time)``.

    Raises:
        ValueError: fewer than two knots, or knots not strictly increasing in both.
    """

    def __init__(self, knots: Sequence[tuple[float, float]]) -> None:
        if len(knots) < 2:
            raise ValueError(f"expected at least two knots, got {len(knots)}")
        xs = [float(x) for x, _ in knots]
        ys = [float(y) for _, y in knots]
        for index in range(1, len(knots)):
            if not (xs[index] > xs[index - 1] and ys[index] > ys[index - 1]):
                raise ValueError(
                    f"knots must increase in distance and time: {knots[index - 1]} "
                    f"then {knots[index]}"
                )
        self._xs = xs
        self._ys = ys
        self._slopes = _tangents(xs, ys)

    @property
    def start(self) -> float:
        """The first knot's distance."""
        return self._xs[0]

    @property
    def end(self) -> float:
        """The last knot's distance."""
        return self._xs[-1]

    def at(self, x: float) -> float:
        """The time at distance ``x`` (exactly the knot's time at a knot).

        Raises:
            ValueError: ``x`` outside the knots.
        """
        xs, ys = self._xs, self._ys
        if not xs[0] <= x <= xs[-1]:
            raise ValueError(f"distance {x} is outside {xs[0]}..{xs[-1]}")
        index = bisect.bisect_left(xs, x)
        if index < len(xs) and xs[index] == x:
            return ys[index]
        k = index - 1
        h = xs[k + 1] - xs[k]
        t = (x - xs[k]) / h
        t2 = t * t
        t3 = t2 * t
        return (
            (2 * t3 - 3 * t2 + 1) * ys[k]
            + (t3 - 2 * t2 + t) * h * self._slopes[k]
            + (-2 * t3 + 3 * t2) * ys[k + 1]
            + (t3 - t2) * h * self._slopes[k + 1]
        )


def _tangents(xs: list[float], ys: list[float]) -> list[float]:
    """Fritsch-Carlson tangents: averaged secants, limited to keep the curve monotone."""
    n = len(xs)
    secants = [(ys[k + 1] - ys[k]) / (xs[k + 1] - xs[k]) for k in range(n - 1)]
    slopes = [secants[0]]
    slopes += [(secants[k - 1] + secants[k]) / 2 for k in range(1, n - 1)]
    slopes.append(secants[-1])
    for k, secant in enumerate(secants):
        alpha = slopes[k] / secant
        beta = slopes[k + 1] / secant
        norm = math.hypot(alpha, beta)
        # Outside the circle of radius 3 the cubic can overshoot and turn back.
        if norm > 3:
            tau = 3 / norm
            slopes[k] = tau * alpha * secant
            slopes[k + 1] = tau * beta * secant
    return slopes
