"""Extraction rules for what happens around results: DNS, DQ and the rule, reinstatements,
protests, amended times, photo finishes and dead heats, and the result's status.
"""

from __future__ import annotations

from feed.check.reader import Reader
from feed.check.subjects import resolve, subject_left, subject_right

__all__ = ["read_events"]

_STATUS = {"official": "official", "unofficial": "unofficial", "under_review": "protested"}


def read_events(r: Reader) -> None:
    """Every rule of this module, over one sentence."""
    everything = range(len(r.tokens))
    for index, tok in enumerate(r.tokens):
        if tok.kind != "cue" or r.negated(index):
            continue
        if tok.code in ("dns", "dq", "reinstated"):
            _athlete_event(r, index)
        elif tok.code == "protest" and not any(c.kind == "protest" for c in r.claims):
            _protest(r, index)
        elif tok.code == "amend" and not any(c.kind == "amended" for c in r.claims):
            _amended(r, index)
        elif tok.code in _STATUS and _is_status(r, index):
            r.emit("status", None, [index], status=_STATUS[tok.code])
    photo = next((i for i in everything if r.tokens[i].is_cue("photo")), None)
    dead_heat = next((i for i in everything if r.tokens[i].is_cue("dead_heat")), None)
    if dead_heat is not None:
        _together(r, dead_heat, "dead_heat")
    elif photo is not None and not r.doubtful(photo):
        _together(r, photo, "photo")


def _athlete_event(r: Reader, index: int) -> None:
    subject = subject_left(r.sentence, index) or subject_right(r.sentence, index + 1, limit=2)
    if subject is None or subject.nation is not None:
        return
    code = r.tokens[index].code
    if code == "dns":
        r.emit("did_not_start", subject, [index])
    elif code == "reinstated":
        r.emit("reinstated", subject, [index])
    else:
        rules = r.find(("rule",), range(len(r.tokens)))
        rule = r.tokens[rules[0]].code if rules else None
        r.emit("disqualified", subject, [index, *rules[:1]], rule=rule)


def _protest(r: Reader, index: int) -> None:
    everything = range(len(r.tokens))
    nations = r.find(("nat",), everything)
    by = r.tokens[nations[0]].code if nations else None
    against = None
    for pos, tok in enumerate(r.tokens):
        if tok.kind == "word" and tok.code == "against":
            against = subject_right(r.sentence, pos, limit=2)
    status = None
    if r.has_cue(everything, "upheld"):
        status = "upheld"
    elif r.has_cue(everything, "rejected"):
        status = "rejected"
    parts = [index, *nations[:1]]
    if against is not None:
        r.emit("protest", None, [*parts, _at(r, against.start)], nation=by, other=against.ids,
               status=status, named=against.named, unresolved=against.unresolved)  # fmt: skip
    else:
        r.emit("protest", None, parts, nation=by, status=status)


def _amended(r: Reader, index: int) -> None:
    subject = subject_left(r.sentence, index) or subject_right(r.sentence, index, limit=6)
    times = [i for i in r.find(("time",), range(len(r.tokens))) if not _is_old_value(r, i)]
    fields: dict[str, object] = {}
    parts = [index]
    if times and subject is not None:
        fields.update(time_ms=r.tokens[times[0]].value, unit_ms=r.tokens[times[0]].unit)
        parts.append(times[0])
    if subject is not None and subject.nation is None:
        r.emit("amended", subject, parts, **fields)
    else:
        r.emit("amended", None, parts, **fields)


def _together(r: Reader, index: int, what: str) -> None:
    """A photo finish (between the athletes named) or a dead heat (between two or more)."""
    people = [
        resolve(r.sentence, i)
        for i, tok in enumerate(r.tokens)
        if tok.kind in ("ath", "unknown") or (tok.kind == "pron" and tok.code == "him")
    ]
    if len(people) < (2 if what == "dead_heat" else 1) or r.doubtful(index):
        return
    first, rest = people[0], people[1:]
    others = tuple(athlete for person in rest for athlete in person.ids)
    unresolved = first.unresolved or next((p.unresolved for p in rest if p.unresolved), None)
    spans = [i for i, tok in enumerate(r.tokens) if tok.start in {p.start for p in people}]
    r.emit("photo", first, [index, *spans], other=others, status=what, unresolved=unresolved)


def _is_status(r: Reader, index: int) -> bool:
    """ "OFFICIAL: ...", "the result is official", "the result is under review"."""
    if index == 0 or (index == 1 and r.tokens[0].code in ("the", "result")):
        return True
    return any(r.tokens[i].code in ("result", "results") for i in range(max(0, index - 4), index))


def _is_old_value(r: Reader, index: int) -> bool:
    before = r.tok(index - 1)
    return before is not None and (before.is_cue("was", "from", "neg"))


def _at(r: Reader, offset: int) -> int:
    for pos, tok in enumerate(r.tokens):
        if tok.start == offset:
            return pos
    return 0
