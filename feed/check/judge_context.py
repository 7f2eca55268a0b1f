"""Judges for the context of a race: its competition, an athlete's nation and age, how many
ran, and the medal table.

Ages are judged only where the feed knows a date of birth; otherwise the
checker abstains. The medal table counts official races only (``feed.projections.medals``),
so before any race is official a medal-table claim is not checkable.
"""

from __future__ import annotations

from feed.check.facts import Facts, Outcome, nope, unknown, yes
from feed.check.model import Claim
from feed.check.subjects import age_on
from feed.check.vocab import competition_of
from feed.projections.state import outcome

__all__ = ["judge_age", "judge_competition", "judge_count", "judge_medal_table", "judge_nation"]


def judge_competition(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """The competition, city and year the text places the race in."""
    fold, named = facts.fold, claim.competition
    if fold is None or named is None:
        return unknown("the race is not in the feed yet")
    kind, cities, years = competition_of(fold.info)
    where = f"{fold.info.championship}, {fold.info.venue}"
    says = f"the feed's race is {fold.info.event} {fold.info.round} at the {where}"
    seq = facts.latest("scheduled")
    wrong = (
        (named.kind is not None and kind is not None and named.kind != kind)
        or (named.city is not None and cities and named.city not in cities)
        or (named.year is not None and years and named.year not in years)
    )
    return (nope if wrong else yes)(says, seq)


def judge_nation(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete's nation."""
    runner = facts.runner(athlete)
    if runner is None:
        return unknown(f"{athlete} is not in the race")
    says = f"{runner.name} runs for {runner.nation}"
    return (yes if runner.nation == claim.nation else nope)(says, facts.latest("scheduled"))


def judge_age(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete's age on race day, where the feed knows the date of birth."""
    info = facts.vocab.athlete(facts.race, athlete)
    race = facts.vocab.races.get(facts.race)
    day = race.day if race is not None else None
    if info is None or info.born is None or day is None:
        return unknown(f"the feed does not know {facts.name(athlete)}'s age")
    age = age_on(info.born, day)
    says = f"{info.name}, born {info.born.isoformat()}, was {age} on {day.isoformat()}"
    return (yes if age == claim.age else nope)(says, facts.latest("scheduled"))


def judge_count(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """How many were on the start list, or started."""
    fold = facts.fold
    if fold is None:
        return unknown("the race is not in the feed yet")
    entrants = len(fold.runners)
    starters = entrants - sum(1 for r in fold.runners.values() if r.dns)
    finishers = sum(1 for r in fold.runners.values() if outcome(r) == "finished")
    if claim.count_of == "entrants":
        count, says = entrants, f"{entrants} on the start list"
    elif claim.count_of == "finishers":
        count, says = finishers, f"{finishers} finishers ({starters} starters)"
    else:
        count, says = starters, f"{starters} starters ({entrants} on the start list)"
    seq = facts.latest("race_started") or facts.latest("scheduled")
    return (yes if count == claim.count else nope)(says, seq)


def judge_medal_table(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """A nation's rank (1: tops the table) or medal count in the medal table."""
    table = facts.state.projection.medal_table()
    if not table.races_counted:
        return unknown("no race is official yet: the medal table is empty")
    row = next((r for r in table.rows if r.nation == claim.nation), None)
    top = ", ".join(f"{r.rank}. {r.nation} {r.gold}-{r.silver}-{r.bronze}" for r in table.rows[:3])
    seq = facts.latest("status", "official")
    if claim.place is not None:
        rank = row.rank if row is not None else None
        return (yes if rank == claim.place else nope)(f"medal table: {top}", seq)
    counts = {"gold": 0, "silver": 0, "bronze": 0, "total": 0}
    if row is not None:
        counts = {"gold": row.gold, "silver": row.silver, "bronze": row.bronze, "total": row.total}
    have = counts.get(claim.count_of or "total", 0)
    gold, silver, bronze = counts["gold"], counts["silver"], counts["bronze"]
    says = f"{claim.nation}: {gold} gold, {silver} silver, {bronze} bronze"
    return (yes if have == claim.count else nope)(says, seq)
