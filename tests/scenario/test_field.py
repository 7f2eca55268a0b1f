"""Interpolated splits keep the running order the data gives; they never invent an overtake."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from feed.builder import RaceBuilder
from feed.events import SplitRecorded
from feed.scenario import compile_race
from feed.scenario.field import FieldPaths, Track
from feed.timing import format_time

_SETTINGS = settings(max_examples=150, deadline=None, print_blob=True)
_LEVEL_MS = 1  # each athlete's time is rounded to the ms on its own: a 1 ms gap is level


class _Race:
    """A generated race: what each athlete's known points are, and what was compiled."""

    def __init__(self, distance: int, known: dict[str, dict[int, int]], ends: dict[str, int]):
        self.distance = distance
        self.known = known  # athlete -> metres -> ms, the finish included for finishers
        self.ends = ends  # athlete -> finish or DNF metres
        builder = RaceBuilder(distance_m=distance)
        for name in known:
            builder.athlete(name.title(), "GBR", athlete_id=name)
        for name, points in known.items():
            splits = {m: _text(ms) for m, ms in points.items() if m < distance}
            if splits:
                builder.splits(name, splits)
            if ends[name] == distance:
                builder.finish(name, _text(points[distance]))
            else:
                builder.dnf(name, at_m=ends[name])
        self.events = compile_race(builder.spec())

    def splits(self) -> dict[str, dict[int, tuple[int, bool]]]:
        """athlete -> metres -> (ms, estimated), from the compiled events."""
        found: dict[str, dict[int, tuple[int, bool]]] = {name: {} for name in self.known}
        for event in self.events:
            if isinstance(event, SplitRecorded):
                data = event.data
                found[data.athlete_id][data.distance_m] = (data.elapsed_ms, data.estimated)
        return found


def _text(ms: int) -> str:
    return format_time(ms, thousandths=True)


def _sign(gap: int) -> int:
    return 0 if abs(gap) <= _LEVEL_MS else (1 if gap > 0 else -1)


@st.composite
def column_races(draw: st.DrawFn) -> _Race:
    """Split columns known for everyone still running, any pacing, some athletes stopping."""
    distance = draw(st.sampled_from([800, 1500]))
    grid = list(range(100, distance, 100))
    columns = sorted(draw(st.sets(st.sampled_from(grid), max_size=5)))
    count = draw(st.integers(2, 6))
    known: dict[str, dict[int, int]] = {}
    ends: dict[str, int] = {}
    for index in range(count):
        name = f"runner-{index}"
        stops = draw(st.booleans()) and draw(st.integers(0, 3)) == 0
        end = draw(st.integers(1, distance - 1)) if stops else distance
        points = [m for m in columns if m < end] + ([distance] if end == distance else [])
        times: dict[int, int] = {}
        previous_m = previous_ms = 0
        for metres in points:
            speed = draw(st.floats(5.5, 8.5))
            previous_ms += round((metres - previous_m) / speed * 1000)
            previous_m = metres
            times[metres] = previous_ms
        known[name] = times
        ends[name] = end
    return _Race(distance, known, ends)


@st.composite
def steady_races(draw: st.DrawFn) -> _Race:
    """A race in which nobody ever overtakes, with each athlete's known splits at random."""
    distance = draw(st.sampled_from([800, 1500, 5000]))
    grid = list(range(100, distance + 1, 100))
    pace = draw(st.lists(st.floats(12_000, 17_000), min_size=len(grid), max_size=len(grid)))
    base = list(itertools.accumulate(pace))
    count = draw(st.integers(2, 7))
    known: dict[str, dict[int, int]] = {}
    for index in range(count):
        chosen = draw(st.sets(st.sampled_from(grid[:-1]), max_size=6)) | {distance}
        scale = 1 + 0.004 * index  # runner-0 leads, runner-1 second ... all the way
        known[f"runner-{index}"] = {m: round(base[m // 100 - 1] * scale) for m in sorted(chosen)}
    return _Race(distance, known, dict.fromkeys(known, distance))


def _common(race: _Race, first: str, second: str) -> list[int]:
    return sorted(race.known[first].keys() & race.known[second].keys())


@_SETTINGS
@given(column_races())
def test_an_interpolated_split_shows_an_order_the_nearest_known_points_show(race: _Race) -> None:
    """A ahead of B at an interpolated split: A was ahead at the last shared known point, or is
    at the next one; between two shared known points the order changes at most once."""
    splits = race.splits()
    for first, second in itertools.combinations(race.known, 2):
        common = _common(race, first, second)
        if not common:
            continue  # the data never compares them
        shared = sorted(splits[first].keys() & splits[second].keys())
        bounds = [0, *common]
        for start, stop in itertools.pairwise([*bounds, race.distance + 1]):
            inside = [m for m in shared if start < m < stop]
            if not inside:
                continue
            ends = [
                _sign(race.known[first][m] - race.known[second][m])
                for m in (start, stop)
                if m in common
            ]
            if not any(ends) and stop not in common:
                continue  # level where one of them last has a time: the data says no more
            signs = [_sign(splits[first][m][0] - splits[second][m][0]) for m in inside]
            told = [s for s in [*ends[:1], *signs, *ends[1:]] if s]
            # The interpolated order is one that a known point next to it shows ...
            assert all(s in ends for s in signs if s), (first, second, start, stop, signs, ends)
            # ... and it changes at most once on the way from one known point to the next.
            assert sum(1 for a, b in itertools.pairwise(told) if a != b) <= 1, (told, start, stop)


@_SETTINGS
@given(steady_races())
def test_a_race_without_overtakes_in_its_data_has_none_in_its_splits(race: _Race) -> None:
    """However sparse each athlete's known splits, nobody passes anybody at any split."""
    splits = race.splits()
    names = list(race.known)
    for metres in range(100, race.distance, 100):
        times = [splits[name][metres][0] for name in names]
        assert times == sorted(times), (metres, times)


@_SETTINGS
@given(column_races())
def test_known_splits_are_exact_and_measured_and_every_other_split_is_estimated(
    race: _Race,
) -> None:
    """A split the data has is emitted as it is, not estimated; the rest are estimates."""
    for name, found in race.splits().items():
        for metres, (ms, estimated) in found.items():
            if metres in race.known[name]:
                assert (ms, estimated) == (race.known[name][metres], False)
            else:
                assert estimated, (name, metres)
        times = [ms for _, (ms, _) in sorted(found.items())]
        assert times == sorted(set(times))


def test_a_leader_at_both_known_points_leads_at_every_split_between() -> None:
    """The bug this replaces: two curves of different shape crossed between shared points."""
    leader = {400: 56_000, 1500: 210_000}
    chaser = {400: 57_000, 1200: 168_000, 1300: 182_500, 1500: 210_500}
    race = _Race(1500, {"leader": leader, "chaser": chaser}, {"leader": 1500, "chaser": 1500})
    splits = race.splits()
    for metres in range(100, 1500, 100):
        assert splits["leader"][metres][0] < splits["chaser"][metres][0], metres


def test_a_swap_between_two_known_points_happens_once_in_between() -> None:
    """B passes A between 800 m and the finish: once, and not before 800 m."""
    first = {400: 60_000, 800: 120_000, 1500: 215_000}
    second = {400: 60_500, 800: 120_400, 1500: 214_000}
    race = _Race(1500, {"a": first, "b": second}, {"a": 1500, "b": 1500})
    splits = race.splits()
    ahead = [splits["a"][m][0] < splits["b"][m][0] for m in range(100, 1500, 100)]
    assert ahead[:8] == [True] * 8
    assert ahead == sorted(ahead, reverse=True)  # True ... then False, never back


def test_the_paths_pass_through_every_known_point() -> None:
    """time_at is exact at each knot and between them lies between its neighbours."""
    tracks = [
        Track("a", [(0, 0), (400, 58_000), (1500, 214_000)], {400: 58_000, 1500: 214_000}),
        Track("b", [(0, 0), (1500, 215_000)], {1500: 215_000}),
    ]
    paths = FieldPaths(tracks)
    assert paths.time_at("a", 400) == 58_000
    assert paths.time_at("b", 1500) == 215_000
    assert 58_000 < paths.time_at("b", 400) < paths.time_at("b", 800) < 215_000
