"""The event vocabulary: every fact a race stream can hold, as frozen msgspec Structs.

Each event type is its own envelope class, tagged by ``type`` so that the JSON on
the wire is exactly the envelope of the protocol::

    {"type": "athlete_finished", "seq": 412, "stream": "tokyo-2025-m1500-final",
     "race": "tokyo-2025-m1500-final", "race_ms": 214094,
     "at": "2025-09-17T13:24:01.094Z", "data": {"athlete_id": "nader-isaac", ...}}

``Event`` is the tagged union of them all. Events are past-tense facts; history is
never edited, so a correction is a new event that names the seq it supersedes.
New fields get defaults; existing field types never change.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

__all__ = [
    "EVENT_TYPES",
    "AthleteDidNotFinish",
    "AthleteDidNotFinishData",
    "AthleteDidNotStart",
    "AthleteDidNotStartData",
    "AthleteDisqualified",
    "AthleteDisqualifiedData",
    "AthleteFinished",
    "AthleteFinishedData",
    "AthleteIncident",
    "AthleteIncidentData",
    "AthleteReinstated",
    "AthleteReinstatedData",
    "Commentary",
    "CommentaryData",
    "Entrant",
    "Event",
    "IncidentKind",
    "PhotoFinishRequested",
    "PhotoFinishRequestedData",
    "PhotoFinishResolved",
    "PhotoFinishResolvedData",
    "PhotoPlace",
    "ProtestDecided",
    "ProtestDecidedData",
    "ProtestLodged",
    "ProtestLodgedData",
    "RaceInfo",
    "RaceScheduled",
    "RaceScheduledData",
    "RaceStarted",
    "RaceStartedData",
    "Record",
    "RecordKind",
    "ResultAmended",
    "ResultAmendedData",
    "ResultStatus",
    "ResultStatusChanged",
    "ResultStatusChangedData",
    "SplitRecorded",
    "SplitRecordedData",
]

IncidentKind: TypeAlias = Literal["injury", "fall", "obstruction"]
ResultStatus: TypeAlias = Literal["start_list", "live", "unofficial", "official", "protested"]
RecordKind: TypeAlias = Literal["WR", "CR", "WL", "NR", "AR"]


class _Data(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """Base of every event's ``data``."""


class Record(_Data, frozen=True):
    """A record or best that result marks are computed against."""

    kind: RecordKind
    time_ms: int
    nation: str | None = None  # set for NR (and AR: the area code)
    holder: str | None = None
    synthetic: list[str] = []


class RaceInfo(_Data, frozen=True):
    """What a race is: the header of a start list."""

    championship: str
    event: str
    round: str
    venue: str
    scheduled_start: str  # ISO 8601 with the venue's UTC offset
    distance_m: int
    lap_m: int = 400
    records: list[Record] = []
    title: str = ""
    synthetic: list[str] = []  # names of the race fields that are invented (e.g. "gun")


class Entrant(_Data, frozen=True):
    """One line of the start list."""

    bib: int
    athlete_id: str
    name: str
    nation: str
    pb_ms: int | None = None
    sb_ms: int | None = None
    born: str | None = None  # ISO date
    synthetic: list[str] = []  # names of the fields that are invented, not published


class RaceScheduledData(_Data, frozen=True):
    race: RaceInfo
    start_list: list[Entrant]


class RaceStartedData(_Data, frozen=True):
    pass


class SplitRecordedData(_Data, frozen=True):
    athlete_id: str
    distance_m: int
    elapsed_ms: int
    # True when the time was not measured: interpolated between known points, or a
    # split the scenario itself marks as synthetic. Views should show it as an estimate.
    estimated: bool = False


class AthleteIncidentData(_Data, frozen=True):
    athlete_id: str
    distance_m: int
    kind: IncidentKind
    detail: str = ""
    continues: bool = True


class AthleteDidNotStartData(_Data, frozen=True):
    athlete_id: str
    reason: str = ""


class AthleteDidNotFinishData(_Data, frozen=True):
    athlete_id: str
    distance_m: int | None = None
    reason: str = ""


class AthleteFinishedData(_Data, frozen=True):
    athlete_id: str
    elapsed_ms: int  # the 1/1000 reading; the official time is timing.official_ms of it
    # What of the reading is invented: "thousandths" (the published time is to 1/100
    # and the last digit was chosen to round up to it) or "elapsed_ms" (all of it).
    synthetic: list[str] = []


class PhotoFinishRequestedData(_Data, frozen=True):
    athlete_ids: list[str]
    reason: str = ""


class PhotoPlace(_Data, frozen=True):
    athlete_id: str
    elapsed_ms: int


class PhotoFinishResolvedData(_Data, frozen=True):
    order: list[PhotoPlace]  # first across the line first, read to 1/1000


class ResultStatusChangedData(_Data, frozen=True):
    status: ResultStatus
    reason: str = ""


class ProtestLodgedData(_Data, frozen=True):
    protest_id: str
    by: str  # a nation code or team
    against: str | None = None  # athlete id
    reason: str = ""


class ProtestDecidedData(_Data, frozen=True):
    protest_id: str
    upheld: bool
    reason: str = ""


class AthleteDisqualifiedData(_Data, frozen=True):
    athlete_id: str
    rule: str  # e.g. TR17.1.2
    reason: str = ""
    protest_id: str | None = None


class AthleteReinstatedData(_Data, frozen=True):
    athlete_id: str
    supersedes: int  # seq of the athlete_disqualified (or did_not_finish) it undoes
    reason: str = ""


class ResultAmendedData(_Data, frozen=True):
    athlete_id: str
    elapsed_ms: int
    supersedes: int  # seq of the finish, photo or amendment whose time this replaces
    reason: str = ""


class CommentaryData(_Data, frozen=True):
    text: str
    athlete_ids: list[str] = []


class _Envelope(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """The fields every event carries, in every stream."""

    seq: int
    stream: str
    race: str  # the race this event belongs to (a championship stream holds several)
    race_ms: int  # race clock in ms since this race's gun; negative before it
    at: str  # original time, ISO 8601 UTC
    # Set only by a replay that rebases timestamps; absent from the JSON otherwise.
    emitted_at: str | msgspec.UnsetType = msgspec.UNSET

    @property
    def type(self) -> str:
        """The event's type, as on the wire (``"athlete_finished"``)."""
        return str(self.__struct_config__.tag)


class RaceScheduled(_Envelope, tag="race_scheduled", kw_only=True, frozen=True):
    data: RaceScheduledData


class RaceStarted(_Envelope, tag="race_started", kw_only=True, frozen=True):
    data: RaceStartedData = RaceStartedData()  # empty: the gun is the whole fact


class SplitRecorded(_Envelope, tag="split_recorded", kw_only=True, frozen=True):
    data: SplitRecordedData


class AthleteIncident(_Envelope, tag="athlete_incident", kw_only=True, frozen=True):
    data: AthleteIncidentData


class AthleteDidNotStart(_Envelope, tag="athlete_did_not_start", kw_only=True, frozen=True):
    data: AthleteDidNotStartData


class AthleteDidNotFinish(_Envelope, tag="athlete_did_not_finish", kw_only=True, frozen=True):
    data: AthleteDidNotFinishData


class AthleteFinished(_Envelope, tag="athlete_finished", kw_only=True, frozen=True):
    data: AthleteFinishedData


class PhotoFinishRequested(_Envelope, tag="photo_finish_requested", kw_only=True, frozen=True):
    data: PhotoFinishRequestedData


class PhotoFinishResolved(_Envelope, tag="photo_finish_resolved", kw_only=True, frozen=True):
    data: PhotoFinishResolvedData


class ResultStatusChanged(_Envelope, tag="result_status_changed", kw_only=True, frozen=True):
    data: ResultStatusChangedData


class ProtestLodged(_Envelope, tag="protest_lodged", kw_only=True, frozen=True):
    data: ProtestLodgedData


class ProtestDecided(_Envelope, tag="protest_decided", kw_only=True, frozen=True):
    data: ProtestDecidedData


class AthleteDisqualified(_Envelope, tag="athlete_disqualified", kw_only=True, frozen=True):
    data: AthleteDisqualifiedData


class AthleteReinstated(_Envelope, tag="athlete_reinstated", kw_only=True, frozen=True):
    data: AthleteReinstatedData


class ResultAmended(_Envelope, tag="result_amended", kw_only=True, frozen=True):
    data: ResultAmendedData


class Commentary(_Envelope, tag="commentary", kw_only=True, frozen=True):
    data: CommentaryData


Event: TypeAlias = (
    RaceScheduled
    | RaceStarted
    | SplitRecorded
    | AthleteIncident
    | AthleteDidNotStart
    | AthleteDidNotFinish
    | AthleteFinished
    | PhotoFinishRequested
    | PhotoFinishResolved
    | ResultStatusChanged
    | ProtestLodged
    | ProtestDecided
    | AthleteDisqualified
    | AthleteReinstated
    | ResultAmended
    | Commentary
)

EVENT_TYPES: dict[str, type[Event]] = {
    str(cls.__struct_config__.tag): cls for cls in Event.__args__
}
