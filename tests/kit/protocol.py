"""Drive the protocol objects in tests: logs, a wire that records what each subscriber got."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from feed import wire
from feed.events import Event
from feed.protocol import (
    Abort,
    AwaitDrain,
    Broadcast,
    Close,
    Deliver,
    Limits,
    SessionProtocol,
)
from feed.protocol.budget import Budget
from feed.protocol.faults import FaultStates
from feed.protocol.views import FrameCache
from tests.kit.races import envelopes


def session(
    events: Sequence[Event] = (),
    limits: Limits | None = None,
    now: float = 0.0,
    fault_budget: Budget | None = None,
) -> SessionProtocol[str]:
    """A session protocol over ``events`` (their count is its last seq), nothing published."""
    limits = limits or Limits()
    return SessionProtocol(
        id="main",
        stream=events[0].stream if events else "talk",
        last_seq=len(events),
        limits=limits,
        frames=FrameCache(32 * 2**20),
        fault_states=FaultStates(limits.fault_states),
        now=now,
        fault_budget=fault_budget,
    )


def playing(status_seq: int = 0) -> wire.ReplayStatus:
    return wire.ReplayStatus(
        session="main", epoch=1, state="playing", speed=1.0, position_seq=status_seq,
        race=None, race_ms=0,
    )  # fmt: skip


@dataclass
class Received:
    """What one subscriber's connection got."""

    frames: list[object] = field(default_factory=list)
    closed: int | None = None
    aborted: bool = False
    wants_drain: bool = False

    def ops(self) -> list[str]:
        """The protocol messages' ops and ``events`` for each event frame, in order."""
        out: list[str] = []
        for frame in self.frames:
            if isinstance(frame, list) or "type" in frame:  # type: ignore[operator]
                out.append("events")
            else:
                out.append(frame["op"])  # type: ignore[index]
        return out

    def seqs(self) -> list[int]:
        """Every event seq received, batches flattened, in order."""
        out: list[int] = []
        for frame in self.frames:
            if isinstance(frame, list):
                out.extend(item["seq"] for item in frame)
            elif "type" in frame:  # type: ignore[operator]
                out.append(frame["seq"])  # type: ignore[index]
        return out

    def last(self, op: str) -> dict[str, object]:
        for frame in reversed(self.frames):
            if isinstance(frame, dict) and frame.get("op") == op:
                return frame
        raise AssertionError(f"no {op!r} among {self.ops()}")


class Wire:
    """Carries a session protocol's outputs out to recorded subscribers."""

    def __init__(self, protocol: SessionProtocol[str]) -> None:
        self.protocol = protocol
        self.got: dict[str, Received] = {}

    def __getitem__(self, sink: str) -> Received:
        return self.got.setdefault(sink, Received())

    def flush(self) -> None:
        for output in self.protocol.data_to_send():
            match output:
                case Broadcast(sinks=sinks, frame=frame):
                    for sink in sinks:
                        self._take(sink, frame)
                case Deliver(sink=sink, frame=frame):
                    self._take(sink, frame)
                case Close(sink=sink, frame=frame, code=code):
                    self._take(sink, frame)
                    self[sink].closed = code
                case Abort(sink=sink):
                    self[sink].aborted = True
                case AwaitDrain(sink=sink):
                    self[sink].wants_drain = True

    def drain(self, sink: str, now: float = 0.0) -> None:
        """The sink's queue emptied: tell the protocol, as a host would."""
        assert self[sink].wants_drain, f"{sink} did not ask to be told"
        self[sink].wants_drain = False
        self.protocol.writable(sink, now)
        self.flush()

    def subscribe(self, sink: str, now: float = 0.0, **fields: object) -> Received:
        message = msgspec.convert({"session": "main", **fields}, wire.Subscribe)
        self.protocol.subscribe(sink, message, sink, now)
        self.flush()
        return self[sink]

    def publish(self, events: Sequence[Event], now: float = 0.0) -> None:
        self.protocol.publish(events, envelopes(events), now)
        self.flush()

    def _take(self, sink: str, frame: bytes) -> None:
        received = self[sink]
        assert received.closed is None and not received.aborted, f"{sink}: a frame after close"
        received.frames.append(msgspec.json.decode(frame))
