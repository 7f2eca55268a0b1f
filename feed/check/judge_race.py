"""Judges for the race as run: positions and splits at points, lap times, passes, incidents,
and whether an athlete finished.

A position at a point is read from the order in which athletes reached that
split distance (the finish counts as the last split). An athlete who has reached
a distance is placed exactly there even while others are still on their way; one
who has not reached it makes the claim not checkable at that state.
"""

from __future__ import annotations

import re

from feed.check.facts import Facts, Outcome, clock, nope, ordinal, unknown, yes
from feed.check.judge_results import within
from feed.check.lexicon import BODY_PARTS
from feed.check.model import Claim

__all__ = [
    "judge_finished",
    "judge_incident",
    "judge_lap",
    "judge_passed",
    "judge_position",
    "judge_split",
    "judge_stopped",
]

_BODY = re.compile(r"\b(" + "|".join(BODY_PARTS) + r")\b")
_NEAR_M = 100  # an incident placed within this of where the feed has it agrees


def judge_position(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """Place in the running order at a point, now, or (for a leader) at some point."""
    place = claim.place or 0
    if claim.status == "now":
        return _position_now(facts, athlete, place)
    if claim.distance_m is None:
        return _led_somewhere(facts, athlete)
    low, high = claim.distance_m, claim.to_m if claim.to_m is not None else claim.distance_m
    distances = facts.split_distances(low, high)
    if not distances:
        return unknown(f"no split between {low} m and {high} m in the feed at this point")
    verdicts: list[Outcome] = []
    for distance in distances:
        order = [athlete_id for athlete_id, _ in facts.order_at(distance)]
        if athlete not in order:
            continue
        mine = order.index(athlete) + 1
        says = _order_says(facts, distance, athlete, mine)
        if mine == place or (place == 0 and mine == len(order) and facts.over()):
            return yes(says, facts.at_split_seq(athlete, distance))
        holder = order[place - 1] if 0 < place <= len(order) else athlete
        verdicts.append(nope(says, facts.at_split_seq(holder, distance)))
    if verdicts:
        return verdicts[-1]
    return unknown(f"{facts.name(athlete)} has not reached {low} m at this point")


def judge_split(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """Race time at a point: the athlete's, or the leader's there."""
    low = claim.distance_m or 0
    high = claim.to_m if claim.to_m is not None else low
    results: list[Outcome] = []
    for distance in facts.split_distances(low, high):
        order = facts.order_at(distance)
        if athlete is None:
            who, elapsed = order[0]
        else:
            found = [(a, ms) for a, ms in order if a == athlete]
            if not found:
                continue
            who, elapsed = found[0]
        says = f"{facts.name(who)} at {distance} m in {clock(elapsed)}"
        seq = facts.at_split_seq(who, distance)
        if within(claim.time_ms or 0, elapsed, claim.unit_ms or 10, hedged=claim.hedged):
            return yes(says, seq)
        results.append(nope(says, seq))
    if results:
        return results[-1]
    return unknown(f"no split at {low} m for that athlete in the feed at this point")


def judge_lap(claim: Claim, facts: Facts, athlete: str | None) -> Outcome:
    """The time of lap n of the athlete leading at its end."""
    fold = facts.fold
    lap = claim.lap or 0
    if fold is None or lap < 1:
        return unknown("no such lap")
    end, start = lap * fold.info.lap_m, (lap - 1) * fold.info.lap_m
    order = facts.order_at(end)
    if not order:
        return unknown(f"nobody has reached {end} m at this point")
    leader = facts.runner(order[0][0])
    if leader is None or (start and start not in leader.splits):
        return unknown(f"no split at {start} m for the leader at {end} m")
    taken = order[0][1] - (leader.splits[start] if start else 0)
    says = f"lap {lap} ({start}-{end} m) of {leader.name}, leading at {end} m: {clock(taken)}"
    seq = facts.at_split_seq(leader.athlete_id, end)
    if within(claim.time_ms or 0, taken, claim.unit_ms or 10, hedged=claim.hedged):
        return yes(says, seq)
    return nope(says, seq)


def judge_passed(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete got ahead of the other: ahead of them at a split of the point's window."""
    if not claim.other:
        return unknown("who was passed is not clear")
    other = claim.other[0]
    low = claim.distance_m if claim.distance_m is not None else 0
    high = claim.to_m if claim.to_m is not None else 100_000
    ahead: list[int] = []
    behind: list[int] = []
    for distance in facts.split_distances(low, high):
        order = [a for a, _ in facts.order_at(distance)]
        if athlete in order and other in order:
            (ahead if order.index(athlete) < order.index(other) else behind).append(distance)
    names = f"{facts.name(athlete)} and {facts.name(other)}"
    if claim.distance_m is None:
        if behind and ahead and max(ahead) > min(behind):
            where = min(d for d in ahead if d > min(behind))
            return yes(
                f"{names}: ahead at {where} m after trailing", facts.split_seq(athlete, where)
            )
        return unknown(f"the splits of {names} show no pass")
    if ahead:
        return yes(f"{facts.name(athlete)} ahead of {facts.name(other)} at {ahead[0]} m",
                   facts.at_split_seq(athlete, ahead[0]))  # fmt: skip
    if behind:
        spots = ", ".join(map(str, behind))
        says = f"{facts.name(athlete)} behind {facts.name(other)} at {spots} m"
        return nope(says, facts.at_split_seq(other, behind[-1]))
    return unknown(f"no split of both {names} near that point")


def judge_incident(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """Who, what, the body part (where the feed names one), where, and whether they went on."""
    fold = facts.fold
    if fold is None:
        return unknown("the race is not in the feed yet")
    seen = [i for i in fold.incidents if i.seq <= facts.seq]
    mine = [i for i in seen if i.athlete_id == athlete]
    if not mine:
        others = [
            i for i in seen
            if (claim.incident is None or i.kind == claim.incident)
            and (claim.body_part is None or _body(i.detail) == claim.body_part)
        ]  # fmt: skip
        # The feed records injuries and falls: one named for the wrong athlete is wrong.
        if others and claim.incident != "obstruction":
            first = others[0]
            return nope(f"no incident for {facts.name(athlete)}; the feed's {first.kind} "
                        f"is {facts.name(first.athlete_id)}'s", first.seq)  # fmt: skip
        return unknown(f"the feed records no incident for {facts.name(athlete)}")
    incident = next((i for i in mine if i.kind == claim.incident), mine[-1])
    to_go = fold.info.distance_m - incident.distance_m
    what = f"{incident.kind}" + (f" ({incident.detail})" if incident.detail else "")
    went_on = "kept going" if incident.continues else "stopped"
    says = f"{facts.name(athlete)}: {what} at {incident.distance_m} m ({to_go} m to go), {went_on}"
    lenient = {"fall", "obstruction"}
    if (
        claim.incident is not None
        and claim.incident != incident.kind
        and not ({claim.incident, incident.kind} <= lenient)
    ):
        return nope(says, incident.seq)
    part = _body(incident.detail)
    if claim.body_part is not None and part is not None and part != claim.body_part:
        return nope(says, incident.seq)
    if claim.distance_m is not None:
        low, high = claim.distance_m, claim.to_m if claim.to_m is not None else claim.distance_m
        if not low - _NEAR_M <= incident.distance_m <= high + _NEAR_M:
            return nope(says, incident.seq)
    if claim.status == "continued" and not incident.continues:
        return nope(says, incident.seq)
    if claim.status == "stopped" and incident.continues:
        return nope(says, facts.time_seq(athlete) or incident.seq)
    return yes(says, incident.seq)


def judge_finished(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete got to the line."""
    state = facts.outcome(athlete)
    says = facts.describe_result(athlete)
    if state == "finished":
        return yes(says, facts.time_seq(athlete))
    if state in ("dnf", "dns"):
        return nope(says, facts.latest(state, athlete))
    return unknown(
        f"{facts.name(athlete)} has not finished at this point" if state == "running" else says
    )


def judge_stopped(claim: Claim, facts: Facts, athlete: str) -> Outcome:
    """The athlete did not finish."""
    state = facts.outcome(athlete)
    says = facts.describe_result(athlete)
    if state == "dnf":
        return yes(says, facts.latest("dnf", athlete))
    if state in ("finished", "dns"):
        return nope(says, facts.time_seq(athlete) or facts.latest("dns", athlete))
    return unknown(
        f"{facts.name(athlete)} is still running at this point" if state == "running" else says
    )


def _position_now(facts: Facts, athlete: str, place: int) -> Outcome:
    row = facts.row(athlete)
    runner = facts.runner(athlete)
    if row is None or runner is None:
        return unknown(f"{facts.name(athlete)} is not in the race")
    if row.place is not None:
        return judge_place_now(facts, athlete, place)
    if row.mark is not None:
        return nope(facts.describe_result(athlete), facts.latest(row.mark.lower(), athlete))
    if not runner.splits:
        return unknown("no split yet")
    distance = max(runner.splits)
    order = [a for a, _ in facts.order_at(distance)]
    mine = order.index(athlete) + 1
    says = _order_says(facts, distance, athlete, mine)
    if mine == place:
        return yes(says, facts.split_seq(athlete, distance))
    return nope(says, facts.split_seq(athlete, distance))


def judge_place_now(facts: Facts, athlete: str, place: int) -> Outcome:
    """A finished athlete's place, for a present-tense position."""
    row = facts.row(athlete)
    seq = facts.time_seq(athlete)
    says = facts.describe_result(athlete)
    last = max((r.place or 0) for r in facts.placed())
    if row is not None and (
        row.place == place or (place == 0 and row.place == last and facts.over())
    ):
        return yes(says, seq)
    return nope(says, seq)


def _led_somewhere(facts: Facts, athlete: str) -> Outcome:
    for distance in facts.split_distances(1, 100_000):
        order = facts.order_at(distance)
        if order and order[0][0] == athlete:
            says = f"{facts.name(athlete)} led at {distance} m in {clock(order[0][1])}"
            return yes(says, facts.at_split_seq(athlete, distance))
    return unknown(f"the feed's splits never show {facts.name(athlete)} in front")


def _order_says(facts: Facts, distance: int, athlete: str, place: int) -> str:
    order = facts.order_at(distance)
    leader, ms = order[0]
    mine = next(m for a, m in order if a == athlete)
    if place == 1:
        return f"{facts.name(athlete)} led at {distance} m in {clock(ms)}"
    return (f"{facts.name(athlete)} was {ordinal(place)} at {distance} m in {clock(mine)}; "
            f"{facts.name(leader)} led in {clock(ms)}")  # fmt: skip


def _body(detail: str) -> str | None:
    match = _BODY.search(detail.lower())
    if match is None:
        return None
    return {"hamstrings": "hamstring", "calves": "calf", "quadriceps": "quad"}.get(
        match[1], match[1]
    )
