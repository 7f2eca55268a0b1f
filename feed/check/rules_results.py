"""Extraction rules for results: who won, places (and places at a point), medals and records.

Each rule starts from a trigger token (a "won" cue, an ordinal, a medal, a
record), finds its subject (``feed.check.subjects``) and the arguments in its
clause, and emits claims (times and margins: ``feed.check.rules_times``). A
trigger in a hypothetical or negated clause ("could win", "missed the record")
emits nothing.
"""

from __future__ import annotations

from feed.check.reader import Reader
from feed.check.rules_times import attached_time, linked_points
from feed.check.subjects import subject_left, subject_right
from feed.check.tok import Tok

__all__ = ["read_goes_to", "read_results"]

# Words after an ordinal that make it describe something else than a place.
_NOT_A_PLACE = frozenset(
    (
        "lap", "medal", "medals", "title", "titles", "time", "times", "global", "major", "world",
        "final", "finals", "round", "race", "attempt", "championship", "championships", "olympic",
        "olympics", "half", "man", "men", "woman", "women", "athlete", "athletes", "runner",
        "runners", "leg", "loss", "win", "victory", "gold", "silver", "bronze", "season", "year",
        "day", "week", "move", "moment", "lead", "200", "100", "300", "400", "kilometre", "mile",
        "medal_word"
    )
)  # fmt: skip
_PLACE_WORDS = frozenset({"place", "position", "spot"})
# Words that may follow an ordinal used as a place; any other word makes it something
# else ("was first shown", "the second half").
_AFTER_A_PLACE = frozenset(
    (
        "place", "position", "spot", "in", "at", "with", "and", "across", "over", "behind", "ahead",
        "on", "for", "after", "before", "by", "while", "but", "as", "to", "of", "overall", "home",
        "again", "then", "from", "when", "this", "that", "place,", "the"
    )
)  # fmt: skip
_CROSSING = ("crossed", "crosses", "cross", "across", "over", "crossing", "got", "gets")


def read_goes_to(r: Reader) -> None:
    """ "Bronze went to X", "third went to X", "the photo gives it to X", "victory for X"."""
    for index, tok in enumerate(r.tokens):
        if not tok.is_cue("goes_to"):
            continue
        subject = subject_right(r.sentence, index, limit=3)
        before = r.tok(index - 1)
        if subject is None or before is None or r.doubtful(index):
            continue
        surface = r.sentence.text[tok.start : tok.end].lower()
        if before.kind == "medal":
            r.emit("medal", subject, [index - 1, index], medal=before.code)
        elif before.kind == "ord" and surface != "for":
            r.emit("place", subject, [index - 1, index], place=before.value)
        elif before.is_cue("win") or (surface.startswith(("gave", "gives"))):
            r.emit("won", subject, [index - 1, index] if before.is_cue("win") else [index])
        else:
            continue
        r.consumed.add(index - 1)


def read_results(r: Reader) -> None:
    """Wins, titles, medals, places (and positions at a point) and records."""
    for index, tok in enumerate(r.tokens):
        if index in r.consumed:
            continue
        if tok.is_cue("win"):
            _win(r, index)
        elif tok.is_cue("champion"):
            _champion(r, index)
        elif tok.kind == "medal":
            _medal(r, index)
        elif tok.kind == "ord" or tok.is_cue("last", "runner_up"):
            _place(r, index)
        elif tok.kind == "record" or (tok.is_cue("record_word") and _after_nation(r, index)):
            _record(r, index)


def _win(r: Reader, index: int) -> None:
    if r.doubtful(index):
        return
    for ahead in range(index + 1, min(index + 3, len(r.tokens))):
        if r.tokens[ahead].kind == "medal":
            return  # "won silver": the medal rule reads it
    subject = subject_left(r.sentence, index)
    if subject is None:
        nxt = r.tok(index + 1)
        if nxt is not None and nxt.is_cue("goes_to"):
            subject = subject_right(r.sentence, index + 1)
    if subject is None or subject.nation is not None:
        return
    r.emit("won", subject, [index])
    attached_time(r, index, subject)


def _champion(r: Reader, index: int) -> None:
    window = range(max(0, index - 4), index)
    crowned = any(
        r.tokens[i].is_cue("present") or r.tokens[i].code in ("became", "becomes", "crowned", "new")
        for i in window
    )
    if not crowned or r.doubtful(index) or (index > 0 and r.tokens[index - 1].code == "the"):
        return
    subject = subject_left(r.sentence, index)
    if subject is not None and subject.nation is None:
        r.emit("won", subject, [index])
        attached_time(r, index, subject)


def _medal(r: Reader, index: int) -> None:
    before, after = r.tok(index - 1), r.tok(index + 1)
    if r.doubtful(index) or (before is not None and before.kind in ("num", "count")):
        return
    if after is not None and after.code in ("medallist", "medalist"):
        return
    for near in (index - 2, index + 2):
        joint = r.tok((index + near) // 2)
        other = r.tok(near)
        if (
            other is not None
            and other.kind == "medal"
            and joint is not None
            and joint.code in (",", "and")
        ):
            return  # "gold, silver and bronze": a list read respectively, not attempted
    subject = subject_left(r.sentence, index, appositive=True)
    if subject is None and after is not None and (after.is_cue("goes_to") or after.code == "for"):
        subject = subject_right(r.sentence, index + 1)
    if subject is None:
        return
    r.emit("medal", subject, [index], medal=r.tokens[index].code)


def _place(r: Reader, index: int) -> None:
    tok = r.tokens[index]
    place = 2 if tok.is_cue("runner_up") else 0 if tok.is_cue("last") else tok.value
    before, after = r.tok(index - 1), r.tok(index + 1)
    if r.doubtful(index) or _describes_something_else(before, after) or _precision(r, index):
        return
    subject = subject_left(r.sentence, index, appositive=True)
    if subject is None and after is not None and after.is_cue("was", "present", "goes_to"):
        subject = subject_right(r.sentence, index + 1, limit=2)
    if subject is None or subject.nation is not None:
        return
    clause = r.clause(index)
    finishing = r.has_cue(clause, "finish")
    points = linked_points(r, index, r.find(("point",), clause))
    first = r.tok(clause.start)
    if not points and not finishing and first is not None and first.code in ("with", "and"):
        points = _earlier_points(r, clause)
    running = before is not None and before.code == "in" and not finishing
    if not points and running:
        # "sat in seventh": a running position; the sentence's points say where.
        points = linked_points(r, index, r.find(("point",), range(len(r.tokens))))
    for point in points:
        span = r.point_range(point)
        if span is not None:
            r.emit(
                "position", subject, [index, point], place=place, distance_m=span[0], to_m=span[1]
            )
    if points:
        return
    if not finishing and (r.has_cue(clause, "present") or r.stamped):
        r.emit("position", subject, [index], place=place, status="now")
    elif running:
        why = "a running position without a point in the race or a time stamp"
        r.emit("position", subject, [index], place=place, unresolved=why)
    else:
        crossing = any(
            r.tokens[i].is_cue("finish")
            and r.sentence.text[r.tokens[i].start : r.tokens[i].end].lower().startswith(_CROSSING)
            for i in clause
        )
        r.emit("place", subject, [index], place=place, status="crossed" if crossing else None)


def _after_nation(r: Reader, index: int) -> bool:
    """ "a Dutch record": a national record, of that nation."""
    before = r.tok(index - 1)
    return before is not None and before.kind == "nat"


def _record(r: Reader, index: int) -> None:
    after = r.tok(index + 1)
    if r.doubtful(index) or (
        after is not None and after.code in ("of", "is", "was", "stood", "stands", "has", "held")
    ):
        return
    before = r.tok(index - 1)
    nation = before.code if before is not None and before.kind == "nat" else None
    subject = subject_left(r.sentence, index - 1 if nation else index, appositive=True)
    if subject is None and after is not None and (after.is_cue("goes_to") or after.code == "for"):
        subject = subject_right(r.sentence, index + 1, limit=2)  # "a season's best for Kerr"
    if subject is None or subject.nation is not None:
        return
    parts = [index - 1, index] if nation else [index]
    kind = "NR" if r.tokens[index].is_cue("record_word") else r.tokens[index].code
    r.emit("record", subject, parts, record=kind, nation=nation)


def _earlier_points(r: Reader, clause: range) -> list[int]:
    """ "..., with Ingebrigtsen second": the points of the nearest earlier clause naming one."""
    hard = r.clause(clause.start, soft=False)
    cursor = clause.start - 2
    while cursor >= hard.start:
        earlier = r.clause(cursor)
        points = r.find(("point",), earlier)
        if points:
            return points
        cursor = earlier.start - 2
    return []


def _describes_something_else(before: Tok | None, after: Tok | None) -> bool:
    """ "his first medal", "the third lap", "at first": an ordinal that is not a place."""
    if after is not None:
        if after.kind in ("medal", "comp", "event", "lap", "record"):
            return True
        if after.kind in ("word", "cue") and after.code in _NOT_A_PLACE:
            return True
        if after.kind == "word" and after.code not in _AFTER_A_PLACE:
            return True
    if before is not None:
        if before.kind == "pron" or before.code in ("at", "her", "their", "its", "a"):
            return True
        if before.code == "the" and after is not None and after.kind == "word":
            return after.code not in _PLACE_WORDS
    return False


def _precision(r: Reader, index: int) -> bool:
    """ "the same time to the tenth": a precision, not a place."""
    return r.tok(index - 1) is not None and [
        t.code for t in r.tokens[max(0, index - 2) : index]
    ] in (["to", "the"], ["within", "a"], ["to", "a"])
