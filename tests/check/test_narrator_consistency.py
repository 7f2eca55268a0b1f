"""racefeed's own commentary agrees with the feed: at every seq of every built-in scenario, the
lines the narrator wrote for that event pass ``assert_consistent`` as of that seq; and the whole
blog of each single race, stamped with race time, passes against the final feed."""

from __future__ import annotations

import pytest

from feed.check import Checker
from feed.check.assertion import assert_consistent
from feed.io.catalog import known_ids
from feed.narrative import NarrativeLine, Narrator
from feed.projections import Projection
from feed.timing import format_clock
from tests.check.checkkit import checker, events

SCENARIOS = known_ids()


def narrate(scenario: str) -> list[NarrativeLine]:
    projection, narrator = Projection(), Narrator()
    for event in events(scenario):
        projection.apply(event)
        narrator.apply(event, projection)
    return list(narrator.lines)


def test_every_built_in_scenario_is_covered() -> None:
    """The catalog holds the four real finals, the championship and the edge cases."""
    assert {"tokyo-2025-m1500-final", "tokyo-2025-championship", "edge-amended-time"} <= set(
        SCENARIOS
    )


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_narrator_passes_the_check_at_every_seq(scenario: str) -> None:
    """Each seq's lines, judged as a reader at that seq, contradict nothing."""
    feed: Checker = checker(scenario)
    by_seq: dict[int, list[str]] = {}
    for line in narrate(scenario):
        by_seq.setdefault(line.seq, []).append(line.text)
    judged = 0
    for event in events(scenario):
        lines = by_seq.get(event.seq, [])
        report = assert_consistent("\n\n".join(lines), feed, at_seq=event.seq)
        judged += report.supported
    assert judged > 20  # the check read the commentary, it did not just find nothing


@pytest.mark.parametrize(
    "scenario", [s for s in SCENARIOS if len({e.race for e in events(s)}) == 1]
)
def test_the_narrators_blog_stamped_with_race_time_passes_against_the_final_feed(
    scenario: str,
) -> None:
    """[m:ss.f] before each line: every entry is judged at its own moment, not with hindsight."""
    blog = "\n".join(
        f"[{format_clock(max(line.race_ms, 0))}] {line.text}" for line in narrate(scenario)
    )
    report = assert_consistent(blog, checker(scenario))
    assert report.supported > 20
    assert report.not_checkable <= report.supported // 5
