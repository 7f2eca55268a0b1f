"""Extraction rules for the race as run: leaders at points, passes and incidents.

"Laros led through 400 m in 59.5", "T. Cheruiyot hit the front at 800 m",
"Kerr goes past Ingebrigtsen with 200 to go", "Kerr tore his calf with about 600 m
to go but would not stop". A lead without a point is "now" in a stamped entry
(or a present-tense line), and "at some point" in a report.
"""

from __future__ import annotations

from feed.check.reader import Reader
from feed.check.subjects import Subject, subject_left, subject_right

__all__ = ["read_incidents", "read_leads", "read_passes"]

_PRESENT = ("leads", "leading", "takes", "hits", "goes", "is", "has", "moves", "kicks")
_KIND_OF_CUE = {"injury": "injury", "fall": "fall", "obstruction": "obstruction", "trouble": None}
# "hobbling", "in trouble": something happened, of a kind the words do not say.
_GENERIC = ("hobbl", "limp", "hop", "clutch", "in trouble", "something")


def read_leads(r: Reader) -> None:
    """Leaders at named points (and the split there), or now, or at some point."""
    for index, tok in enumerate(r.tokens):
        if not tok.is_cue("lead", "take_lead") or index in r.consumed or r.doubtful(index):
            continue
        subject = subject_left(r.sentence, index)
        if subject is None or subject.nation is not None:
            continue
        points = _points_for(r, index)
        laps = r.find(("lap",), r.clause(index))
        emitted = False
        for point in points:
            span = r.point_range(point)
            if span is not None:
                r.emit(
                    "position", subject, [index, point], place=1, distance_m=span[0], to_m=span[1]
                )
                emitted = True
        if emitted and not r.find(("point",), r.clause(index)):
            _split_after(r, index, subject, points[0])
        if not points and laps and r.tokens[laps[0]].value:
            metres = r.tokens[laps[0]].value * r.lap_m
            r.emit("position", subject, [index, laps[0]], place=1, distance_m=metres, to_m=metres)
            emitted = True
        if emitted:
            continue
        surface = r.sentence.text[tok.start : tok.end].lower().split()[0]
        status = "now" if r.stamped or surface in _PRESENT else "some"
        r.emit("position", subject, [index], place=1, status=status)


def read_passes(r: Reader) -> None:
    """ "A passed B (at a point)": A was ahead of B there."""
    for index, tok in enumerate(r.tokens):
        if not tok.is_cue("pass") or r.doubtful(index):
            continue
        passer = subject_left(r.sentence, index)
        passed = subject_right(r.sentence, index, limit=3)
        if passer is None or passed is None or passer.nation or passed.nation:
            continue
        points = r.find(("point",), r.clause(index, soft=False))
        fields: dict[str, object] = {"other": passed.ids}
        parts = [index]
        if points:
            span = r.point_range(points[0])
            if span is not None:
                fields.update(distance_m=span[0] - 100, to_m=span[1] + 100)
                parts.append(points[0])
        unresolved = passer.unresolved or passed.unresolved
        r.emit("passed", passer, [*parts, _index_of(r, passed)], unresolved=unresolved, **fields)


def read_incidents(r: Reader) -> None:
    """Incidents (kind, body part, where, whether they went on), then finishes and stops."""
    seen: dict[tuple[str, ...], tuple[Subject, list[int], str | None]] = {}
    for index, tok in enumerate(r.tokens):
        if not tok.is_cue("injury", "fall", "obstruction") or r.negated(index):
            continue
        subject = subject_left(r.sentence, index) or subject_right(r.sentence, index, limit=5)
        if subject is None or subject.nation is not None:
            continue
        surface = r.sentence.text[tok.start : tok.end].lower()
        kind = None if surface.startswith(_GENERIC) else _KIND_OF_CUE[tok.code]
        key = subject.ids or (subject.named,)
        known = seen.get(key)
        if known is None:
            seen[key] = (subject, [index], kind)
        else:
            seen[key] = (known[0], [*known[1], index], known[2] or kind)
    for subject, cues, kind in seen.values():
        parts = list(cues)
        fields: dict[str, object] = {"incident": kind}
        bodies = r.find(("body",), range(len(r.tokens)))
        if bodies:
            fields["body_part"] = r.tokens[bodies[0]].code
            parts = [*parts, bodies[0]]
        points = r.find(("point",), range(len(r.tokens)))
        if points:
            span = r.point_range(points[0])
            if span is not None:
                fields.update(distance_m=span[0], to_m=span[1], hedged=r.tokens[points[0]].hedged)
                parts = [*parts, points[0]]
        went_on = [i for i, t in enumerate(r.tokens) if t.is_cue("continue", "stop")]
        if went_on:
            fields["status"] = "continued" if r.tokens[went_on[0]].is_cue("continue") else "stopped"
            parts = [*parts, went_on[0]]
        r.emit("incident", subject, parts, **fields)
    _finishes(r, bool(seen))


def _finishes(r: Reader, after_incident: bool) -> None:
    for index, tok in enumerate(r.tokens):
        if tok.is_cue("continue", "stop"):
            subject = subject_left(r.sentence, index)
            if subject is not None and subject.nation is None:
                r.emit("finished" if tok.is_cue("continue") else "stopped", subject, [index])
        elif tok.is_cue("finish") and not r.doubtful(index):
            surface = r.sentence.text[tok.start : tok.end].lower()
            if after_incident or surface.startswith(("hobbl", "limp")):
                subject = subject_left(r.sentence, index)
                if subject is not None and subject.nation is None:
                    r.emit("finished", subject, [index])


def _split_after(r: Reader, index: int, subject: Subject, point: int) -> None:
    """ "The bell: Ingebrigtsen leads in 2:35.10": the time is the split at the earlier point."""
    span = r.point_range(point)
    for ahead in r.clause(index):
        tok = r.tokens[ahead]
        if ahead > index and tok.kind == "time" and ahead not in r.consumed and span is not None:
            r.emit("split", subject, [index, ahead], distance_m=span[0], to_m=span[1],
                   time_ms=tok.value, unit_ms=tok.unit, hedged=tok.hedged)  # fmt: skip
            return


def _points_for(r: Reader, index: int) -> list[int]:
    """Points of a lead: those after it in its clause (up to the next lead), else those
    before it (after the previous lead), else an opening "At the bell," of the sentence."""
    clause = r.clause(index)
    # Another lead, or another person, starts another statement ("... before Wightman struck").
    leads = [
        i
        for i in clause
        if r.tokens[i].is_cue("lead", "take_lead")
        or (i > index and r.tokens[i].kind in ("ath", "unknown", "pron"))
    ]
    mine = leads.index(index)
    stop = leads[mine + 1] if mine + 1 < len(leads) else clause.stop
    after = r.find(("point",), range(index + 1, stop))
    if after:
        return after
    start = leads[mine - 1] + 1 if mine > 0 else clause.start
    before = r.find(("point",), range(start, index))
    if before:
        return before
    hard = r.clause(index, soft=False)
    return [
        p
        for p in r.find(("point",), range(hard.start, clause.start))
        if not r.find(("ath", "unknown", "pron"), r.clause(p))
    ]


def _index_of(r: Reader, subject: Subject) -> int:
    for index, tok in enumerate(r.tokens):
        if tok.start == subject.start:
            return index
    return 0
