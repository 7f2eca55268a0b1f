"""Extraction rules for times and margins: a finishing time, a split at a point, a lap time,
and how far one athlete finished ahead of another.

A time in a clause that names a point or a lap is a split or a lap time there; else it
is the finishing time of the athlete it follows ("Wightman second in 3:34.12"), or of
the subject of a clause that carries a result word. A time after "from", "not" or a
"(was ...)" is an earlier value, and "3:34.10 to 3:34.12" a comparison: neither is read.
"""

from __future__ import annotations

from feed.check.reader import Reader
from feed.check.subjects import Subject, resolve, subject_left, subject_right

__all__ = ["attached_time", "linked_points", "not_a_claim", "read_margins", "read_times"]

_SKIP_BEFORE_TIME = frozenset({"neg", "from", "to"})


def read_times(r: Reader) -> None:
    """Times not yet read: a split where the clause names a point or lap, else a finishing time."""
    for index, tok in enumerate(r.tokens):
        if tok.kind != "time" or index in r.consumed or not_a_claim(r, index):
            continue
        clause = r.clause(index)
        where = linked_points(r, index, r.find(("point", "lap"), clause))
        if where:  # the nearest point or lap says where the time was taken
            nearest = min(where, key=lambda p: (abs(p - index), p > index))
            where = [nearest]
        points = [p for p in where if r.tokens[p].kind == "point"]
        laps = [p for p in where if r.tokens[p].kind == "lap"]
        subject = _time_subject(r, index, clause, finishing=not points and not laps)
        fields = {"time_ms": tok.value, "unit_ms": tok.unit, "hedged": tok.hedged}
        if points:
            point = min(points, key=lambda p: abs(p - index))
            span = r.point_range(point)
            if span is not None:
                r.emit("split", subject, [point, index], distance_m=span[0], to_m=span[1], **fields)
        elif laps:
            lap = r.tokens[laps[0]].value
            if lap == 1:
                r.emit(
                    "split", subject, [laps[0], index], distance_m=r.lap_m, to_m=r.lap_m, **fields
                )
            else:
                r.emit("lap", None, [laps[0], index], lap=lap, **fields)
        elif subject is not None:
            r.emit("time", subject, [index], **fields)


def read_margins(r: Reader) -> None:
    """ "Beat X by M", "won by M", "M ahead of X", "M behind X", "by M from X"."""
    for index, tok in enumerate(r.tokens):
        if tok.kind != "margin" or index in r.consumed or r.doubtful(index):
            continue
        clause = r.clause(index, soft=False)
        ahead: Subject | None = None
        behind: Subject | None = None
        for back in range(index - 1, clause.start - 1, -1):
            cue = r.tokens[back]
            if cue.is_cue("beat", "win"):
                ahead = subject_left(r.sentence, back)
                if cue.is_cue("beat"):
                    behind = subject_right(r.sentence, back)
                break
        after = r.tok(index + 1)
        if after is not None and after.is_cue("ahead", "from"):
            ahead = ahead or subject_left(r.sentence, index)
            behind = subject_right(r.sentence, index + 1)
        elif after is not None and after.is_cue("behind"):
            behind = subject_left(r.sentence, index, appositive=True)
            ahead = subject_right(r.sentence, index + 1)
            if ahead is None and behind is not None:  # "took silver, 0.69 seconds behind"
                r.emit("margin", behind, [index, index + 1], time_ms=tok.value,
                       unit_ms=tok.unit, hedged=tok.hedged, status="behind_winner")  # fmt: skip
                continue
        if ahead is None:
            continue
        other = behind.ids if behind is not None else ()
        unresolved = ahead.unresolved or (behind.unresolved if behind is not None else None)
        r.emit(
            "margin",
            ahead,
            [index],
            other=other,
            time_ms=tok.value,
            unit_ms=tok.unit,
            hedged=tok.hedged,
            unresolved=unresolved,
        )


def linked_points(r: Reader, index: int, points: list[int]) -> list[int]:
    """The points that qualify the token at ``index``: none across a finishing verb
    ("tore his calf with 600 m to go but hobbled home last": last is a place) or
    another move ("led the first lap in 55.5 before X moved to the front at 700 m")."""
    between = ("finish", "continue", "take_lead", "pass")
    return [p for p in points if not r.has_cue(range(min(p, index) + 1, max(p, index)), *between)]


def attached_time(r: Reader, index: int, subject: Subject) -> None:
    clause = r.clause(index)
    for ahead in range(index + 1, clause.stop):
        tok = r.tokens[ahead]
        if tok.kind in ("point", "lap", "ath", "unknown"):
            return
        if tok.kind == "time" and ahead not in r.consumed and not not_a_claim(r, ahead):
            r.emit("time", subject, [ahead], time_ms=tok.value, unit_ms=tok.unit, hedged=tok.hedged)
            return


def _time_subject(r: Reader, index: int, clause: range, *, finishing: bool) -> Subject | None:
    back = index - 1
    if back >= 0 and r.tokens[back].code == "in":
        back -= 1
    if back >= 0 and r.tokens[back].kind in ("ath", "unknown"):
        return resolve(r.sentence, back)  # "Nader 3:34.094 ahead of Wightman 3:34.113"
    subject = subject_left(r.sentence, index, appositive=True)
    if subject is None:
        return None
    if not finishing or r.tokens[clause.start].start <= subject.start:
        return subject
    # The name is in an earlier clause: only when this clause carries a result word.
    if r.find(("ord", "medal", "record"), clause) or r.has_cue(clause, "finish", "win", "last"):
        return subject
    return None


def not_a_claim(r: Reader, index: int) -> bool:
    before, after = r.tok(index - 1), r.tok(index + 1)
    if before is not None and before.kind == "cue" and before.code in _SKIP_BEFORE_TIME:
        return True
    if before is not None and before.is_cue("was") and (r.tok(index - 2) or before).code == "(":
        return True
    if after is not None and after.is_cue("to"):
        nxt = r.tok(index + 2)
        return nxt is not None and nxt.kind == "time"
    return r.doubtful(index)
