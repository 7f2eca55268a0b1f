"""Races for the tests: a small real one, commentary of any length, the Tokyo final."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from feed import codec
from feed.events import (
    AthleteFinished,
    AthleteFinishedData,
    Commentary,
    CommentaryData,
    Entrant,
    Event,
    RaceInfo,
    RaceScheduled,
    RaceScheduledData,
    RaceStarted,
    ResultStatusChanged,
    ResultStatusChangedData,
    SplitRecorded,
    SplitRecordedData,
)
from feed.io import load_scenario
from feed.replay import format_utc
from feed.server import LoadedScenario, StaticScenarios

GUN = datetime(2025, 9, 17, 13, 20, 40, tzinfo=UTC)
Json = Any  # decoded JSON in tests: objects, arrays, scalars


def make_race(
    *, stream: str = "test-race", athletes: int = 4, split_m: int = 100, official_after_s: int = 30
) -> list[Event]:
    """A small but complete 1500 m race: schedule, gun, splits, finishes, official result."""
    info = RaceInfo(
        championship="Test Championships",
        event="Men's 1500 metres",
        round="Final",
        venue="Test Stadium",
        scheduled_start="2025-09-17T22:20:00+09:00",
        distance_m=1500,
        title="Test 1500 m final",
    )
    ids = [f"runner-{n}" for n in range(1, athletes + 1)]
    start_list = [
        Entrant(
            bib=n, athlete_id=aid, name=f"Runner {n}", nation=["GBR", "POR", "KEN", "USA"][n % 4]
        )
        for n, aid in enumerate(ids, start=1)
    ]
    timed: list[tuple[int, int, type[Event] | None, Any]] = [
        (-30_000, 0, RaceScheduled, RaceScheduledData(race=info, start_list=start_list)),
        (0, 1, None, None),
    ]
    for n, aid in enumerate(ids):
        pace = 0.144 + n * 0.0004  # ms per mm: about 3:36 for the winner
        for distance in range(split_m, 1500 + 1, split_m):
            elapsed = int(distance * 1000 * pace)
            if distance == 1500:
                data: Any = AthleteFinishedData(athlete_id=aid, elapsed_ms=elapsed)
                timed.append((elapsed, 3, AthleteFinished, data))
            else:
                data = SplitRecordedData(athlete_id=aid, distance_m=distance, elapsed_ms=elapsed)
                timed.append((elapsed, 2, SplitRecorded, data))
    last = max(item[0] for item in timed)
    unofficial = ResultStatusChangedData(status="unofficial")
    official = ResultStatusChangedData(status="official")
    timed.append((last + 1000, 4, ResultStatusChanged, unofficial))
    timed.append((last + official_after_s * 1000, 4, ResultStatusChanged, official))
    timed.sort(key=lambda item: (item[0], item[1]))
    events: list[Event] = []
    for seq, (race_ms, _, cls, data) in enumerate(timed, start=1):
        common: dict[str, Any] = {
            "seq": seq,
            "stream": stream,
            "race": stream,
            "race_ms": race_ms,
            "at": format_utc(GUN + timedelta(milliseconds=race_ms)),
        }
        events.append(RaceStarted(**common) if cls is None else cls(**common, data=data))
    return events


def talk(
    count: int, *, gap_ms: int = 50, text_bytes: int = 40, stream: str = "talk"
) -> list[Event]:
    """``count`` commentary events ``gap_ms`` apart, each with ``text_bytes`` of text."""
    return [
        Commentary(
            seq=seq,
            stream=stream,
            race=stream,
            race_ms=(seq - 1) * gap_ms,
            at=format_utc(GUN + timedelta(milliseconds=(seq - 1) * gap_ms)),
            data=CommentaryData(text=f"{seq:08d} " + "x" * max(0, text_bytes - 9)),
        )
        for seq in range(1, count + 1)
    ]


def static(*logs: tuple[str, list[Event]]) -> StaticScenarios:
    """A scenario source holding the given logs by id."""
    return StaticScenarios(
        [LoadedScenario(id=i, title=f"{i} title", kind="race", events=e) for i, e in logs]
    )


@cache
def tokyo() -> tuple[Event, ...]:
    """The Tokyo 2025 men's 1500 m final, 231 events."""
    return tuple(load_scenario("tokyo-2025-m1500-final").events)


def envelopes(events: Sequence[Event]) -> list[bytes]:
    """Each event encoded once, as the director does."""
    return [codec.encode(event) for event in events]
