"""The scenario file as msgspec Structs: one Struct per TOML table, field for field.

These mirror what is written, not what it means: times stay strings in results
notation (``"3:34.094"``) and splits stay a table keyed by distance, so that every
problem can be reported against the text the author wrote. ``validate`` checks the
meaning and ``compile`` turns a valid spec into events.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypeAlias

import msgspec

__all__ = [
    "AfterEntry",
    "AthleteDisqualifiedSpec",
    "AthleteReinstatedSpec",
    "AthleteSpec",
    "ChampionshipHeader",
    "ChampionshipSpec",
    "CommentarySpec",
    "DnfSpec",
    "DnsSpec",
    "IncidentSpec",
    "PhotoFinishRequestedSpec",
    "PhotoFinishResolvedSpec",
    "PhotoPlaceSpec",
    "ProtestDecidedSpec",
    "ProtestLodgedSpec",
    "RaceSection",
    "RaceSpec",
    "RecordSpec",
    "ResultAmendedSpec",
    "ResultStatusChangedSpec",
    "ScenarioHeader",
    "ScenarioId",
]

# Catalog ids travel in URLs and file names, so they stay plain.
ScenarioId: TypeAlias = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9-]*$")]
_Metres: TypeAlias = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
_Distance: TypeAlias = Annotated[int, msgspec.Meta(gt=0, le=1_000_000)]
_Zoned: TypeAlias = Annotated[datetime, msgspec.Meta(tz=True)]
_NonEmpty: TypeAlias = Annotated[str, msgspec.Meta(min_length=1)]


class _Table(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A TOML table: unknown keys are errors, so a typo never passes silently."""


class _Annotated(_Table, frozen=True, kw_only=True):
    """A table that may name its invented fields."""

    synthetic: list[str] = []


class ScenarioHeader(_Table, frozen=True, kw_only=True):
    """``[scenario]`` of a race file."""

    id: ScenarioId
    title: _NonEmpty
    kind: Literal["race"]
    description: str = ""
    split_every_m: Annotated[int, msgspec.Meta(ge=1, le=100_000)] = 100
    lead_in_s: Annotated[int, msgspec.Meta(ge=0, le=86_400)] = 30
    seed: str | None = None


class RecordSpec(_Annotated, frozen=True, kw_only=True):
    """``[[race.records]]``: a best that result marks are computed against."""

    kind: Literal["WR", "CR", "WL", "NR", "AR"]
    time: str
    holder: str | None = None
    nation: str | None = None


class RaceSection(_Annotated, frozen=True, kw_only=True):
    """``[race]``: what the race is and when it starts."""

    championship: str
    event: str
    round: str
    venue: str
    scheduled_start: _Zoned
    gun: _Zoned | None = None
    distance_m: _Distance
    lap_m: _Distance = 400
    records: list[RecordSpec] = []


class DnfSpec(_Annotated, frozen=True, kw_only=True):
    """``dnf = { at_m = 700, reason = "fell" }``."""

    at_m: _Metres
    reason: str = ""


class DnsSpec(_Annotated, frozen=True, kw_only=True):
    """``dns = { reason = "injured in the semi-final" }``."""

    reason: str = ""


class AthleteSpec(_Annotated, frozen=True, kw_only=True):
    """``[[athletes]]``: one starter, with exactly one of finish, dnf or dns."""

    bib: Annotated[int, msgspec.Meta(ge=0, le=99_999)]
    id: _NonEmpty
    name: str
    nation: str
    pb: str | None = None
    sb: str | None = None
    born: date | None = None
    splits: dict[str, str] = {}
    finish: str | None = None
    dnf: DnfSpec | None = None
    dns: DnsSpec | None = None


class IncidentSpec(_Annotated, frozen=True, kw_only=True):
    """``[[incidents]]``: something that happened to an athlete at a distance."""

    athlete: str
    at_m: _Metres
    kind: Literal["injury", "fall", "obstruction"]
    detail: str = ""
    continues: bool = True


class CommentarySpec(_Annotated, frozen=True, kw_only=True):
    """``[[commentary]]``: a line for live blogs at a race-clock time."""

    at: str
    text: str
    athletes: list[str] = []


class _After(_Annotated, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=True):
    """An ``[[after]]`` entry: what happens once the race is run, tagged by ``type``."""

    at: str


class PhotoFinishRequestedSpec(_After, frozen=True, kw_only=True, tag="photo_finish_requested"):
    """The photo is asked for: ``athletes`` and a ``reason``."""

    athletes: list[str]
    reason: str = ""


class PhotoPlaceSpec(_Table, frozen=True, kw_only=True):
    """One place in a photo-finish order: ``{ athlete = "...", time = "3:34.094" }``."""

    athlete: str
    time: str


class PhotoFinishResolvedSpec(_After, frozen=True, kw_only=True, tag="photo_finish_resolved"):
    """The photo is read: ``order``, first across the line first, to 1/1000."""

    order: Annotated[list[PhotoPlaceSpec], msgspec.Meta(min_length=1)]


class ResultStatusChangedSpec(_After, frozen=True, kw_only=True, tag="result_status_changed"):
    """The result becomes ``unofficial``, ``official`` or ``protested``."""

    status: Literal["unofficial", "official", "protested"]
    reason: str = ""


class ProtestLodgedSpec(_After, frozen=True, kw_only=True, tag="protest_lodged"):
    """A protest (an id of its own) is lodged ``by`` a nation or team."""

    protest: _NonEmpty
    by: str
    against: str | None = None
    reason: str = ""


class ProtestDecidedSpec(_After, frozen=True, kw_only=True, tag="protest_decided"):
    """A protest is decided: ``upheld`` or not."""

    protest: _NonEmpty
    upheld: bool
    reason: str = ""


class AthleteDisqualifiedSpec(_After, frozen=True, kw_only=True, tag="athlete_disqualified"):
    """An athlete is disqualified under a ``rule``, perhaps on a ``protest``."""

    athlete: str
    rule: str
    reason: str = ""
    protest: str | None = None


class AthleteReinstatedSpec(_After, frozen=True, kw_only=True, tag="athlete_reinstated"):
    """An athlete's latest disqualification is undone."""

    athlete: str
    reason: str = ""


class ResultAmendedSpec(_After, frozen=True, kw_only=True, tag="result_amended"):
    """An athlete's latest time is replaced by ``time``."""

    athlete: str
    time: str
    reason: str = ""


AfterEntry: TypeAlias = (
    PhotoFinishRequestedSpec
    | PhotoFinishResolvedSpec
    | ResultStatusChangedSpec
    | ProtestLodgedSpec
    | ProtestDecidedSpec
    | AthleteDisqualifiedSpec
    | AthleteReinstatedSpec
    | ResultAmendedSpec
)


class RaceSpec(_Table, frozen=True, kw_only=True):
    """A whole race file."""

    scenario: ScenarioHeader
    race: RaceSection
    athletes: Annotated[list[AthleteSpec], msgspec.Meta(min_length=1)]
    incidents: list[IncidentSpec] = []
    commentary: list[CommentarySpec] = []
    after: list[AfterEntry] = []


class ChampionshipHeader(_Table, frozen=True, kw_only=True):
    """``[scenario]`` of a championship file."""

    id: ScenarioId
    title: _NonEmpty
    kind: Literal["championship"]
    description: str = ""
    races: Annotated[list[ScenarioId], msgspec.Meta(min_length=1)]
    seed: str | None = None


class ChampionshipSpec(_Table, frozen=True, kw_only=True):
    """A whole championship file: races, compiled from files beside it, in one stream."""

    scenario: ChampionshipHeader
