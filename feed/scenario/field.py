"""Every athlete's time over distance, interpolated together so that no overtake is invented.

Curves fitted athlete by athlete cross wherever their pacing happens to differ,
so a replay showed overtakes that the data never had. Here the field is
interpolated as one:

1. The *union points* are every distance at which any athlete has a known time
   (a split, a finish, a DNF point). An athlete without a time at a union point
   gets one there (is *imputed*), so that all athletes share their points.
2. At a union point, the imputed athletes are placed in the running order the
   data gives: for two athletes, the order at the latest distance before it where
   both have a measured time, else the order at the next such distance (usually
   the finish). Athletes the data says nothing about go where their own pace puts
   them. Known times are never moved; imputed ones are kept between their
   neighbours in that order and between the athlete's own known times.
3. Between two union points every athlete follows the same shape (the field's
   median pace, as a monotone cubic), scaled to its own times there. The gap
   between two athletes is then monotone on each stretch, so their order changes
   at most once between two union points, and only where the times at its ends
   say it does.

So a pair of athletes whose known times never show an overtake never overtake
in the replay; a pair whose order differs between two known points swaps once,
in between. Data that cannot be satisfied (an order that holds pair by pair but
not for the field as a whole) is placed as well as it can be.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Mapping, Sequence

import msgspec

from feed.scenario.interpolate import MonotoneCurve

__all__ = ["FieldPaths", "Track"]


class Track(msgspec.Struct, frozen=True):
    """One athlete's known points.

    Attributes:
        athlete: the athlete id.
        knots: ``(metres, ms)`` from ``(0, 0)`` to the athlete's end (finish or DNF
            point), strictly increasing in both.
        data: the points that say where the athlete was relative to others (the
            splits and the finish, not a DNF time that was itself estimated).
        end_known: whether the last knot's time is known; when it is not (a DNF
            point, placed by pace), it is only a first guess, placed like any other.
    """

    athlete: str
    knots: list[tuple[int, int]]
    data: Mapping[int, int]
    end_known: bool = True

    @property
    def end(self) -> int:
        """Metres at the athlete's last point."""
        return self.knots[-1][0]


class FieldPaths:
    """The whole field's times at any distance, interpolated together.

    Args:
        tracks: one per athlete who ran (at least two knots each).
    """

    def __init__(self, tracks: Sequence[Track]) -> None:
        self._tracks = {track.athlete: track for track in tracks if len(track.knots) >= 2}
        self._points = sorted({m for t in self._tracks.values() for m, _ in t.knots[1:]})
        self._values: dict[str, dict[int, int]] = {
            name: {0: 0} for name in self._tracks
        }  # athlete -> union point -> ms
        self._common = _common_data(list(self._tracks.values()))
        self._swapped: dict[tuple[str, str], int] = {}  # pair -> shared point it swapped before
        own = {name: MonotoneCurve(t.knots) for name, t in self._tracks.items()}
        for point in self._points:
            self._place(point, own)
        self._shape = self._reference()

    def time_at(self, athlete: str, metres: float) -> float:
        """The athlete's time at ``metres`` (exact at the athlete's known points).

        Raises:
            KeyError: an athlete without a track.
            ValueError: ``metres`` outside 0 and the athlete's end.
        """
        track = self._tracks[athlete]
        if not 0 <= metres <= track.end:
            raise ValueError(f"distance {metres} is outside 0..{track.end} for {athlete!r}")
        values = self._values[athlete]
        points = [0, *self._points]
        index = bisect.bisect_left(points, metres)
        if points[index] == metres:
            return float(values[points[index]])
        start, end = points[index - 1], points[index]
        shape = self._shape
        fraction = (shape.at(metres) - shape.at(start)) / (shape.at(end) - shape.at(start))
        return values[start] + (values[end] - values[start]) * fraction

    # -- placing the imputed athletes at one union point ------------------------------

    def _place(self, point: int, own: Mapping[str, MonotoneCurve]) -> None:
        active = [t for t in self._tracks.values() if t.end >= point]
        names = [t.athlete for t in active]
        fixed = {
            t.athlete: ms
            for t in active
            for m, ms in t.knots
            if m == point and (m < t.end or t.end_known)
        }
        guesses: dict[str, float] = dict(fixed)
        bounds: dict[str, tuple[int, int]] = {}
        for track in active:
            if track.athlete not in fixed:
                guesses[track.athlete] = own[track.athlete].at(point)
                bounds[track.athlete] = self._bounds(track, point)
        placed = self._solve(point, names, fixed, guesses, bounds) if bounds else dict(fixed)
        for name, ms in placed.items():
            self._values[name][point] = ms

    def _solve(
        self,
        point: int,
        names: list[str],
        fixed: Mapping[str, int],
        guesses: Mapping[str, float],
        bounds: Mapping[str, tuple[int, int]],
    ) -> dict[str, int]:
        """Imputed times at ``point``: athletes the data has level move as one, then the order."""
        ahead, level, free = self._relations(point, names, fixed)
        group = _groups(names, level)
        members: dict[str, list[str]] = {}
        for name in names:
            members.setdefault(group[name], []).append(name)
        rep_fixed: dict[str, int] = {}
        rep_guess: dict[str, float] = {}
        rep_bounds: dict[str, tuple[int, int]] = {}
        for rep, inside in members.items():
            known = [fixed[name] for name in inside if name in fixed]
            if known:
                rep_fixed[rep] = known[0]
                rep_guess[rep] = known[0]
                continue
            rep_guess[rep] = sum(guesses[name] for name in inside) / len(inside)
            low = max(bounds[name][0] for name in inside)
            high = min(bounds[name][1] for name in inside)
            rep_bounds[rep] = (low, high) if low <= high else (low, low)
        rep_ahead = {
            rep: {group[first] for name in inside for first in ahead[name]} - {rep}
            for rep, inside in members.items()
        }
        order = _topological(list(members), rep_ahead, rep_guess)
        placed = _assign(order, rep_ahead, rep_fixed, rep_guess, rep_bounds)
        result: dict[str, int] = {}
        for name in names:
            if name in fixed:
                result[name] = fixed[name]
            else:
                low, high = bounds[name]
                result[name] = min(max(placed[group[name]], low), high)
        for first, second, later, next_m in free:
            if _signum(result[first] - result[second]) == later:
                self._swapped[(first, second)] = next_m  # swapped: it stays so till next_m
        return result

    def _bounds(self, track: Track, point: int) -> tuple[int, int]:
        """Lowest and highest ms an imputed time can take and still leave room to go on."""
        values = self._values[track.athlete]
        low = max(values.values()) + 1
        if point == track.end:
            return low, _NO_LIMIT_MS  # an estimated stop: only the athlete's past bounds it
        index = bisect.bisect_right([m for m, _ in track.knots], point)
        next_m, next_ms = track.knots[index]
        between = bisect.bisect_left(self._points, next_m) - bisect.bisect_right(
            self._points, point
        )
        return low, next_ms - between - 1

    def _relations(
        self, point: int, names: list[str], fixed: Mapping[str, int]
    ) -> tuple[dict[str, set[str]], list[tuple[str, str]], list[_Free]]:
        """Who the data puts ahead of whom at ``point``, which pairs it has level, and
        which pairs it lets swap here (ahead before, behind at the next shared point)."""
        ahead: dict[str, set[str]] = {name: set() for name in names}
        level: list[tuple[str, str]] = []
        free: list[_Free] = []
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                if first in fixed and second in fixed:
                    sign: int | None = fixed[first] - fixed[second]
                else:
                    sign = self._data_sign(first, second, point, free)
                if sign is None:
                    continue
                if sign < 0:
                    ahead[second].add(first)
                elif sign > 0:
                    ahead[first].add(second)
                elif not (first in fixed and second in fixed):
                    level.append((first, second))
        return ahead, level, free

    def _data_sign(self, first: str, second: str, point: int, free: list[_Free]) -> int | None:
        """Negative when the data puts ``first`` ahead near ``point``, 0 level, None silent.

        Between a shared point where one leads and the next where the other does, the
        pair may swap anywhere, once: until their places here show it, they are left
        to their own pace (and noted in ``free``); from then on, the later order holds.
        """
        gaps = self._common.get((first, second))
        if gaps is None:
            return None
        before, after, next_m = _near(gaps, point)
        if before and after and before != after and next_m is not None:
            if self._swapped.get((first, second)) == next_m:
                return after
            free.append((first, second, after, next_m))
            return None
        if before:
            return before
        if after is not None:
            return after
        return before

    def _reference(self) -> MonotoneCurve:
        """The field's median time at every union point: the shape everyone follows."""
        knots = [(0.0, 0.0)]
        for point in self._points:
            times = [v[point] for v in self._values.values() if point in v]
            median = _median(times)
            knots.append((float(point), max(median, knots[-1][1] + 1.0)))
        return MonotoneCurve(knots)


_NO_LIMIT_MS = 10**12
_FIXED_WEIGHT = 1e9  # a known time in the fit: it does not move

_Common = list[tuple[int, int]]  # (metres, first's ms - second's ms) where both have data
_Free = tuple[str, str, int, int]  # a pair that may swap here: first, second, later order, where


def _common_data(tracks: list[Track]) -> dict[tuple[str, str], _Common]:
    """For each pair, the gaps at the distances where both have a measured time."""
    common: dict[tuple[str, str], _Common] = {}
    for i, first in enumerate(tracks):
        for second in tracks[i + 1 :]:
            shared = sorted(first.data.keys() & second.data.keys())
            if shared:
                gaps = [(m, first.data[m] - second.data[m]) for m in shared]
                common[(first.athlete, second.athlete)] = gaps
    return common


def _near(gaps: _Common, point: int) -> tuple[int | None, int | None, int | None]:
    """The pair's order at the last shared point before ``point`` and at the next one after
    it (-1, 0 or 1; None where there is none), and where that next one is."""
    index = bisect.bisect_left(gaps, (point, -(2**62)))
    before = _signum(gaps[index - 1][1]) if index else None
    later = [(m, gap) for m, gap in gaps[index : index + 2] if m > point][:1]
    if not later:
        return before, None, None
    return before, _signum(later[0][1]), later[0][0]


def _signum(value: int) -> int:
    return (value > 0) - (value < 0)


def _groups(names: list[str], level: list[tuple[str, str]]) -> dict[str, str]:
    """Each athlete's group of athletes the data has level with it (union-find)."""
    parent = {name: name for name in names}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for first, second in level:
        parent[root(second)] = root(first)
    return {name: root(name) for name in names}


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def _topological(
    names: list[str], ahead: dict[str, set[str]], guesses: Mapping[str, float]
) -> list[str]:
    """Everyone in an order that keeps each "must be ahead"; ties by time.

    A cycle (orders that hold pair by pair but not all together) is broken at the
    athlete with the earliest time, whose remaining constraints are dropped.
    """
    waiting = {name: set(ahead[name]) for name in names}
    behind: dict[str, set[str]] = {name: set() for name in names}
    for name, firsts in ahead.items():
        for first in firsts:
            behind[first].add(name)
    ready = [(guesses[n], n) for n in names if not waiting[n]]
    heapq.heapify(ready)
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(names):
        if not ready:
            stuck = min((guesses[n], n) for n in names if n not in done)
            waiting[stuck[1]].clear()
            ready.append(stuck)
        _, name = heapq.heappop(ready)
        if name in done:
            continue
        done.add(name)
        order.append(name)
        for later in behind[name]:
            waiting[later].discard(name)
            if not waiting[later] and later not in done:
                heapq.heappush(ready, (guesses[later], later))
    return order


def _assign(
    order: list[str],
    ahead: Mapping[str, set[str]],
    fixed: Mapping[str, int],
    guesses: Mapping[str, float],
    bounds: Mapping[str, tuple[int, int]],
) -> dict[str, int]:
    """Whole-ms times, never decreasing along ``order``, as near the guesses as that allows.

    The fit is an isotonic regression (pool adjacent violators) in which a known
    time weighs so much that it does not move: imputed athletes out of order with
    their neighbours meet them halfway, or a known time. Where the data puts one
    athlete ahead of the next, the fit keeps them at least 1 ms apart (it is made
    on the times less a running count of those steps). Each result is then kept
    inside the athlete's own bounds, and between its neighbours' bounds where both
    can hold.
    """
    steps = [0]
    for before, name in itertools.pairwise(order):
        steps.append(steps[-1] + (before in ahead[name]))
    fitted = _isotonic(
        [fixed.get(name, guesses[name]) - step for name, step in zip(order, steps, strict=True)],
        [_FIXED_WEIGHT if name in fixed else 1.0 for name in order],
    )
    values = [value + step for value, step in zip(fitted, steps, strict=True)]
    lowest: list[int] = []
    for name in order:
        floor = fixed[name] if name in fixed else bounds[name][0]
        lowest.append(max(floor, lowest[-1]) if lowest and name not in fixed else floor)
    highest = [0] * len(order)
    for index in range(len(order) - 1, -1, -1):
        name = order[index]
        ceiling = fixed[name] if name in fixed else bounds[name][1]
        later = highest[index + 1] if index + 1 < len(order) else ceiling
        highest[index] = ceiling if name in fixed else min(ceiling, later)
    placed: dict[str, int] = {}
    for index, name in enumerate(order):
        if name in fixed:
            placed[name] = fixed[name]
            continue
        low, high = bounds[name]
        if lowest[index] <= highest[index]:
            low, high = lowest[index], highest[index]
        placed[name] = min(max(round(values[index]), low), high)
    return placed


def _isotonic(values: list[float], weights: list[float]) -> list[float]:
    """The weighted least-squares fit to ``values`` that never decreases."""
    blocks: list[list[float]] = []  # [weighted sum, weight, count]
    for value, weight in zip(values, weights, strict=True):
        blocks.append([value * weight, weight, 1.0])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, weight_sum, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += weight_sum
            blocks[-1][2] += count
    fitted: list[float] = []
    for total, weight_sum, count in blocks:
        fitted += [total / weight_sum] * int(count)
    return fitted
