"""Properties of the fold over generated streams (hypothesis prints the seed on failure)."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from feed.events import Event, ResultStatus
from feed.projections import Projection, ProjectionState, project, rank_nations
from tests.projections.builders import Stream, athlete

_NATIONS = ["GBR", "KEN", "NOR", "POR", "USA"]
_STATUSES: list[ResultStatus] = ["unofficial", "official", "protested"]


@st.composite
def streams(draw: st.DrawFn) -> list[Event]:
    """A championship-like stream: races with splits, finishes, marks and corrections."""
    stream = Stream()
    for race_number in range(draw(st.integers(1, 3))):
        race = f"race{race_number}"
        size = draw(st.integers(1, 7))
        ids = [f"{race}-a{i}" for i in range(size)]
        entrants = [
            athlete(
                bib,
                athlete_id,
                draw(st.sampled_from(_NATIONS)),
                pb=draw(st.none() | st.integers(209_000, 211_000)),
                sb=draw(st.none() | st.integers(209_000, 212_000)),
            )
            for bib, athlete_id in enumerate(ids, start=1)
        ]
        stream.schedule(entrants, race=race)
        fates = {
            a: draw(st.sampled_from(["finish", "finish", "finish", "dnf", "dns"])) for a in ids
        }
        for athlete_id in ids:
            if fates[athlete_id] == "dns":
                stream.dns(athlete_id, race=race)
        stream.gun(race=race)
        for distance in range(400, 1600, 400):
            for athlete_id in ids:
                if fates[athlete_id] != "dns":
                    elapsed = distance * 140 + draw(st.integers(0, 3_000))
                    stream.split(athlete_id, distance, elapsed, race=race)
        for athlete_id in ids:
            if fates[athlete_id] == "finish":
                # a narrow window, so dead heats at 1/1000 and 1/100 happen
                stream.finish(athlete_id, 210_000 + draw(st.integers(0, 40)), race=race)
            elif fates[athlete_id] == "dnf":
                stream.dnf(athlete_id, race=race)
        for _ in range(draw(st.integers(0, 5))):
            athlete_id = draw(st.sampled_from(ids))
            action = draw(st.sampled_from(["status", "dq", "reinstate", "amend", "photo"]))
            if action == "status":
                stream.status(draw(st.sampled_from(_STATUSES)), race=race)
            elif action == "dq":
                stream.disqualify(athlete_id, race=race)
            elif action == "reinstate":
                stream.reinstate(athlete_id, draw(st.integers(1, stream.seq)), race=race)
            elif action == "amend":
                stream.amend(athlete_id, 210_000 + draw(st.integers(0, 40)), 1, race=race)
            else:
                stream.photo({athlete_id: 210_000 + draw(st.integers(0, 40))}, race=race)
    return stream.events


def _fold(events: list[Event]) -> Projection:
    projection = Projection()
    projection.apply_all(events)
    return projection


@settings(max_examples=150, deadline=None)
@given(events=streams(), data=st.data())
def test_folding_in_two_chunks_gives_the_same_state_as_in_one_go(
    events: list[Event], data: st.DataObject
) -> None:
    """Stopping anywhere and going on (even through a copy) ends in the same state."""
    cut = data.draw(st.integers(0, len(events)))
    chunked = _fold(events[:cut]).copy()
    chunked.apply_all(events[cut:])
    assert chunked.state == _fold(events).state


@settings(max_examples=100, deadline=None)
@given(events=streams())
def test_projecting_twice_gives_the_same_state_and_views(events: list[Event]) -> None:
    """The fold is deterministic: same events, same state, same views."""
    first, second = project(events), project(events)
    assert first.state == second.state
    assert first.snapshot() == second.snapshot()


@settings(max_examples=150, deadline=None)
@given(events=streams(), data=st.data())
def test_the_state_round_trips_through_json_and_resumes_to_the_same_result(
    events: list[Event], data: st.DataObject
) -> None:
    """Decode(encode(state)) is an equal projection, and folding on from it matches a full fold."""
    cut = data.draw(st.integers(0, len(events)))
    partial = _fold(events[:cut])
    decoded = msgspec.json.decode(msgspec.json.encode(partial.state), type=ProjectionState)
    resumed = Projection.from_state(decoded)
    assert resumed == partial
    resumed.apply_all(events[cut:])
    full = _fold(events)
    assert resumed == full
    assert resumed.all_standings() == full.all_standings()
    assert resumed.medal_table() == full.medal_table()


@settings(max_examples=150, deadline=None)
@given(events=streams())
def test_a_place_is_one_more_than_the_number_of_finishers_strictly_faster(
    events: list[Event],
) -> None:
    """Every placed row obeys the dead-heat rule, and every entrant is listed exactly once."""
    projection = project(events)
    for standings in projection.all_standings():
        placed = [r for r in standings.rows if r.place is not None]
        for row in placed:
            assert row.time_ms is not None
            faster = sum(1 for other in placed if (other.time_ms or 0) < row.time_ms)
            assert row.place == 1 + faster
        ids = [r.athlete_id for r in standings.rows]
        assert len(ids) == len(set(ids)) == len(projection.state.races[standings.race].runners)


_counts = st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3))


@given(tally=st.dictionaries(st.text("ABCDEFGHIJ", min_size=3, max_size=3), _counts))
def test_medal_ranking_is_a_total_order_consistent_with_the_rules(
    tally: dict[str, tuple[int, int, int]],
) -> None:
    """Rows are sorted by (-gold, -silver, -bronze, nation); equal ranks iff equal counts."""
    rows = rank_nations(tally)
    keys = [(-r.gold, -r.silver, -r.bronze, r.nation) for r in rows]
    assert keys == sorted(keys)
    assert {r.nation for r in rows} == set(tally)
    for row in rows:
        better = sum(
            1 for o in rows if (o.gold, o.silver, o.bronze) > (row.gold, row.silver, row.bronze)
        )
        assert row.rank == 1 + better
        assert row.total == row.gold + row.silver + row.bronze
    for a in rows:
        for b in rows:
            same = (a.gold, a.silver, a.bronze) == (b.gold, b.silver, b.bronze)
            assert (a.rank == b.rank) == same
