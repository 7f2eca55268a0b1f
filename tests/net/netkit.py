"""Shared pieces of the server tests: synthetic logs, a recording client, schema checks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from websockets.asyncio.client import ClientConnection, connect

from feed import wire
from feed.asyncapi import asyncapi_document
from feed.events import (
    EVENT_TYPES,
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
from feed.net import ScenarioLog, StaticScenarios
from feed.replay import format_utc

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


def make_commentary(
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
        [ScenarioLog(id=i, title=f"{i} title", kind="race", events=e) for i, e in logs]
    )


# -- the recording client -------------------------------------------------------------

RECORDED: list[bytes] = []


class Client:
    """A test client: sends dicts, receives decoded frames, records every frame it gets."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.frames: list[Json] = []

    @classmethod
    async def open(cls, url: str, **kwargs: Any) -> Client:
        ws = await connect(url, compression=None, max_size=None, open_timeout=5, **kwargs)
        return cls(ws)

    async def send(self, **message: Json) -> None:
        await self.ws.send(msgspec.json.encode(message).decode())

    async def recv(self, timeout: float = 15.0) -> Json:
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        data = raw.encode() if isinstance(raw, str) else raw
        RECORDED.append(data)
        frame = msgspec.json.decode(data)
        wire.decode_server(data)  # every frame also decodes into the typed messages
        self.frames.append(frame)
        return frame

    async def recv_op(self, op: str, timeout: float = 15.0) -> Json:
        """Receive until a message with this ``op``; everything before it stays in ``frames``."""
        while True:
            frame = await self.recv(timeout)
            if isinstance(frame, dict) and frame.get("op") == op:
                return frame

    async def events_until(self, op: str = "end", timeout: float = 15.0) -> list[Json]:
        """Every event envelope received (batches flattened) until a message with ``op``."""
        events: list[Json] = []
        while True:
            frame = await self.recv(timeout)
            if isinstance(frame, list):
                events.extend(frame)
            elif "type" in frame:
                events.append(frame)
            elif frame.get("op") == op:
                return events

    async def close(self) -> None:
        await self.ws.close()


def envelopes(frames: list[Json]) -> list[Json]:
    """The event envelopes among received frames, batches flattened."""
    out: list[Json] = []
    for frame in frames:
        if isinstance(frame, list):
            out.extend(frame)
        elif isinstance(frame, dict) and "type" in frame:
            out.append(frame)
    return out


# -- schema checks ---------------------------------------------------------------------

_DOCUMENT = asyncapi_document()
_REGISTRY: Registry = Registry().with_resource(
    "urn:racefeed:asyncapi", Resource.from_contents(_DOCUMENT, default_specification=DRAFT202012)
)
_VALIDATORS: dict[str, Draft202012Validator] = {}


def validator_for(schema_name: str) -> Draft202012Validator:
    """A Draft 2020-12 validator for one schema of the AsyncAPI document's components."""
    found = _VALIDATORS.get(schema_name)
    if found is None:
        assert schema_name in _DOCUMENT["components"]["schemas"], schema_name
        found = Draft202012Validator(
            {"$ref": f"urn:racefeed:asyncapi#/components/schemas/{schema_name}"},
            registry=_REGISTRY,
        )
        _VALIDATORS[schema_name] = found
    return found


def schema_name_of(frame: Json) -> list[tuple[str, Json]]:
    """Which component schema each part of a frame must match."""
    if isinstance(frame, list):
        return [(EVENT_TYPES[item["type"]].__name__, item) for item in frame]
    if "op" in frame:
        ref = _DOCUMENT["components"]["messages"][frame["op"]]["payload"]["$ref"]
        return [(ref.rsplit("/", 1)[1], frame)]
    return [(EVENT_TYPES[frame["type"]].__name__, frame)]


def check_frames(frames: list[bytes], per_kind: int = 40) -> dict[str, int]:
    """Validate distinct frames (up to ``per_kind`` of each kind); return the kinds seen."""
    seen: dict[str, int] = {}
    for raw in dict.fromkeys(frames):
        frame = msgspec.json.decode(raw)
        for name, part in schema_name_of(frame):
            if seen.get(name, 0) >= per_kind:
                continue
            seen[name] = seen.get(name, 0) + 1
            errors = sorted(validator_for(name).iter_errors(part), key=str)
            assert not errors, (
                f"{name} does not match the AsyncAPI schema: {errors[0]}\n{raw[:500]!r}"
            )
            validator_for("ServerFrame")  # the union stays resolvable
    return seen
