"""The result table of one race, derived from its fold on demand.

Finishers come first, ordered by their 1/1000 reading then bib; a place is one
more than the number of finishers strictly faster at 1/1000, so a dead heat shares
a place and skips the next. Then athletes still running (in running order, while
there are any), then DQ, DNF and DNS, each group by bib, without a place or time.

What a screen says about the result is decided here too:

- While a photo finish is under review its athletes' rows are flagged, the
  ``notice`` is "Photo finish - under review", nobody is named winner and no row
  wears a medal colour; a protest gives the notice "Protest - result under review".
- The place-1 row is headed "First across the line" while the race is live,
  "Winner (unofficial)" once the result is unofficial, "Winner" once official and
  "Winner (protested)" while a protest is open.
- A finisher's gap is behind the first finisher, between official times; the
  1/1000 reading is shown beside the time of finishers who share an official time.
"""

from __future__ import annotations

from feed.events import ResultStatus
from feed.projections.marks import Performance, annotate
from feed.projections.medals import MEDAL_FOR_PLACE
from feed.projections.state import (
    Outcome,
    RaceFold,
    RunnerFold,
    incident_notes,
    latest_split,
    outcome,
    photo_finish_of,
)
from feed.projections.views import Mark, StandingRow, Standings
from feed.timing import format_gap, format_time, official_ms

__all__ = [
    "PHOTO_UNDER_REVIEW",
    "finishers",
    "running_order",
    "standings_of",
    "title_of",
    "winner_label",
]

PHOTO_UNDER_REVIEW = "Photo finish - under review"
_PROTESTED = "Protest - result under review"
_WINNER_LABELS: dict[ResultStatus, str] = {
    "live": "First across the line",
    "unofficial": "Winner (unofficial)",
    "official": "Winner",
    "protested": "Winner (protested)",
}

_NOT_YET = 1 << 62  # sorts athletes without a split after those with one
_MARKS: tuple[tuple[Outcome, Mark], ...] = (("dq", "DQ"), ("dnf", "DNF"), ("dns", "DNS"))


def title_of(race: RaceFold) -> str:
    """The race's heading: its event and round, ``"Men's 1500 metres, Final"``."""
    parts = [part for part in (race.info.event, race.info.round) if part]
    return ", ".join(parts) or race.race


def finishers(race: RaceFold) -> list[RunnerFold]:
    """Athletes with a time in force, fastest first at 1/1000, then by bib."""
    done = [r for r in race.runners.values() if outcome(r) == "finished"]
    done.sort(key=lambda r: (r.finish_ms, r.bib))
    return done


def running_order(runners: list[RunnerFold]) -> list[RunnerFold]:
    """Athletes still running: furthest first, then the earlier at that distance, then bib."""
    keyed = []
    for runner in runners:
        distance, elapsed = latest_split(runner)
        keyed.append((-distance, _NOT_YET if elapsed is None else elapsed, runner.bib, runner))
    keyed.sort(key=lambda item: item[:3])
    return [item[3] for item in keyed]


def winner_label(status: ResultStatus, under_review: bool) -> str | None:
    """How to head the winner's row, or ``None`` while there is no winner to name."""
    return None if under_review else _WINNER_LABELS.get(status)


def standings_of(race: RaceFold, as_of_seq: int) -> Standings:
    """The result table of ``race`` as its fold stands at ``as_of_seq``."""
    done = finishers(race)
    by_outcome: dict[Outcome, list[RunnerFold]] = {"running": [], "dq": [], "dnf": [], "dns": []}
    for runner in race.runners.values():
        kind = outcome(runner)
        if kind != "finished":
            by_outcome[kind].append(runner)
    marks = annotate(
        [
            Performance(r.athlete_id, r.nation, r.finish_ms, r.pb_ms, r.sb_ms)
            for r in done
            if r.finish_ms is not None
        ],
        race.info.records,
    )
    review = set(race.under_review)
    notes = incident_notes(race)
    officials = [official_ms(r.finish_ms) for r in done if r.finish_ms is not None]
    shared = {time for time in officials if officials.count(time) > 1}
    rows: list[StandingRow] = []
    place = 0
    previous: int | None = None
    for index, runner in enumerate(done, start=1):
        if runner.finish_ms != previous:
            place, previous = index, runner.finish_ms
        reading = runner.finish_ms
        assert reading is not None  # a finisher has a time in force
        rows.append(
            _row(
                runner,
                notes,
                review,
                place=place,
                annotations=marks.get(runner.athlete_id, []),
                gap=None if place == 1 else official_ms(reading) - officials[0],
                thousandths=official_ms(reading) in shared,
            )
        )
    rows.extend(_row(r, notes, review) for r in running_order(by_outcome["running"]))
    for kind, mark in _MARKS:
        for runner in sorted(by_outcome[kind], key=lambda r: r.bib):
            rule = runner.disqualifications[-1].rule if mark == "DQ" else None
            rows.append(_row(runner, notes, review, mark=mark, rule=rule))
    under_review = bool(review)
    notice = PHOTO_UNDER_REVIEW if under_review else None
    if notice is None and race.status == "protested":
        notice = _PROTESTED
    return Standings(
        race=race.race,
        title=title_of(race),
        status=race.status,
        as_of_seq=as_of_seq,
        rows=rows,
        photo_finish=photo_finish_of(race),
        winner_label=winner_label(race.status, under_review) if done else None,
        notice=notice,
    )


def _row(
    runner: RunnerFold,
    notes: dict[str, str],
    review: set[str],
    *,
    place: int | None = None,
    annotations: list[str] | None = None,
    mark: Mark | None = None,
    rule: str | None = None,
    gap: int | None = None,
    thousandths: bool = False,
) -> StandingRow:
    time_ms = runner.finish_ms if place is not None else None  # only a place shows a time
    medal = MEDAL_FOR_PLACE.get(place) if place is not None and not review else None
    return StandingRow(
        place=place,
        athlete_id=runner.athlete_id,
        bib=runner.bib,
        name=runner.name,
        nation=runner.nation,
        time=None if time_ms is None else format_time(time_ms),
        time_ms=time_ms,
        mark=mark,
        rule=rule,
        annotations=annotations or [],
        gap_text="" if gap is None else format_gap(gap),
        thousandths=format_time(time_ms, thousandths=True) if thousandths and time_ms else None,
        medal=medal,
        under_review=runner.athlete_id in review,
        incident=notes.get(runner.athlete_id),
    )
