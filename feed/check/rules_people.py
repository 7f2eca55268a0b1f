"""Extraction rules about people and the field: an athlete's nation and age, how many ran,
and where nations stand in the medal table.

"Portugal's Isaac Nader", "Kenyan Reynold Cheruiyot", "Nader (POR)", "Nader of
Portugal"; "the 26-year-old Nader", "Nader, 26,"; "fourteen men on the line";
"Kenya top the medal table", "Spain have three medals".
"""

from __future__ import annotations

from feed.check.reader import Reader
from feed.check.subjects import resolve

__all__ = ["read_people"]

_COUNT_OF = {"gold": "gold", "silver": "silver", "bronze": "bronze"}


def read_people(r: Reader) -> None:
    """Nations and ages next to names, counts of athletes, the medal table."""
    tokens = r.tokens
    for index, tok in enumerate(tokens):
        if tok.kind == "ath":
            _nation(r, index)
            _age(r, index)
        elif tok.kind == "count" and not r.doubtful(index) and _about_the_field(r, index):
            finished = r.has_cue(range(index + 1, r.clause(index).stop), "finish")
            count_of = "finishers" if finished and tok.code == "starters" else tok.code
            r.emit("count", None, [index], count=tok.value, count_of=count_of)
    if r.has_cue(range(len(tokens)), "medal_table"):
        _medal_table(r)
    else:
        for index, tok in enumerate(tokens):
            nxt = r.tok(index + 1)
            if (
                tok.kind == "nat"
                and nxt is not None
                and nxt.is_cue("have")
                and not r.doubtful(index)
            ):
                _counts(r, index)


_FIELD_WORDS = frozenset({"final", "started", "start", "contested", "lined", "line", "away",
                          "field", "faced", "ran", "race", "starters", "finalists"})  # fmt: skip


def _about_the_field(r: Reader, index: int) -> bool:
    """ "Fourteen men started the final", "14 on the start list": the field, not "two men
    in the first four"."""
    clause = r.clause(index)
    words = {r.tokens[i].code for i in range(index + 1, clause.stop)}
    finished = r.has_cue(range(index + 1, clause.stop), "finish")
    return bool(words & _FIELD_WORDS) or finished or r.tokens[index].code == "entrants"


def _nation(r: Reader, index: int) -> None:
    before = [r.tok(index - 1), r.tok(index - 2)]
    after = [r.tok(index + 1), r.tok(index + 2), r.tok(index + 3)]
    nation_at: int | None = None
    if before[0] is not None and before[0].kind == "nat":
        nation_at = index - 1  # "Kenyan Reynold Cheruiyot", "the Portuguese Isaac Nader"
    elif (
        before[0] is not None
        and before[0].code in ("'s",)
        and before[1] is not None
        and before[1].kind == "nat"
    ):
        nation_at = index - 2  # "Portugal's Isaac Nader"
    elif (
        after[0] is not None
        and after[0].code in ("of", "(")
        and after[1] is not None
        and after[1].kind == "nat"
    ) and (after[0].code == "of" or (after[2] is not None and after[2].code == ")")):
        nation_at = index + 2  # "Nader of Portugal", "Nader (POR)"
    if nation_at is None:
        return
    subject = resolve(r.sentence, index)
    r.emit("nation", subject, [index, nation_at], nation=r.tokens[nation_at].code)


def _age(r: Reader, index: int) -> None:
    before, after = r.tok(index - 1), r.tok(index + 1)
    age_at: int | None = None
    if before is not None and before.kind == "age":
        age_at = index - 1  # "the 26-year-old Nader"
    elif after is not None and after.code == ",":
        number, close = r.tok(index + 2), r.tok(index + 3)
        aged = number is not None and number.kind == "num" and 15 <= number.value <= 50
        if aged and close is not None and close.code == ",":
            age_at = index + 2  # "Nader, 26, ..."
    elif after is not None and after.kind == "age":
        age_at = index + 1  # "Nader, aged 26"
    if age_at is None:
        return
    subject = resolve(r.sentence, index)
    r.emit("age", subject, [index, age_at], age=r.tokens[age_at].value)


def _medal_table(r: Reader) -> None:
    tokens = r.tokens
    for index, tok in enumerate(tokens):
        if tok.kind != "nat" or r.doubtful(index):
            continue
        nxt = r.tok(index + 1)
        if nxt is None:
            continue
        if nxt.is_cue("tops", "lead") or (nxt.kind == "ord" and nxt.value == 1):
            r.emit("medal_table", None, [index, index + 1], nation=tok.code, place=1)
        elif nxt.kind == "ord":
            r.emit("medal_table", None, [index, index + 1], nation=tok.code, place=nxt.value)
        elif nxt.is_cue("have"):
            _counts(r, index)


def _counts(r: Reader, index: int) -> None:
    """ "Spain have three medals", "Kenya have two golds"."""
    tokens = r.tokens
    for pos in range(index + 2, min(index + 5, len(tokens) - 1)):
        number, what = tokens[pos], tokens[pos + 1]
        if number.kind not in ("num", "count"):
            continue
        if what.kind == "medal":
            count_of = _COUNT_OF[what.code]
        elif what.is_cue("medal_word"):
            count_of = "total"
        elif what.kind == "word" and what.code in ("golds", "silvers", "bronzes"):
            count_of = what.code[:-1]
        else:
            continue
        r.emit("medal_table", None, [index, pos, pos + 1], nation=tokens[index].code,
               count=number.value, count_of=count_of)  # fmt: skip
        return
