"""No fault loses an event for good: a client that resubscribes from its first gap gets them all.

A virtual clock drives a server that publishes a log and feeds each connection's
frames through the injector, and a client that keeps a watermark (every seq up to
it applied), buffers what comes early, drops what it has, and resubscribes from
watermark + 1 when the connection drops, when ``end`` comes while it still has a
gap, and (eager) at the first gap it sees or (patient) when a gap has lasted a
second, doubling that wait while a gap outlives it. Under any spec and seed it
must end with every seq applied exactly once, or covered by the snapshot of an
epoch bump.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from feed import codec
from feed.events import Event
from feed.faults import (
    PROFILES,
    BumpEpoch,
    Disconnect,
    FaultInjector,
    FaultPlan,
    FaultSpec,
    Send,
    plan,
)
from tests.faults.fault_logs import log, logs, specs

RECONNECT_S = 0.25
PATIENCE_S = 1.0


@dataclass
class Client:
    """What a careful live-results client keeps: a watermark and the events that came early."""

    eager: bool
    watermark: int = 0
    early: set[int] = field(default_factory=set)
    applied: list[int] = field(default_factory=list)
    snapshots: list[int] = field(default_factory=list)  # the seq each snapshot was as of
    gap_since: float | None = None

    def receive(self, seq: int, now: float) -> bool:
        """Take one event; True when it wants to resubscribe now."""
        if seq > self.watermark + 1:
            self.early.add(seq)
        elif seq == self.watermark + 1:
            self.applied.append(seq)
            self.watermark = seq
            self._drain()
        self._track_gap(now)
        return self.eager and bool(self.early)

    def snapshot(self, seq: int, now: float) -> None:
        """Replace the state with a snapshot as of ``seq`` (an epoch bump)."""
        assert self.watermark <= seq, f"snapshot at {seq} behind watermark {self.watermark}"
        self.snapshots.append(seq)
        self.watermark = seq
        self.early = {early for early in self.early if early > seq}
        self._drain()
        self._track_gap(now)

    def _drain(self) -> None:
        while self.watermark + 1 in self.early:
            self.early.remove(self.watermark + 1)
            self.watermark += 1
            self.applied.append(self.watermark)

    def _track_gap(self, now: float) -> None:
        if not self.early:
            self.gap_since = None
        elif self.gap_since is None:
            self.gap_since = now


@dataclass
class Simulation:
    """A server publishing ``events`` at ``spacing`` seconds apart, and one faulty subscriber."""

    schedule: FaultPlan
    events: list[Event]
    spacing: float
    client: Client
    seed: int
    forgetful: bool = False  # a new injector per subscription: no memory of what fired
    now: float = 0.0
    head: int = 0  # seqs published so far
    connected: bool = True
    reconnect_at: float | None = None
    subscriptions: int = 0
    patience: float = PATIENCE_S
    watermark_at_timeout: int = -1
    fed_at: dict[int, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.frames = {event.seq: codec.encode(event) for event in self.events}
        self.delays = {a.seq: a.ms or 0 for a in self.schedule.actions if a.kind == "delay"}
        self.injector = FaultInjector(self.schedule)
        self.subscribe()

    def subscribe(self) -> None:
        """A (re)subscription from the client's watermark + 1: catch up, then live."""
        self.subscriptions += 1
        self.connected = True
        self.reconnect_at = None
        self.cursor = self.client.watermark + 1
        if self.forgetful:
            self.injector = FaultInjector(self.schedule)
        self.injector.resume(self.cursor)
        self.fed_at.clear()
        self.client.gap_since = self.now if self.client.early else None
        self.feed()

    def feed(self) -> None:
        while self.connected and self.cursor <= self.head:
            self.fed_at[self.cursor] = self.now
            self.injector.feed(self.cursor, self.frames[self.cursor], self.now)
            self.cursor += 1

    def deliver(self) -> None:
        for output in self.injector.due(self.now):
            match output:
                case Send(frame, seq):
                    assert frame == self.frames[seq]
                    earliest = self.fed_at[seq] + self.delays.get(seq, 0) / 1000
                    assert self.now >= earliest, f"seed {self.seed}: seq {seq} left early"
                    if self.client.receive(seq, self.now):
                        self.subscribe()
                        return
                case BumpEpoch(seq):
                    self.client.snapshot(seq - 1, self.now)
                case Disconnect():
                    self.connected = False
                    self.reconnect_at = self.now + RECONNECT_S
                    return

    def run(self) -> None:
        last = len(self.events)
        for _ in range(50_000):
            while self.head < last and self.head * self.spacing <= self.now:
                self.head += 1
            self.feed()
            if self.reconnect_at is not None and self.reconnect_at <= self.now:
                self.subscribe()
            if self.connected:
                self.deliver()
            gap = self.client.gap_since
            if self.connected and gap is not None and self.now >= gap + self.patience:
                # Back off while a gap outlives the wait: the latency may just be long.
                stuck = self.client.watermark == self.watermark_at_timeout
                self.patience = self.patience * 2 if stuck else PATIENCE_S
                self.watermark_at_timeout = self.client.watermark
                self.subscribe()
            if self.connected and self.head == last and self.injector.idle:
                if self.client.watermark == last:  # `end`, and nothing is missing
                    return
                self.subscribe()  # `end` with a gap: resubscribe from it
                continue
            moments = [
                self.head * self.spacing if self.head < last else None,
                self.injector.next_deadline() if self.connected else None,
                self.reconnect_at,
                gap + self.patience if gap is not None and self.connected else None,
            ]
            upcoming = [moment for moment in moments if moment is not None]
            assert upcoming, f"seed {self.seed}: stuck with {self.injector.pending} held"
            self.now = max(self.now, min(upcoming))
        raise AssertionError(f"seed {self.seed}: no end after 50000 steps")


def simulate(
    spec: FaultSpec,
    seed: int,
    events: list[Event],
    *,
    eager: bool,
    spacing: float,
    forgetful: bool = False,
) -> Simulation:
    schedule = plan(spec, seed, events)
    simulation = Simulation(schedule, events, spacing, Client(eager), seed, forgetful=forgetful)
    simulation.run()
    return simulation


def check_every_seq_exactly_once(simulation: Simulation) -> None:
    client = simulation.client
    last = len(simulation.events)
    where = f"seed {simulation.seed}, spec {simulation.schedule.spec}"
    assert client.watermark == last, where
    assert len(client.applied) == len(set(client.applied)), where
    covered = set(client.applied)
    floor = 0
    for snapshot in client.snapshots:
        skipped = set(range(floor + 1, snapshot + 1)) - covered
        covered |= skipped
        floor = snapshot
    assert covered == set(range(1, last + 1)), where


@settings(max_examples=150, deadline=None)
@given(
    spec=specs(),
    seed=st.integers(0, 2**32),
    events=logs(max_size=10) | logs(min_size=30, max_size=60),
    eager=st.booleans(),
    spacing=st.sampled_from([0.0, 0.01, 0.2]),
    forgetful=st.booleans(),
)
def test_a_resubscribing_client_ends_with_every_seq_exactly_once(
    *,
    spec: FaultSpec,
    seed: int,
    events: list[Event],
    eager: bool,
    spacing: float,
    forgetful: bool,
) -> None:
    """Any spec, any seed: drops, disconnects and bumps are recovered, duplicates ignored.

    Also when the server loses the subscriber's injector at every resubscription.
    """
    short = _shorter(spec)
    simulation = simulate(short, seed, events, eager=eager, spacing=spacing, forgetful=forgetful)
    check_every_seq_exactly_once(simulation)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), eager=st.booleans())
def test_every_profile_is_recovered_on_a_real_sized_log(seed: int, eager: bool) -> None:
    """Each named profile over 230 events, at 5 events a second."""
    events = log([index % 40 == 39 for index in range(230)])
    for name, profile in PROFILES.items():
        simulation = simulate(profile.spec, seed, events, eager=eager, spacing=0.2)
        check_every_seq_exactly_once(simulation)
        assert simulation.subscriptions <= 1 + len(simulation.schedule.actions), name


def test_the_worst_spec_still_delivers_everything() -> None:
    """Every fault on every event at once still ends with the whole log."""
    events = log([False, True] * 15)
    spec = FaultSpec(
        disconnect_p=1.0,
        drop_p=1.0,
        duplicate_p=1.0,
        reorder_p=1.0,
        reorder_window=4,
        delay_ms=30,
        jitter_ms=30,
        stall_p=1.0,
        stall_ms=100,
        epoch_bump_p=1.0,
        late_correction_ms=500,
    )
    for eager in (True, False):
        check_every_seq_exactly_once(simulate(spec, 5, events, eager=eager, spacing=0.05))


def _shorter(spec: FaultSpec) -> FaultSpec:
    """The same spec with times cut to at most 3 s, so that a run stays short."""
    cut = {
        name: min(getattr(spec, name), 3000)
        for name in ("delay_ms", "jitter_ms", "stall_ms", "late_correction_ms")
    }
    return msgspec.structs.replace(spec, **cut)
