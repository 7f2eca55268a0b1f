"""Judges for what happens around results: DNS, DQ and its rule, reinstatements, protests,
amended times, photo finishes and dead heats, and the result's status.

Past events stay true: "was disqualified" is supported by the disqualification
even after a reinstatement, and "the result was made official" by any moment it
was official. The feed is the record of protests and amendments in its race, so
a protest or correction it does not hold is contradicted once results are in.
"""

from __future__ import annotations

from feed.check.facts import Facts, Outcome, nope, unknown, yes
from feed.check.judge_results import within
from feed.check.model import Claim
from feed.events import AthleteDisqualified, PhotoFinishRequested, ProtestDecided, ProtestLodged
from feed.timing import format_time, official_ms

__all__ = [
    "judge_amended",
    "judge_did_not_start",
    "judge_disqualified",
    "judge_photo",
    "judge_protest",
    "judge_reinstated",
    "judge_status",
]


def judge_did_not_start(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete did not start."""
    state = facts.outcome(athlete)
    if state == "dns":
        return yes(f"{facts.name(athlete)}: DNS", facts.latest("dns", athlete))
    runner = facts.runner(athlete)
    if runner is not None and (runner.splits or runner.finish_ms is not None):
        first = min(runner.splits) if runner.splits else None
        seq = facts.split_seq(athlete, first) if first is not None else facts.time_seq(athlete)
        return nope(f"{facts.name(athlete)} started: {facts.describe_result(athlete)}", seq)
    return unknown(f"{facts.name(athlete)} has not been timed yet")


def judge_disqualified(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete was disqualified (at some point up to this state), under the rule given."""
    seqs = facts.state.evidence.all("dq", facts.race, athlete, until=facts.seq)
    if not seqs:
        row = facts.row(athlete)
        if (
            row is not None
            and row.place is not None
            and facts.fold is not None
            and facts.fold.status in ("unofficial", "official")
        ):
            return nope(
                f"{facts.describe_result(athlete)}, not disqualified", facts.time_seq(athlete)
            )
        return unknown(f"no disqualification of {facts.name(athlete)} at this point")
    event = facts.state.evidence.by_seq[seqs[-1]]
    assert isinstance(event, AthleteDisqualified)
    says = f"{facts.name(athlete)} disqualified under {event.data.rule}"
    if facts.outcome(athlete) != "dq":
        says += " (since reinstated)"
    if claim.rule is not None and _digits(claim.rule) != _digits(event.data.rule):
        return nope(says, event.seq)
    return yes(says, event.seq)


def judge_reinstated(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete was reinstated."""
    seq = facts.latest("reinstated", athlete)
    if seq is not None:
        return yes(f"{facts.name(athlete)} reinstated", seq)
    if facts.outcome(athlete) == "dq":
        return nope(
            f"{facts.describe_result(athlete)}: still disqualified", facts.latest("dq", athlete)
        )
    return unknown(f"no reinstatement of {facts.name(athlete)} at this point")


def judge_protest(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """A protest by a nation, against an athlete, upheld or rejected."""
    evidence = facts.state.evidence
    lodged = [evidence.by_seq[s] for s in evidence.all("protest", facts.race, until=facts.seq)]
    protests = [e for e in lodged if isinstance(e, ProtestLodged)]
    matching = [
        p for p in protests
        if (claim.nation is None or p.data.by == claim.nation)
        and (not claim.other or p.data.against in claim.other)
    ]  # fmt: skip
    listed = "; ".join(_protest_says(facts, p) for p in protests) or "no protest"
    if not matching:
        if protests or (facts.fold is not None and facts.fold.status == "official"):
            return nope(listed, protests[0].seq if protests else facts.latest("status", "official"))
        return unknown("no protest at this point")
    protest = matching[0]
    if claim.status is None:
        return yes(_protest_says(facts, protest), protest.seq)
    decided = [evidence.by_seq[s] for s in evidence.all("decided", facts.race, until=facts.seq)]
    decision = next(
        (
            d
            for d in decided
            if isinstance(d, ProtestDecided) and d.data.protest_id == protest.data.protest_id
        ),
        None,
    )
    if decision is None:
        return unknown(f"{_protest_says(facts, protest)}: not decided at this point", protest.seq)
    verdict = "upheld" if decision.data.upheld else "rejected"
    says = f"{_protest_says(facts, protest)}: {verdict}"
    return (yes if verdict == claim.status else nope)(says, decision.seq)


def judge_amended(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """A corrected time (for the athlete, to the time given)."""
    if athlete is None:
        amended = _of_anyone(facts, "amended")
        if amended:
            return yes("a time was amended", amended[-1])
        officials = facts.state.evidence.all("status", facts.race, "official", until=facts.seq)
        late = [s for s in _of_anyone(facts, "dq") if officials and s > officials[0]]
        if late:
            return yes("the result was amended by a disqualification", late[-1])
        return unknown("no amended result at this point")
    seq = facts.latest("amended", athlete)
    runner = facts.runner(athlete)
    if seq is None or runner is None or runner.finish_ms is None:
        if (
            runner is not None
            and runner.finish_ms is not None
            and facts.fold is not None
            and facts.fold.status == "official"
        ):
            never = (
                f"{facts.name(athlete)}'s time {format_time(runner.finish_ms)} was never amended"
            )
            return nope(never, facts.time_seq(athlete))
        return unknown(f"no amendment for {facts.name(athlete)} at this point")
    says = f"{facts.name(athlete)}'s time amended to {format_time(runner.finish_ms)}"
    if claim.time_ms is not None:
        unit = claim.unit_ms or 10
        actual = runner.finish_ms if unit == 1 else official_ms(runner.finish_ms)
        if not within(claim.time_ms, actual, unit, hedged=claim.hedged):
            return nope(says, seq)
    return yes(says, seq)


def judge_photo(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """A photo finish involving the athletes; a dead heat: equal readings at 1/1000."""
    people = [a for a in ((athlete,) if athlete else ()) + claim.other if a]
    if claim.status == "dead_heat":
        runners = [(facts.name(a), facts.runner(a)) for a in people]
        readings = [
            (n, r.finish_ms) for n, r in runners if r is not None and r.finish_ms is not None
        ]
        if len(readings) < 2 or len(readings) < len(people):
            return unknown("not all of them have a time yet")
        says = ", ".join(f"{n} {format_time(ms, thousandths=True)}" for n, ms in readings)
        seq = max(s for s in (facts.time_seq(a) for a in people) if s is not None)
        if len({ms for _, ms in readings}) == 1:
            return yes(f"dead heat: {says}", seq)
        return nope(f"separated at 1/1000: {says}", seq)
    evidence = facts.state.evidence
    requests = [
        e for s in evidence.all("photo", facts.race, until=facts.seq)
        if isinstance(e := evidence.by_seq[s], PhotoFinishRequested)
    ]  # fmt: skip
    for request in requests:
        if not people or set(people) & set(request.data.athlete_ids):
            named = " and ".join(facts.name(a) for a in request.data.athlete_ids)
            return yes(f"photo finish between {named}", request.seq)
    return unknown("the feed holds no photo finish for them at this point")


def judge_status(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """The result was (at some point up to this state) unofficial, official or protested."""
    wanted = claim.status or "official"
    seq = facts.latest("status", wanted)
    current = facts.fold.status if facts.fold is not None else "start_list"
    if seq is not None:
        return yes(f"result {wanted} (now {current})", seq)
    return nope(f"the result has not been {wanted}; it is {current}", facts.latest("status"))


def _protest_says(facts: Facts, protest: ProtestLodged) -> str:
    against = f" against {facts.name(protest.data.against)}" if protest.data.against else ""
    return f"protest {protest.data.protest_id} by {protest.data.by}{against}"


def _of_anyone(facts: Facts, kind: str) -> list[int]:
    """Seqs of the events of ``kind`` ("amended", "dq") about any athlete of the race."""
    if facts.fold is None:
        return []
    found: list[int] = []
    for athlete in facts.fold.runners:
        found += facts.state.evidence.all(kind, facts.race, athlete, until=facts.seq)
    return sorted(found)


def _digits(rule: str) -> str:
    return "".join(ch for ch in rule if ch.isdigit() or ch == ".").strip(".")
