"""Judges for results: won, place, time, margin, medal and record claims.

Times are compared at the precision they were written to: "3:34.10" must match
the official time (1/1000 rounded up to 1/100) to within a hundredth, "3:34.1" to
within a tenth, "3:34.094" the reading itself; "about" widens it to a second. A
result not yet decided at the state judged (nobody finished, the athlete still
running) is not checkable, never contradicted.
"""

from __future__ import annotations

import msgspec

from feed.check.facts import Facts, Outcome, clock, nope, ordinal, unknown, yes
from feed.check.model import Claim
from feed.projections.medals import MEDAL_FOR_PLACE
from feed.timing import format_time, official_ms

__all__ = [
    "judge_margin",
    "judge_medal",
    "judge_place",
    "judge_record",
    "judge_time",
    "judge_won",
    "within",
]

_RECORD_NAMES = {"PB": "personal best", "SB": "season's best", "NR": "national record",
                 "CR": "championship record", "WL": "world lead", "WR": "world record",
                 "OR": "Olympic record"}  # fmt: skip


def within(written: int, actual: int, unit: int, *, hedged: bool, loose: int = 1000) -> bool:
    """Whether ``written`` (to ``unit`` ms) agrees with ``actual``; hedged: within ``loose``."""
    tolerance = max(unit, loose) if hedged else unit
    return abs(written - actual) < tolerance


def judge_won(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete is placed first."""
    row = facts.row(athlete)
    says, seq = facts.winner_says()
    if row is not None and row.place == 1:
        return yes(says, seq)
    if row is not None and row.place is None and row.mark is None:
        if not facts.placed():
            return unknown("nobody has finished yet")
        return nope(f"{says}; {facts.name(athlete)} has not finished", seq)
    return nope(f"{says}; {facts.describe_result(athlete)}", seq)


def judge_place(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete's finishing place (0: last of the finishers)."""
    row = facts.row(athlete)
    if row is None:
        return unknown(f"{facts.name(athlete)} is not in the results")
    seq = facts.time_seq(athlete) or facts.latest(row.mark.lower() if row.mark else "time", athlete)
    if claim.status == "crossed" and row.mark == "DQ":
        return _crossing(facts, athlete, claim.place or 0)
    if row.place is None:
        if row.mark is not None:
            return nope(facts.describe_result(athlete), seq)
        return unknown(f"{facts.name(athlete)} has not finished yet")
    wanted = claim.place or 0
    if wanted == 0:
        last = max(r.place or 0 for r in facts.placed())
        if row.place == last and facts.over():
            return yes(f"{facts.describe_result(athlete)} (last of the finishers)", seq)
        if row.place != last or facts.over():
            return nope(f"{facts.describe_result(athlete)}; last was {ordinal(last)}", seq)
        return unknown("others are still running")
    if row.place == wanted:
        return yes(facts.describe_result(athlete), seq)
    return nope(facts.describe_result(athlete), seq)


def _crossing(facts: Facts, athlete: str, wanted: int) -> Outcome:
    """ "Crossed the line second": the order at the line, counting those disqualified since."""
    fold = facts.fold
    if fold is None:
        return unknown("the race is not in the feed yet")
    crossed = sorted(
        (r.finish_ms, r.bib, r.athlete_id) for r in fold.runners.values() if r.finish_ms is not None
    )
    order = [athlete_id for _, _, athlete_id in crossed]
    if athlete not in order:
        return unknown(f"{facts.name(athlete)} has no finish reading")
    mine = order.index(athlete) + 1
    says = (
        f"{facts.name(athlete)} crossed the line {ordinal(mine)} ({facts.describe_result(athlete)})"
    )
    wanted = wanted or len(order)
    return (yes if mine == wanted else nope)(says, facts.time_seq(athlete))


def judge_time(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete's finishing time, at the written precision."""
    runner = facts.runner(athlete)
    if runner is None or runner.finish_ms is None:
        state = facts.outcome(athlete)
        if state in ("dnf", "dns"):
            return nope(facts.describe_result(athlete), facts.latest(state, athlete))
        return unknown(f"{facts.name(athlete)} has no time yet")
    written, unit = claim.time_ms or 0, claim.unit_ms or 10
    actual = runner.finish_ms if unit == 1 else official_ms(runner.finish_ms)
    shown = format_time(runner.finish_ms, thousandths=unit == 1)
    says = f"{facts.name(athlete)} ran {shown}"
    seq = facts.time_seq(athlete)
    if within(written, actual, unit, hedged=claim.hedged):
        return yes(says, seq)
    return nope(says, seq)


def judge_margin(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """How far the athlete finished ahead of the other (or of the next finisher), or behind
    the winner."""
    if claim.status == "behind_winner":
        winners = [r for r in facts.placed() if r.place == 1]
        if not winners or winners[0].athlete_id == athlete:
            return unknown("no winner ahead of the athlete yet")
        flipped = msgspec.structs.replace(claim, other=(athlete,), status=None)
        return judge_margin(flipped, facts, winners[0].athlete_id)
    row = facts.row(athlete)
    if row is None or row.place is None or row.time_ms is None:
        return unknown(f"{facts.name(athlete)} has no place yet")
    others = [r for r in facts.placed() if r.athlete_id in claim.other]
    if not claim.other:
        others = [r for r in facts.placed() if (r.place or 0) > row.place][:1]
    if not others or others[0].time_ms is None:
        if not claim.other:
            return unknown(f"nobody is placed behind {row.name} at this point")
        return unknown("the other athlete has no time yet")
    other = others[0]
    unit = claim.unit_ms or 10
    mine, theirs = row.time_ms, other.time_ms or 0
    if unit != 1:
        mine, theirs = official_ms(mine), official_ms(theirs)
    gap = theirs - mine
    says = f"{row.name} {clock(row.time_ms)}, {other.name} {clock(other.time_ms or 0)}"
    if unit == 1:
        says = (f"{row.name} {format_time(row.time_ms, thousandths=True)}, "
                f"{other.name} {format_time(other.time_ms or 0, thousandths=True)}")  # fmt: skip
    says += f": a margin of {gap / 1000:.{3 if unit == 1 else 2}f} s"
    seqs = [s for s in (facts.time_seq(row.athlete_id), facts.time_seq(other.athlete_id)) if s]
    seq = max(seqs) if seqs else None
    # A margin is a rounded figure: "a tenth" is 0.05 to 0.15 s, "two hundredths" 0.02 s.
    tolerance = unit if claim.hedged else unit / 2
    if gap > 0 and abs((claim.time_ms or 0) - gap) <= tolerance:
        return yes(says, seq)
    return nope(says, seq)


def judge_medal(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """The athlete's (or the nation's) medal, from places (a DQ holds none)."""
    medal = claim.medal or "gold"
    holders = [
        r for r in facts.placed() if r.mark is None and MEDAL_FOR_PLACE.get(r.place or 0) == medal
    ]
    described = ", ".join(f"{r.name} ({r.nation})" for r in holders) or "nobody"
    seq = facts.time_seq(holders[0].athlete_id) if holders else None
    if athlete is None:
        nation = claim.nation or ""
        if any(r.nation == nation for r in holders):
            return yes(f"{medal}: {described}", seq)
        if holders:
            return nope(f"{medal}: {described}", seq)
        return unknown(f"no {medal} medallist yet")
    row = facts.row(athlete)
    if row is not None and row.athlete_id in {h.athlete_id for h in holders}:
        return yes(f"{medal}: {described}", seq)
    if row is not None and (row.place is not None or row.mark is not None or facts.over()):
        mine = facts.time_seq(athlete) or seq
        return nope(f"{facts.describe_result(athlete)}; {medal}: {described}", mine)
    return unknown(f"{facts.name(athlete)} has not finished yet")


def judge_record(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """A record or best set in this race, where the feed holds what it is measured against."""
    kind = claim.record or ""
    fold, runner, row = facts.fold, facts.runner(athlete), facts.row(athlete)
    if fold is None or runner is None or row is None:
        return unknown("the athlete is not in the race")
    if kind == "OR":
        if "olympic" not in fold.info.championship.lower():
            return unknown("an Olympic record, in a race that is not at the Olympic Games")
        kind = "CR"
    name = _RECORD_NAMES.get(claim.record or kind, kind)
    seq = facts.time_seq(athlete)
    if row.place is None:
        return unknown(f"{facts.describe_result(athlete)}: no mark yet")
    if kind == "NR" and claim.nation is not None and claim.nation != runner.nation:
        return nope(
            f"{runner.name} runs for {runner.nation}, not {claim.nation}", facts.latest("scheduled")
        )
    if kind in row.annotations or (kind == "SB" and "PB" in row.annotations):
        return yes(f"{runner.name} {row.time}: {' '.join(row.annotations)}", seq)
    known = {
        "PB": runner.pb_ms is not None,
        "SB": runner.sb_ms is not None or runner.pb_ms is not None,
        "NR": any(r.kind == "NR" and r.nation == runner.nation for r in fold.info.records),
    }.get(kind, any(r.kind == kind for r in fold.info.records))
    if not known:
        return unknown(f"the feed holds no {name} to measure {runner.name}'s {row.time} against")
    marks = " ".join(row.annotations) or "no marks"
    return nope(f"{runner.name} {row.time}: {marks}", seq)
