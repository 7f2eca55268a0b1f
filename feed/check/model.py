"""What a check produces: claims found in a text, the moment each is judged at, and verdicts.

A ``Claim`` is one factual statement, located in the text by character offsets,
with its parameters in typed fields (most are ``None`` for any one kind). A
``Verdict`` says what the feed says about it, and the seq of the event that shows
it. A ``Report`` holds every judged claim of one text. All of them are frozen
msgspec Structs, so ``--json`` is their encoding.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

__all__ = [
    "FINAL",
    "Claim",
    "ClaimKind",
    "Competition",
    "Judged",
    "Moment",
    "MomentKind",
    "Report",
    "Verdict",
    "VerdictKind",
]

ClaimKind: TypeAlias = Literal[
    "won",  # the athlete won the race
    "place",  # finishing place
    "time",  # finishing time
    "margin",  # how far one finisher was ahead of another
    "medal",  # gold, silver or bronze, for an athlete or a nation
    "position",  # place in the running order at a named point (or at the entry's moment)
    "split",  # race time at a named point
    "lap",  # the time of one lap of the leader
    "passed",  # one athlete got ahead of another at a named point
    "incident",  # injury, fall or obstruction, with the body part and where
    "finished",  # got to the line
    "stopped",  # did not finish
    "did_not_start",
    "disqualified",  # with the rule when given
    "reinstated",
    "protest",  # lodged by a nation, against an athlete, upheld or rejected
    "amended",  # a corrected time
    "record",  # PB, SB, NR, CR, WL, WR set in the race
    "photo",  # a photo finish, a dead heat
    "status",  # unofficial, official, protested
    "competition",  # which competition, city and year the race belongs to
    "nation",  # the athlete's nation
    "age",  # the athlete's age on race day
    "count",  # how many started (or were on the start list)
    "medal_table",  # a nation's rank or medal count in the medal table
]

VerdictKind: TypeAlias = Literal["supported", "contradicted", "not_checkable"]
MomentKind: TypeAlias = Literal["final", "seq", "race_time", "wall_time"]


class Moment(msgspec.Struct, frozen=True, kw_only=True):
    """When a claim is judged: the final state, a seq, or a window of race or wall time.

    Attributes:
        kind: ``final`` (no stamp), ``seq`` (a caller's seq), ``race_time`` or ``wall_time``.
        label: the stamp as written (``"[1:59.9]"``, ``"13:22"``), or ``""``.
        seq: for ``seq``: judged as of this seq.
        start_ms: for ``race_time``: the window's start, ms since the gun.
        end_ms: the window's end (exclusive), ms since the gun.
        start_at: for ``wall_time``: the window's start, ISO 8601 UTC.
        end_at: the window's end (exclusive), ISO 8601 UTC.
    """

    kind: MomentKind
    label: str = ""
    seq: int | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    start_at: str | None = None
    end_at: str | None = None


FINAL = Moment(kind="final")


class Competition(msgspec.Struct, frozen=True, kw_only=True):
    """A competition as a text names it: any of its kind, city and year."""

    kind: Literal["world", "olympic"] | None = None
    city: str | None = None
    year: int | None = None


class Claim(msgspec.Struct, frozen=True, kw_only=True):
    """One factual statement found in the text.

    Attributes:
        kind: what it states (see ``ClaimKind``).
        start: offset of its first character in the checked text.
        end: offset just past its last character.
        text: the words of the claim, ``text[start:end]``.
        moment: when it is judged.
        athletes: the athletes it is about (ids); several when a name is ambiguous.
        named: how the text names them (``"the Portuguese"``, ``"Cheruiyot"``).
        other: the second athlete of a margin or a pass.
        nation: a nation code (a medal for a nation, an athlete's nation, a protest's author).
        race: the race id it was resolved in.
        place: a finishing place or a place at a point (0 for "last").
        time_ms: a time or margin in milliseconds.
        unit_ms: the precision it was written to (10 for hundredths).
        hedged: written with "about", "around" ...
        distance_m: the point in the race (metres run), for positions, splits, incidents.
        to_m: the far end of a range of points ("about 700 m", "the last 200 m").
        lap: the lap number, for a lap time.
        medal: ``gold``, ``silver`` or ``bronze``.
        record: ``PB``, ``SB``, ``NR``, ``CR``, ``WL`` or ``WR``.
        rule: a rule number, for a disqualification.
        incident: ``injury``, ``fall`` or ``obstruction``.
        body_part: the body part named (``calf``).
        status: a result status, or ``upheld`` / ``rejected`` for a protest.
        count: a number of athletes, or medals.
        count_of: ``starters``, ``entrants``, ``gold`` ... what ``count`` counts.
        age: an age in years.
        competition: the competition named.
        unresolved: set when the claim cannot be judged whatever the feed says (an
            ambiguous name, a sentence about another competition); the reason.
    """

    kind: ClaimKind
    start: int
    end: int
    text: str
    moment: Moment = FINAL
    athletes: tuple[str, ...] = ()
    named: str = ""
    other: tuple[str, ...] = ()
    nation: str | None = None
    race: str | None = None
    place: int | None = None
    time_ms: int | None = None
    unit_ms: int | None = None
    hedged: bool = False
    distance_m: int | None = None
    to_m: int | None = None
    lap: int | None = None
    medal: Literal["gold", "silver", "bronze"] | None = None
    record: str | None = None
    rule: str | None = None
    incident: str | None = None
    body_part: str | None = None
    status: str | None = None
    count: int | None = None
    count_of: str | None = None
    age: int | None = None
    competition: Competition | None = None
    unresolved: str | None = None


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    """What the feed says about a claim.

    Attributes:
        verdict: ``supported``, ``contradicted`` or ``not_checkable``.
        feed_says: the fact as the feed has it, or why it cannot say.
        evidence_seq: the seq of the event that shows it, when there is one.
        judged_at: the state it was judged against (``"seq 251 (final)"``).
    """

    verdict: VerdictKind
    feed_says: str
    evidence_seq: int | None = None
    judged_at: str = ""


class Judged(msgspec.Struct, frozen=True, kw_only=True):
    """A claim and its verdict."""

    claim: Claim
    verdict: Verdict


class Report(msgspec.Struct, frozen=True, kw_only=True):
    """Every claim found in one text, judged; ``contradicted`` > 0 should stop a publish.

    Attributes:
        text: the text checked.
        source: what it was checked against (a scenario id, a file, a session URL).
        final_seq: the last seq of the feed.
        claims: in the order they appear in the text.
        supported: how many claims the feed supports.
        contradicted: how many it contradicts.
        not_checkable: how many it cannot judge.
    """

    text: str
    source: str
    final_seq: int
    claims: list[Judged]
    supported: int
    contradicted: int
    not_checkable: int
