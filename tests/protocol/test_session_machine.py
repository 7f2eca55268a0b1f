"""Random sequences of publish, subscribe, resume, seek, end, faults and ticks.

A state machine drives one ``SessionProtocol`` with clients that follow it through
``ClientProtocol`` (the code the SDK runs): whatever happens, a clean subscriber
is sent each seq of its epoch once and in order, every client applies exactly the
log's events in seq order, and once the clock has run past every fault and each
client has asked for what it lacks, every client holds the whole published head.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from feed import wire
from feed.events import Event
from feed.protocol import Abort, AwaitDrain, Broadcast, Close, Deliver, Limits, SessionProtocol
from feed.protocol.client import Apply, ClientProtocol, Ended, Fatal, Reset, Resubscribe
from feed.protocol.faults import EPOCH_STRIDE
from tests.kit.protocol import playing, session
from tests.kit.races import envelopes, talk

LOG = talk(40, text_bytes=120)
SINKS = ("a", "b", "c", "d")
FAULTS = (None, "drop_p=0.3", "duplicate_p=0.3,reorder_p=0.3,reorder_window=3",
          "delay_ms=50,jitter_ms=100", "disconnect_p=0.1", "epoch_bump_p=0.1")  # fmt: skip


@dataclass
class Follower:
    """One simulated client: its protocol, what it applied, and its connection."""

    client: ClientProtocol
    clean: bool
    connected: bool = True
    applied: list[Event] = field(default_factory=list)
    expect: int | None = None  # for a clean subscriber: the next seq the server must send
    wants_drain: bool = False


class SessionMachine(RuleBasedStateMachine):
    """One session, up to four followers, a director that publishes and seeks."""

    @initialize(history_kib=st.sampled_from([1, 2, 64]))
    def start(self, history_kib: int) -> None:
        self.now = 0.0
        self.protocol: SessionProtocol[str] = session(
            LOG, Limits(history_bytes=history_kib * 1024, heartbeat_s=5.0, batch_events=3)
        )
        self.protocol.clock_changed(playing(), self.now)
        self.epoch = 1
        self.ended = False
        self.followers: dict[str, Follower] = {}
        self.asked: list[tuple[str, wire.Subscribe]] = []

    # -- the director ---------------------------------------------------------------

    @precondition(lambda self: self.protocol.head_seq < len(LOG))
    @rule(count=st.integers(1, 6))
    def publish(self, count: int) -> None:
        head = self.protocol.head_seq
        events = LOG[head : head + count]
        self.protocol.publish(events, envelopes(events), self.now)
        self.flush()

    @precondition(lambda self: self.protocol.head_seq > 0)
    @rule(data=st.data())
    def seek_back(self, data: st.DataObject) -> None:
        to = data.draw(st.integers(0, self.protocol.head_seq - 1))
        self.epoch += 1
        self.ended = False
        status = msgspec.structs.replace(playing(to), epoch=self.epoch)
        self.protocol.start_epoch(self.epoch, to, status, self.now)
        self.flush()

    @precondition(lambda self: self.protocol.head_seq == len(LOG) and not self.ended)
    @rule()
    def end(self) -> None:
        self.ended = True
        status = msgspec.structs.replace(playing(len(LOG)), epoch=self.epoch, state="ended")
        self.protocol.clock_changed(status, self.now)
        self.flush()

    @rule(faults=st.sampled_from(FAULTS), seed=st.integers(0, 3))
    def session_faults(self, faults: str | None, seed: int) -> None:
        self.protocol.set_faults(faults or "none", seed)

    # -- the clients ----------------------------------------------------------------

    @rule(
        sink=st.sampled_from(SINKS),
        start=st.sampled_from(["start", "live", "race_ms", "snapshot"]),
        faults=st.sampled_from(FAULTS),
        views=st.booleans(),
        seed=st.integers(0, 5),
    )
    def subscribe(self, sink: str, start: str, faults: str | None, views: bool, seed: int) -> None:
        first = wire.Subscribe(
            session="main",
            live=start == "live",
            from_race_ms=600 if start == "race_ms" else None,
            snapshot=start != "start",
            views=views,
            faults=faults,
            fault_seed=seed,
            client_id=f"id-{sink}" if faults else None,
        )
        follower = self.followers[sink] = Follower(ClientProtocol(first), clean=True)
        self.send(sink, follower, follower.client.connected())
        self.flush()

    @precondition(lambda self: any(not f.connected for f in self.followers.values()))
    @rule(data=st.data())
    def reconnect(self, data: st.DataObject) -> None:
        sink = data.draw(st.sampled_from([s for s, f in self.followers.items() if not f.connected]))
        follower = self.followers[sink]
        follower.connected = True
        self.send(sink, follower, follower.client.connected())
        self.flush()

    @precondition(lambda self: any(f.wants_drain for f in self.followers.values()))
    @rule(data=st.data())
    def drain(self, data: st.DataObject) -> None:
        sink = data.draw(st.sampled_from([s for s, f in self.followers.items() if f.wants_drain]))
        self.followers[sink].wants_drain = False
        self.protocol.writable(sink, self.now)
        self.flush()

    @precondition(lambda self: any(f.connected for f in self.followers.values()))
    @rule(data=st.data(), slow=st.booleans())
    def leave(self, data: st.DataObject, slow: bool) -> None:
        sink = data.draw(st.sampled_from([s for s, f in self.followers.items() if f.connected]))
        follower = self.followers[sink]
        if slow:
            self.protocol.too_slow(sink, follower.client.last_seq + 1, self.now)
        else:
            self.protocol.unsubscribe(sink, self.now)
        self.flush()
        follower.connected = False

    @rule(seconds=st.floats(0.01, 3.0))
    def tick(self, seconds: float) -> None:
        self.now += seconds
        self.protocol.tick(self.now)
        for sink, follower in self.followers.items():
            for output in follower.client.tick(self.now):
                self.act(sink, follower, output)
        self.flush()

    # -- what must hold ---------------------------------------------------------------

    @invariant()
    def every_applied_event_is_the_logs_own_in_order(self) -> None:
        for follower in self.followers.values():
            for event in follower.applied:
                assert event == LOG[event.seq - 1]

    def teardown(self) -> None:
        """Let the clock run past every fault; each client then holds the whole head."""
        if not hasattr(self, "protocol"):
            return
        for _ in range(60):
            for sink, follower in self.followers.items():
                if not follower.connected and not follower.client.ended:
                    follower.connected = True
                    self.send(sink, follower, follower.client.connected())
                if follower.wants_drain:
                    follower.wants_drain = False
                    self.protocol.writable(sink, self.now)
            self.flush()
            self.now += 1.0
            self.protocol.tick(self.now)
            for sink, follower in self.followers.items():
                for output in follower.client.tick(self.now):
                    self.act(sink, follower, output)
            self.flush()
        for sink, follower in self.followers.items():
            if follower.client.ended:
                continue  # it stopped at the end of the epoch it followed (see act)
            assert follower.client.last_seq == self.protocol.head_seq, (
                sink,
                follower.client.last_seq,
                self.protocol.head_seq,
            )
            assert follower.client.epoch is not None
            assert follower.client.epoch % EPOCH_STRIDE == self.protocol.epoch

    # -- the wire -----------------------------------------------------------------------

    def send(self, sink: str, follower: Follower, message: wire.Subscribe) -> None:
        """A subscribe from ``sink``: what it is sent next is checked from its answer on."""
        follower.clean = message.faults is None and self.protocol.session_faults is None
        follower.expect = None
        self.protocol.subscribe(sink, message, sink, self.now)

    def flush(self) -> None:
        while True:
            outputs = self.protocol.data_to_send()
            for output in outputs:
                match output:
                    case Broadcast(sinks=sinks, frame=frame):
                        for sink in sinks:
                            self.frame(sink, frame)
                    case Deliver(sink=sink, frame=frame):
                        self.frame(sink, frame)
                    case Close(sink=sink, frame=frame):
                        self.frame(sink, frame)
                        self.followers[sink].connected = False
                    case Abort(sink=sink):
                        self.followers[sink].connected = False
                    case AwaitDrain(sink=sink):
                        self.followers[sink].wants_drain = True
            # What clients asked for meanwhile reaches the server now, on connections still
            # open (a server that is closing a connection reads on, unanswered).
            asked, self.asked = self.asked, []
            for sink, message in asked:
                if self.followers[sink].connected:
                    self.send(sink, self.followers[sink], message)
            if not outputs and not asked:
                return

    def frame(self, sink: str, raw: bytes) -> None:
        follower = self.followers[sink]
        assert follower.connected, f"{sink}: a frame after its connection closed"
        decoded = wire.decode_server(raw)
        if follower.clean:
            self.check_order(follower, decoded)
        for output in follower.client.receive(decoded, self.now):
            self.act(sink, follower, output)

    def check_order(self, follower: Follower, frame: wire.ServerFrame) -> None:
        """A clean subscriber is sent each seq once, in order, from where it was put."""
        match frame:
            case wire.Subscribed():
                follower.expect = frame.next_seq
            case wire.SnapshotMessage():
                follower.expect = frame.seq + 1
            case _ if follower.expect is None:
                pass  # in flight before the answer to a new subscribe: anything goes
            case list():
                for event in frame:
                    assert event.seq == follower.expect, (event.seq, follower.expect)
                    follower.expect = event.seq + 1
            case _ if not isinstance(frame, wire.ServerMessage):
                assert frame.seq == follower.expect, (frame.seq, follower.expect)
                follower.expect = frame.seq + 1

    def act(self, sink: str, follower: Follower, output: object) -> None:
        match output:
            case Apply(event=event):
                follower.applied.append(event)
            case Reset():
                follower.applied.clear()
            case Resubscribe(message=message):
                self.asked.append((sink, message))  # on its way: answered after this batch
            case Fatal(error=error):
                raise AssertionError(f"{sink}: gave up on {error}")
            case Ended(message=end):
                assert follower.client.last_seq == end.head_seq
                follower.connected = False


SessionMachine.TestCase.settings = settings(
    max_examples=300, stateful_step_count=40, deadline=None, report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
test_session_protocol_under_random_operations = SessionMachine.TestCase
