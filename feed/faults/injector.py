"""Apply a fault plan to one subscriber's event frames, sans-I/O: frames and time in, outputs out.

One ``FaultInjector`` per logical subscriber (it outlives its connections). The
driver feeds each event frame as it would send it, asks what is due, and arms a
timer for the next deadline; time is always an argument (monotonic seconds)::

    injector = FaultInjector(plan)
    injector.resume(from_seq)              # on every (re)subscription, before feeding
    injector.feed(seq, frame, now)         # each event envelope, in seq order
    for output in injector.due(now):
        match output:
            case Send(frame, seq): ...     # send it, as a frame of its own
            case BumpEpoch(seq): ...       # new epoch for this subscriber, snapshot at seq - 1
            case Disconnect(reason, seq): ...  # drop the connection; resume() comes next
    deadline = injector.next_deadline()    # call due() again then; None: nothing is timed

What each action of the plan does to its seq:

===============  =================================================================
action           effect
===============  =================================================================
disconnect       ``Disconnect`` in the frame's place; everything held is lost and
                 everything fed after it is ignored, until ``resume``
epoch_bump       ``BumpEpoch`` in the frame's place, then the frame; frames of
                 lower seqs still held are dropped (the snapshot covers them)
stall            nothing at all goes out for ``ms``, from the frame's turn on
drop             the frame is not sent; only the seq's turn passes
reorder          the frame is held until ``with_seq`` has gone out (or was dropped)
late_correction  the frame is held ``ms`` more; later frames overtake it
duplicate        the frame goes out twice in a row
delay            the frame waits ``ms``; frames keep their order (a queue)
===============  =================================================================

Every action fires once per subscriber: on the first attempt to deliver its seq,
and a redelivery after a resume goes clean, so that resuming from the first
missing seq always gets past a fault. ``delay`` is the exception: latency is the
network's, on every attempt. And nothing but a delay ever fires at the seq a
``resume`` starts from, so each resume delivers at least that seq: a client gets
the whole log even from a server that makes a new injector per connection
(losing the memory of what fired), only through more faults.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Literal, TypeAlias

import msgspec

from feed.errors import SequenceError
from feed.faults.schedule import FaultAction, FaultKind, FaultPlan, PlanAsFed

__all__ = ["BumpEpoch", "Disconnect", "FaultInjector", "Output", "Send"]


class Send(msgspec.Struct, frozen=True):
    """Send ``frame`` (the event envelope of ``seq``, as fed) now."""

    frame: bytes
    seq: int


class Disconnect(msgspec.Struct, frozen=True):
    """Drop the connection now, without a word; ``seq`` is the event it fell before."""

    reason: str
    seq: int


class BumpEpoch(msgspec.Struct, frozen=True):
    """Move this subscriber to a new epoch now: a fresh snapshot as of ``seq - 1``."""

    seq: int


Output: TypeAlias = Send | Disconnect | BumpEpoch

_What: TypeAlias = Literal["send", "disconnect", "bump"]


@dataclass(slots=True, eq=False)
class _Held:
    """An output waiting for its time (and, for a reorder, for its partner to go)."""

    index: int  # arrival order: breaks ties, so equal times keep seq order
    seq: int
    at: float  # the earliest it may go, before any stall pushes it back
    what: _What = "send"
    frame: bytes = b""
    copies: int = 1
    gate: int | None = None  # the seq that must go (or be dropped) first


class FaultInjector:
    """Holds, drops, repeats and reorders one subscriber's frames as its plan says.

    Args:
        plan: the schedule: planned over the log the frames come from (``plan``), or
            planned as they are fed (``PlanAsFed``), which gives the same actions.
    """

    plan: FaultPlan | PlanAsFed
    _actions: dict[int, list[FaultAction]] | None  # a whole plan, by seq; None: as fed
    _fired: set[tuple[int, FaultKind]]
    _expected: int | None
    _spared: int | None  # the seq a resume starts at: no fault fires at it
    _queue: deque[_Held]  # in seq order, times never decreasing: the head goes first
    _side: list[_Held]  # frames out of the queue: late corrections and reorders
    _bytes: int  # of the frames held, in both
    _gates: dict[int, float | None]  # partner seq -> when it went (None: not yet)
    _silences: list[tuple[float, float]]  # stalls: (start, end), nothing goes inside
    _last: float
    _count: int
    _closing: bool
    _closed: bool

    def __init__(self, plan: FaultPlan | PlanAsFed) -> None:
        self.plan = plan
        if isinstance(plan, FaultPlan):
            self._actions = {}
            for action in plan.actions:
                self._actions.setdefault(action.seq, []).append(action)
        else:
            self._actions = None
        self._fired = set()
        self._connect(None)

    # -- what the driver reads --------------------------------------------------------

    @property
    def connected(self) -> bool:
        """False from the moment ``due`` returned a ``Disconnect`` until ``resume``."""
        return not self._closed

    @property
    def pending(self) -> int:
        """Outputs fed but not yet returned by ``due``."""
        return len(self._queue) + len(self._side)

    @property
    def idle(self) -> bool:
        """Nothing is held: a driver may send ``end`` or ``caught_up`` once this is true."""
        return not self._queue and not self._side

    @property
    def held_bytes(self) -> int:
        """Bytes of the frames held (each frame once, however many copies go out)."""
        return self._bytes

    @property
    def next_seq(self) -> int | None:
        """The seq ``feed`` expects next (``None`` before the first feed of a connection)."""
        return self._expected

    @property
    def fired(self) -> frozenset[tuple[int, FaultKind]]:
        """Every ``(seq, kind)`` that fired (or was spared by a resume); delays are not kept."""
        return frozenset(self._fired)

    def stalled(self, now: float) -> bool:
        """Whether a stall silences the connection at ``now``: hold heartbeats too."""
        return any(start <= now < end for start, end in self._silences)

    def next_deadline(self) -> float | None:
        """When ``due`` has something next (monotonic seconds); ``None`` if nothing is timed.

        A time in the past means "now". A reorder waiting for a partner that has not
        been fed yet has no deadline: feeding the partner gives it one.
        """
        if self._closed:
            return None
        times = [self._effective(self._queue[0].at)] if self._queue else []
        times += [t for t in map(self._ready, self._side) if t is not None]
        return min(times, default=None)

    # -- what the driver calls --------------------------------------------------------

    def resume(self, from_seq: int) -> None:
        """Start a new connection of the same subscriber, whose first event is ``from_seq``.

        What was held is forgotten (it went down with the old connection); which
        faults already fired is remembered, so none fires twice. No fault fires at
        ``from_seq`` itself (a delay still applies): the client resumes from the
        first seq it lacks, so each resume gets it at least one seq further, even
        on an injector made afresh for a subscriber the server could not recognise.
        """
        if from_seq < 1:
            raise ValueError(f"from_seq: expected 1 or more, got {from_seq}")
        self._connect(from_seq)
        self._spared = from_seq

    def feed(self, seq: int, frame: bytes, now: float, event_type: str = "") -> None:
        """Take the frame of event ``seq`` (of ``event_type``), ready to go out at ``now``.

        Frames fed while a disconnect is pending or done are ignored: that
        connection will never send them.

        Raises:
            SequenceError: ``seq`` is not the one after the last fed (or ``resume``'s).
        """
        if self._closing or self._closed:
            return
        if self._expected is not None and seq != self._expected:
            raise SequenceError(self._expected, seq, "fault injector")
        self._expected = seq + 1
        planned = (
            self._actions.get(seq, ())
            if self._actions is not None
            else self.plan.at(seq, event_type)
        )
        unfired = {
            action.kind: action
            for action in planned
            if action.kind == "delay" or (seq, action.kind) not in self._fired
        }
        if seq == self._spared:
            # A resume always gets its first seq: progress even for a forgotten subscriber.
            self._fired.update((seq, kind) for kind in unfired if kind != "delay")
            unfired = {kind: action for kind, action in unfired.items() if kind == "delay"}

        def take(kind: FaultKind) -> FaultAction | None:
            action = unfired.get(kind)
            if action is not None:
                self._fired.add((seq, kind))
            return action

        turn = max(now, self._last)
        if take("disconnect") is not None:
            self._closing = True
            self._enqueue(_Held(self._next_index(), seq, turn, what="disconnect"))
            return
        if take("epoch_bump") is not None:
            self._enqueue(_Held(self._next_index(), seq, turn, what="bump"))
        floor = turn
        stall = take("stall")
        if stall is not None:
            floor = turn + _seconds(stall.ms)
            self._silences.append((turn, floor))
            self._last = floor
        if take("drop") is not None:
            self._passed(seq, floor)
            return
        delay = _seconds(unfired["delay"].ms) if "delay" in unfired else 0.0
        held = _Held(self._next_index(), seq, max(now + delay, floor, self._last), frame=frame)
        reorder = take("reorder")
        if reorder is not None and reorder.with_seq is not None:
            held.gate = reorder.with_seq
            self._gates.setdefault(reorder.with_seq, None)
        if take("duplicate") is not None:
            held.copies = 2
        late = take("late_correction")
        if late is not None:
            # Out of the queue: the frames after it must not wait for it.
            held.at = max(now + delay + _seconds(late.ms), floor)
            self._side.append(held)
            self._bytes += len(held.frame)
        elif held.gate is not None:
            self._last = held.at
            self._side.append(held)
            self._bytes += len(held.frame)
        else:
            self._enqueue(held)

    def due(self, now: float) -> list[Output]:
        """Everything that is due at ``now``, in the order to act on it."""
        out: list[Output] = []
        while not self._closed:
            found = self._first_ready(now)
            if found is None:
                break
            held, ready = found
            if self._queue and self._queue[0] is held:
                self._queue.popleft()
            else:
                self._side.remove(held)
            self._bytes -= len(held.frame)
            if held.what == "disconnect":
                reason = f"fault injected: connection dropped before seq {held.seq}"
                out.append(Disconnect(reason, held.seq))
                self._connect(None)
                self._closed = True
            elif held.what == "bump":
                # The old epoch's frames still in flight are covered by the snapshot.
                self._side = [other for other in self._side if other.seq >= held.seq]
                self._bytes = sum(len(h.frame) for h in (*self._queue, *self._side))
                out.append(BumpEpoch(held.seq))
            else:
                out += [Send(held.frame, held.seq)] * held.copies
                self._passed(held.seq, ready)
        self._silences = [window for window in self._silences if window[1] > now]
        return out

    # -- inside -----------------------------------------------------------------------

    def _connect(self, expected: int | None) -> None:
        self._expected = expected
        self._spared = None
        self._queue = deque()
        self._side = []
        self._bytes = 0
        self._gates = {}
        self._silences = []
        self._last = -math.inf
        self._count = 0
        self._closing = False
        self._closed = False

    def _next_index(self) -> int:
        self._count += 1
        return self._count

    def _enqueue(self, held: _Held) -> None:
        self._last = held.at
        self._queue.append(held)
        self._bytes += len(held.frame)

    def _passed(self, seq: int, when: float) -> None:
        """``seq`` went out (or was dropped) at ``when``: release what waits for it."""
        if seq in self._gates:
            self._gates[seq] = when

    def _effective(self, at: float) -> float:
        """``at``, pushed past every stall it falls inside."""
        for start, end in self._silences:  # in start order, so one pass is enough
            if start < at < end:
                at = end
        return at

    def _ready(self, held: _Held) -> float | None:
        """When a held frame may go, or ``None`` while its reorder partner has not gone."""
        at = self._effective(held.at)
        if held.gate is None:
            return at
        gone = self._gates.get(held.gate)
        return None if gone is None else max(at, gone)

    def _first_ready(self, now: float) -> tuple[_Held, float] | None:
        best: tuple[_Held, float] | None = None
        if self._queue:
            head = self._queue[0]
            at = self._effective(head.at)
            if at <= now:
                best = (head, at)
        for held in self._side:
            ready = self._ready(held)
            if ready is None or ready > now:
                continue
            if best is None or (ready, held.index) < (best[1], best[0].index):
                best = (held, ready)
        return best


def _seconds(ms: int | None) -> float:
    return (ms or 0) / 1000
