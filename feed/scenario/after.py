"""Post-race ``[[after]]`` entries to their events (envelope and supersedes filled later)."""

from __future__ import annotations

from feed.events import (
    AthleteDisqualified,
    AthleteDisqualifiedData,
    AthleteReinstated,
    AthleteReinstatedData,
    Event,
    PhotoFinishRequested,
    PhotoFinishRequestedData,
    PhotoFinishResolved,
    PhotoFinishResolvedData,
    PhotoPlace,
    ProtestDecided,
    ProtestDecidedData,
    ProtestLodged,
    ProtestLodgedData,
    ResultAmended,
    ResultAmendedData,
    ResultStatusChanged,
    ResultStatusChangedData,
)
from feed.scenario.envelope import BLANK as _BLANK
from feed.scenario.model import (
    AfterEntry,
    AthleteDisqualifiedSpec,
    AthleteReinstatedSpec,
    PhotoFinishRequestedSpec,
    PhotoFinishResolvedSpec,
    ProtestDecidedSpec,
    ProtestLodgedSpec,
    ResultAmendedSpec,
    ResultStatusChangedSpec,
)
from feed.timing import parse_time

__all__ = ["after_event"]


def after_event(entry: AfterEntry) -> Event:
    """The event an after entry becomes, with a blank envelope and supersedes 0."""
    match entry:
        case PhotoFinishRequestedSpec():
            requested = PhotoFinishRequestedData(
                athlete_ids=list(entry.athletes), reason=entry.reason
            )
            return PhotoFinishRequested(**_BLANK, data=requested)
        case PhotoFinishResolvedSpec():
            order = [
                PhotoPlace(athlete_id=p.athlete, elapsed_ms=parse_time(p.time)) for p in entry.order
            ]
            return PhotoFinishResolved(**_BLANK, data=PhotoFinishResolvedData(order=order))
        case ResultStatusChangedSpec():
            status = ResultStatusChangedData(status=entry.status, reason=entry.reason)
            return ResultStatusChanged(**_BLANK, data=status)
        case ProtestLodgedSpec():
            lodged = ProtestLodgedData(
                protest_id=entry.protest, by=entry.by, against=entry.against, reason=entry.reason
            )
            return ProtestLodged(**_BLANK, data=lodged)
        case ProtestDecidedSpec():
            decided = ProtestDecidedData(
                protest_id=entry.protest, upheld=entry.upheld, reason=entry.reason
            )
            return ProtestDecided(**_BLANK, data=decided)
        case AthleteDisqualifiedSpec():
            disqualified = AthleteDisqualifiedData(
                athlete_id=entry.athlete,
                rule=entry.rule,
                reason=entry.reason,
                protest_id=entry.protest,
            )
            return AthleteDisqualified(**_BLANK, data=disqualified)
        case AthleteReinstatedSpec():
            # supersedes is filled in once seqs are known.
            reinstated = AthleteReinstatedData(
                athlete_id=entry.athlete, supersedes=0, reason=entry.reason
            )
            return AthleteReinstated(**_BLANK, data=reinstated)
        case ResultAmendedSpec():
            amended = ResultAmendedData(
                athlete_id=entry.athlete,
                elapsed_ms=parse_time(entry.time),
                supersedes=0,
                reason=entry.reason,
            )
            return ResultAmended(**_BLANK, data=amended)
