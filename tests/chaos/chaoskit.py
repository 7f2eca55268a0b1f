"""Replay a scenario to the client SDK through seeded faults, over real sockets, and judge it.

A run starts a server on 127.0.0.1 (port 0) with a virtual clock that jumps from
deadline to deadline, so a replay and its delays, stalls and late corrections take
no wall time. The SDK connects with a fault spec and seed; what it hands the user
(events, and the snapshots that replaced its state) is recorded and checked
against the reference projection of the log.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st

from feed.client import Backoff, FeedStats, connect
from feed.events import Event
from feed.faults import FaultSpec
from feed.io import load_scenario
from feed.projections import Projection, project
from feed.replay import Speed
from feed.server import SessionSpec, VirtualClock, run_server

SCENARIOS: dict[str, list[Event]] = {
    name: list(load_scenario(name).events)
    for name in (
        "tokyo-2025-m1500-final",
        "edge-amended-time",
        "edge-dead-heat-bronze",
        "edge-dns-and-fall-dnf",
        "edge-medallist-disqualified",
        "edge-separated-at-thousandths",
    )
}
FAST = Backoff(initial=0.001, maximum=0.02, attempts=100)
_names = itertools.count(1)


@dataclass
class Outcome:
    """What the user of the SDK saw."""

    events: list[int] = field(default_factory=list)  # seqs, in the order handed over
    snapshots: list[tuple[int, int]] = field(default_factory=list)  # (events before, seq)
    stats: FeedStats = field(default_factory=FeedStats)
    projection: Projection = field(default_factory=Projection)
    ended: bool = False


def reproduce(scenario: str, spec: str, seed: int) -> str:
    """The command that prints this run's fault schedule."""
    return f"racefeed faults {scenario} --profile '{spec}' --seed {seed}"


async def replay_through_faults(
    events: Sequence[Event],
    spec: str | None,
    seed: int,
    *,
    speed: Speed = 50.0,
    timeout: float = 60.0,
    client_id: str | None = None,
) -> Outcome:
    """Run one replay to one SDK feed with faults, and return what its user saw."""
    clock = VirtualClock(autojump=True)
    name = f"chaos-{next(_names)}"
    session = SessionSpec(name=name, events=events, speed=speed, token="chaos-token")
    outcome = Outcome()
    async with run_server(sessions=[session], clock=clock) as server:
        feed = connect(
            server.url,
            session=name,
            backoff=FAST,
            faults=spec,
            fault_seed=seed,
            client_id=client_id,
            seed=seed,
        )
        feed.on_reset(
            lambda projection: outcome.snapshots.append((feed.stats.delivered, projection.head_seq))
        )

        async def read() -> None:
            async with feed:
                async for event in feed:
                    outcome.events.append(event.seq)

        await asyncio.wait_for(read(), timeout)
    outcome.stats = feed.stats
    outcome.projection = feed.projection
    outcome.ended = feed.ended
    return outcome


def check(outcome: Outcome, events: Sequence[Event]) -> None:
    """Every seq reached the user once (or was covered by a snapshot) and the views are right.

    Raises:
        AssertionError: saying which seq went wrong, or which view differs.
    """
    assert outcome.ended, "the feed did not reach the end of the replay"
    watermark = 0
    snapshots = iter(outcome.snapshots)
    pending = next(snapshots, None)
    for index, seq in enumerate([*outcome.events, None]):
        while pending is not None and pending[0] == index:
            assert pending[1] >= watermark, (
                f"a snapshot at seq {pending[1]} went back behind seq {watermark}"
            )
            watermark = pending[1]
            pending = next(snapshots, None)
        if seq is None:
            break
        assert seq > watermark, f"seq {seq} reached the user twice (it had seq {watermark})"
        assert seq == watermark + 1, f"seq {watermark + 1} is missing: seq {seq} came after it"
        watermark = seq
    last = events[-1].seq
    assert watermark == last, f"the user saw up to seq {watermark} of {last}"
    reference = project(events)
    projection = outcome.projection
    assert projection.head_seq == last
    for race in reference.race_ids():
        assert projection.standings(race) == reference.standings(race), race
        assert projection.race_state(race) == reference.race_state(race), race
    assert projection.medal_table() == reference.medal_table()


def _seqs(most: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(1, most), max_size=3, unique=True)


@st.composite
def fault_specs(draw: st.DrawFn) -> FaultSpec:
    """Any mix of faults, at rates from none to far worse than a real network."""
    stall_at = draw(_seqs(240))
    stall_p = draw(st.sampled_from([0.0, 0.0, 0.01, 0.05]))
    return FaultSpec(
        disconnect_at_seq=draw(_seqs(240)),
        disconnect_p=draw(st.sampled_from([0.0, 0.0, 0.01, 0.03])),
        drop_p=draw(st.sampled_from([0.0, 0.02, 0.1, 0.3])),
        duplicate_p=draw(st.sampled_from([0.0, 0.02, 0.1, 0.3])),
        reorder_p=draw(st.sampled_from([0.0, 0.02, 0.1, 0.3])),
        reorder_window=draw(st.integers(1, 6)),
        delay_ms=draw(st.sampled_from([0, 0, 20, 150])),
        jitter_ms=draw(st.sampled_from([0, 0, 50, 400])),
        stall_at_seq=stall_at,
        stall_p=stall_p,
        stall_ms=draw(st.integers(1, 5000)) if stall_at or stall_p else 0,
        epoch_bump_at_seq=draw(_seqs(240)),
        epoch_bump_p=draw(st.sampled_from([0.0, 0.0, 0.01, 0.03])),
        late_correction_ms=draw(st.sampled_from([0, 0, 2000, 20_000])),
    )
