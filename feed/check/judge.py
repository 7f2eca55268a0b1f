"""Judge one claim against the feed: at each state of its moment, for each athlete it may mean.

A stamped entry covers a window of states; a claim is supported if the feed
supports it at some state of the window, contradicted if it contradicts it at
one and supports it at none. A name that may mean several athletes ("Cheruiyot"
when two ran) is supported if it holds for one of them, and contradicted only if
it fails for all of them. Everything else is not checkable.
"""

from __future__ import annotations

from collections.abc import Callable

from feed.check.facts import Facts, Outcome, unknown
from feed.check.judge_context import (
    judge_age,
    judge_competition,
    judge_count,
    judge_medal_table,
    judge_nation,
)
from feed.check.judge_events import (
    judge_amended,
    judge_did_not_start,
    judge_disqualified,
    judge_photo,
    judge_protest,
    judge_reinstated,
    judge_status,
)
from feed.check.judge_race import (
    judge_finished,
    judge_incident,
    judge_lap,
    judge_passed,
    judge_position,
    judge_split,
    judge_stopped,
)
from feed.check.judge_results import (
    judge_margin,
    judge_medal,
    judge_place,
    judge_record,
    judge_time,
    judge_won,
)
from feed.check.model import Claim, ClaimKind, Verdict, VerdictKind
from feed.check.timeline import Timeline
from feed.check.vocab import Vocabulary

__all__ = ["ABOUT_ANYTHING", "ABOUT_AN_ATHLETE", "judge"]

ABOUT_AN_ATHLETE: dict[ClaimKind, Callable[[Claim, Facts, str], Outcome]] = {
    "won": judge_won,
    "place": judge_place,
    "time": judge_time,
    "margin": judge_margin,
    "record": judge_record,
    "position": judge_position,
    "passed": judge_passed,
    "incident": judge_incident,
    "finished": judge_finished,
    "stopped": judge_stopped,
    "did_not_start": judge_did_not_start,
    "disqualified": judge_disqualified,
    "reinstated": judge_reinstated,
    "nation": judge_nation,
    "age": judge_age,
}
ABOUT_ANYTHING: dict[ClaimKind, Callable[[Claim, Facts, str | None], Outcome]] = {
    "medal": judge_medal,
    "split": judge_split,
    "lap": judge_lap,
    "protest": judge_protest,
    "amended": judge_amended,
    "photo": judge_photo,
    "status": judge_status,
    "competition": judge_competition,
    "count": judge_count,
    "medal_table": judge_medal_table,
}


def judge(
    claim: Claim, timeline: Timeline, vocab: Vocabulary, *, horizon: int | None = None
) -> Verdict:
    """The verdict on ``claim``; no state after seq ``horizon`` is consulted."""
    race = claim.race or next(iter(vocab.races), "")
    last = timeline.final_seq if horizon is None else min(horizon, timeline.final_seq)
    seqs = sorted({min(seq, last) for seq in timeline.seqs_for(claim.moment, race or None)})
    at = _judged_at(claim, seqs, last)
    if claim.unresolved is not None:
        return Verdict(verdict="not_checkable", feed_says=claim.unresolved, judged_at=at)
    if claim.kind in ABOUT_AN_ATHLETE and not claim.athletes:
        return Verdict(verdict="not_checkable", feed_says="who is meant is not clear", judged_at=at)
    candidates: list[str | None] = list(claim.athletes) or [None]
    per_candidate = [
        _over_window(claim, timeline=timeline, vocab=vocab, race=race, seqs=seqs, athlete=who)
        for who in candidates
    ]
    supported = [o for o in per_candidate if o[0] == "supported"]
    if supported:
        verdict, says, seq = supported[0]
    elif all(o[0] == "contradicted" for o in per_candidate):
        verdict, says, seq = per_candidate[0]
        if len(per_candidate) > 1:
            says = "; ".join(o[1] for o in per_candidate)
    else:
        verdict, says, seq = next(o for o in per_candidate if o[0] == "not_checkable")
    return Verdict(verdict=_kind(verdict), feed_says=says, evidence_seq=seq, judged_at=at)


def _over_window(
    claim: Claim,
    *,
    timeline: Timeline,
    vocab: Vocabulary,
    race: str,
    seqs: list[int],
    athlete: str | None,
) -> Outcome:
    outcomes: list[Outcome] = []
    for seq in seqs:
        facts = Facts(timeline.state(seq), race, vocab)
        if not facts.scheduled:
            outcomes.append(unknown("the race is not in the feed at this point"))
            continue
        if claim.kind in ABOUT_AN_ATHLETE:
            assert athlete is not None
            outcomes.append(ABOUT_AN_ATHLETE[claim.kind](claim, facts, athlete))
        else:
            outcomes.append(ABOUT_ANYTHING[claim.kind](claim, facts, athlete))
        if outcomes[-1][0] == "supported":
            return outcomes[-1]
    contradicted = [o for o in outcomes if o[0] == "contradicted"]
    if contradicted:
        return contradicted[-1]
    return outcomes[-1] if outcomes else unknown("nothing in the feed at that moment")


def _judged_at(claim: Claim, seqs: list[int], last: int) -> str:
    moment = claim.moment
    span = f"seq {seqs[0]}" if len(seqs) == 1 else f"seqs {seqs[0]}-{seqs[-1]}"
    if moment.kind == "final":
        return f"seq {last} (the latest)"
    if moment.kind == "seq":
        return span
    what = "race time" if moment.kind == "race_time" else "wall time"
    return f"{what} {moment.label} ({span})"


def _kind(verdict: str) -> VerdictKind:
    if verdict == "supported":
        return "supported"
    if verdict == "contradicted":
        return "contradicted"
    return "not_checkable"
