"""Fuzzing the server's input: hypothesis strategies for client frames, and a driver with an oracle.

Every case is one frame. The driver sends it, then a ``ping`` with a fresh id,
and reads until that ``pong``: whatever came in between is the case's answer
(frames are answered in order). ``expected`` says what the answer must hold,
from the same parser the server uses (``feed.wire.parse_client``): the error code
(and field) of a bad frame, or the kind of answer of a good one. A case that gets
``internal_error``, no answer, or a close the protocol does not document fails.

``Harness`` runs a server, a healthy SDK client replaying the Tokyo final and the
fuzzing connection on an event loop in a thread of their own, so that hypothesis
(which calls the test synchronously) can feed one connection for thousands of
cases. ``bench/fuzz_wire.py`` drives the same strategies for longer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import string
import threading
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

import msgspec
from hypothesis import strategies as st
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect

from feed import wire
from feed.client import Backoff, connect
from feed.faults import PROFILES
from feed.faults.spec import FIELD_KINDS
from feed.io import load_scenario
from feed.projections import project
from feed.protocol import Limits
from feed.server import Server, ServerConfig, SessionSpec, run_server

TOKYO = load_scenario("tokyo-2025-m1500-final").events
T = TypeVar("T")

OPS: Final = ("subscribe", "unsubscribe", "create_session", "control", "ping")
FIELDS: Final = (
    "session",
    "from_seq",
    "from_race_ms",
    "live",
    "epoch",
    "snapshot",
    "views",
    "faults",
    "fault_seed",
    "client_id",
    "scenario",
    "speed",
    "paused",
    "timestamps",
    "max_gap_ms",
    "token",
    "action",
    "seq",
    "race_ms",
    "race",
    "id",
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=24)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

_fault_words = st.sampled_from(
    [*PROFILES, *FIELD_KINDS, "=", ",", "+", "0", "1", "0.5", "-1", "1e9", "x", " ", ""]
)
fault_specs = st.lists(_fault_words, max_size=8).map("".join) | st.text(max_size=40)

# Names no session has (the healthy session's id is random and long).
sessions = st.sampled_from(["main", "", "p-000000000000", "x" * 300]) | st.text(max_size=12)


def _field_values(name: str) -> st.SearchStrategy[Any]:
    """Values for one field: mostly plausible, sometimes of any JSON type."""
    plausible: dict[str, st.SearchStrategy[Any]] = {
        "session": sessions,
        "from_seq": st.integers(-5, 10**6),
        "from_race_ms": st.integers(-(10**7), 10**7),
        "epoch": st.integers(-5, 10**7),
        "faults": fault_specs,
        "fault_seed": st.integers(-5, 2**64),
        "client_id": st.text(max_size=70),
        "scenario": st.sampled_from(["tokyo-2025-m1500-final", "nope", "../etc/passwd", ""]),
        "speed": st.sampled_from([0, 0.05, 0.1, 1, 1000, 1001, "instant", "fast"]),
        "timestamps": st.sampled_from(["original", "rebased", "local"]),
        "max_gap_ms": st.integers(-5, 10**6),
        "token": st.text(max_size=30),
        "action": st.sampled_from(["play", "pause", "speed", "seek", "step", "faults", "stop"]),
        "seq": st.integers(-5, 10**6),
        "race_ms": st.integers(-(10**6), 10**7),
        "race": st.text(max_size=12),
        "id": st.one_of(st.none(), st.integers(), st.text(max_size=12)),
    }
    good = plausible.get(name, st.booleans())
    return st.one_of(good, good, good, json_values)


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    """An object shaped like a client message: a known or unknown op, known fields, extras."""
    message: dict[str, Any] = {}
    op = draw(st.sampled_from([*OPS, *OPS, "subscribe ", "SUBSCRIBE", None, 7]))
    if op is not None:
        message["op"] = op
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=5, unique=True)):
        message[name] = draw(_field_values(name))
    if draw(st.integers(0, 9)) == 0:
        message[draw(st.text(string.ascii_lowercase + "_", min_size=1, max_size=10))] = draw(
            json_values
        )
    return message


_valid_fields: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "subscribe": {
        "session": sessions,
        "from_seq": st.integers(1, 500),
        "epoch": st.integers(1, 3),
        "snapshot": st.booleans(),
        "views": st.booleans(),
        "faults": st.sampled_from(sorted(PROFILES)),
        "fault_seed": st.integers(0, 2**63 - 1),
        "client_id": st.text(min_size=1, max_size=64),
    },
    "create_session": {
        "scenario": st.sampled_from(["tokyo-2025-m1500-final", "edge-amended-time", "nope"]),
        "speed": st.sampled_from([1, 10, "instant"]),
        "paused": st.just(True),
        "faults": st.sampled_from(sorted(PROFILES)),
        "timestamps": st.sampled_from(["original", "rebased"]),
    },
    "control": {
        "session": sessions,
        "action": st.sampled_from(["play", "pause", "step"]),
        "token": st.text(max_size=30),
    },
    "ping": {"id": st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=12))},
    "unsubscribe": {"session": sessions},
}


@st.composite
def near_valid(draw: st.DrawFn) -> dict[str, Any]:
    """A valid client message, sometimes with one field broken: reaches past the parser."""
    op = draw(st.sampled_from(OPS))
    fields = _valid_fields[op]
    message: dict[str, Any] = {"op": op}
    required = {"create_session": ["scenario"], "control": ["session", "action"]}.get(op, [])
    for name in required:
        message[name] = draw(fields[name])
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True)):
        message[name] = draw(fields[name])
    if draw(st.integers(0, 3)) == 0:
        message[draw(st.sampled_from(FIELDS))] = draw(json_values)
    return message


def _dump(value: Any, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


def _nested(depth: int, opener: str, inner: str) -> str:
    """JSON (or nearly) nested ``depth`` deep: deeper than a parser's stack may follow."""
    closer = {"[": "]", '{"a":': "}", '{"op":': "}"}[opener]
    return opener * depth + inner + closer * depth


deep = st.builds(
    _nested,
    st.integers(800, 3_000),
    st.sampled_from(["[", '{"a":', '{"op":']),
    st.sampled_from(["1", "null", '"x"', ""]),
)
"""Nesting that a recursive parser cannot follow: answered as bad JSON, like any other."""

texts = st.one_of(
    deep,
    st.builds(_dump, near_valid(), st.booleans()),
    st.builds(_dump, messages(), st.booleans()),
    st.builds(_dump, json_values, st.booleans()),
    st.text(max_size=60),
    st.builds(
        lambda m, cut: _dump(m, True)[:cut], messages(), st.integers(0, 40)
    ),  # truncated JSON
)
"""Text frames: near-valid messages, message-shaped objects, any JSON, any text, cut JSON."""

frames = st.one_of(texts, texts, texts, st.binary(max_size=60))
"""Any frame a client may send without breaking the websocket layer itself."""


@dataclass(frozen=True)
class Expect:
    """What the answer to one frame must hold."""

    code: str | None = None  # an error with this code (and this field)
    field: str | None = None
    ops: frozenset[str] = frozenset()  # or one of these messages
    later: bool = False  # create_session: a task answers it, before or after the pong


def expected(frame: str | bytes) -> Expect:
    """What the server must answer to ``frame``, by the same parser it uses."""
    if isinstance(frame, bytes):
        return Expect(code="binary_frame")
    parsed = wire.parse_client(frame)
    match parsed:
        case wire.ErrorMessage():
            return Expect(code=parsed.code, field=parsed.field)
        case wire.Ping():
            return Expect(ops=frozenset({"pong"}))
        case wire.Unsubscribe():
            return Expect(ops=frozenset({"unsubscribed"}))
        case wire.Subscribe() | wire.Control():
            return Expect(ops=frozenset({"error"}))  # no session of theirs exists
        case wire.CreateSession():
            return Expect(ops=frozenset({"session_created", "error"}), later=True)
    raise AssertionError(f"unexpected message {parsed!r}")


@dataclass
class FuzzStats:
    """How many cases went through, by what they were answered with."""

    cases: int = 0
    answers: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.cases += 1
        self.answers[what] = self.answers.get(what, 0) + 1


class FuzzLink:
    """One connection that takes fuzz cases one after another and checks each answer."""

    def __init__(self, ws: ClientConnection, stats: FuzzStats) -> None:
        self.ws = ws
        self.stats = stats
        self._pings = 0

    @classmethod
    async def open(cls, url: str, stats: FuzzStats) -> FuzzLink:
        ws = await ws_connect(url, compression=None, max_size=None, open_timeout=10)
        return cls(ws, stats)

    async def close(self) -> None:
        await self.ws.close()

    async def case(self, frame: str | bytes, timeout: float = 10.0) -> None:
        """Send one case and check its answer.

        Raises:
            AssertionError: saying which frame got what instead of what.
        """
        want = expected(frame)
        await self.ws.send(frame)
        self._pings += 1
        token = f"fuzz-{self._pings}"
        await self.ws.send(wire.encode(wire.Ping(id=token)).decode())
        answers: list[dict[str, Any]] = []
        while True:
            got = await self._recv(frame, timeout)
            if got.get("op") == "pong" and got.get("id") == token:
                break
            answers.append(got)
        if want.later and not any(answer["op"] in want.ops for answer in answers):
            # The task that answers may finish before the ping is read, or after the pong.
            answers.append(await self._recv(frame, timeout))
        self._judge(frame, want, answers)

    async def _recv(self, frame: str | bytes, timeout: float) -> dict[str, Any]:
        try:
            raw = await asyncio.wait_for(self.ws.recv(), timeout)
        except TimeoutError:
            raise AssertionError(f"no answer in {timeout} s to {frame[:200]!r}") from None
        got = msgspec.json.decode(raw)
        assert isinstance(got, dict) and "op" in got, f"an event frame answered {frame[:200]!r}"
        assert not (got["op"] == "error" and got["code"] == "internal_error"), (
            f"internal_error for {frame[:200]!r}: {got}"
        )
        return got

    def _judge(self, frame: str | bytes, want: Expect, answers: list[dict[str, Any]]) -> None:
        shown = repr(frame[:200])
        if want.code is not None:
            errors = [a for a in answers if a["op"] == "error"]
            assert errors, f"{shown} got no error (expected {want.code}): {answers}"
            assert errors[0]["code"] == want.code, f"{shown}: {errors[0]} (expected {want.code})"
            assert errors[0]["field"] == want.field, f"{shown}: {errors[0]} (field {want.field})"
            assert errors[0]["closes"] is False
            self.stats.count(want.code)
            return
        ops = [a["op"] for a in answers]
        assert any(op in want.ops for op in ops), f"{shown} got {answers}, expected {want.ops}"
        errors = [a for a in answers if a["op"] == "error"]
        for error in errors:
            assert error["code"] in wire.ERRORS and error["message"], error
        self.stats.count(errors[0]["code"] if errors else ops[-1])


LOOSE = ServerConfig(
    limits=Limits(rate_per_s=1e6, rate_burst=10**6, control_per_s=1e6, control_burst=10**6)
)


class Harness:
    """A server, healthy clients and a fuzzing connection, on a loop in a thread of their own.

    The healthy client replays the Tokyo final at ``speed`` on a session of its own;
    with ``repeat`` a new replay starts whenever one ends, until ``finish``. Each
    replay is judged (every seq once and in order, one connection, no gap, the
    reference standings) and the verdict appended to ``replays``. With ``url`` it
    runs no server and no healthy client: only the fuzzing connection, to that
    server (``bench/fuzz_wire.py`` fuzzes from another process, so that the
    server's memory can be told apart from hypothesis's).
    """

    def __init__(
        self, *, speed: float = 25.0, repeat: bool = False, url: str | None = None
    ) -> None:
        self.speed = speed
        self.repeat = repeat
        self.url = url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.stats = FuzzStats()
        self.replays: list[bool] = []
        self._exit: asyncio.Event | None = None
        self._ready = threading.Event()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        """Run ``coroutine`` on the harness's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _main(self) -> None:
        self._exit = asyncio.Event()
        if self.url is not None:
            self.link = await FuzzLink.open(self.url, self.stats)
            self._ready.set()
            await self._exit.wait()
            await self.link.close()
            return
        async with run_server(config=LOOSE) as server:
            self.server = server
            healthy = asyncio.create_task(self._healthy(server))
            self.link = await FuzzLink.open(server.url, self.stats)
            self._ready.set()
            await self._exit.wait()
            await asyncio.wait_for(healthy, 120)
            await self.link.close()

    async def _healthy(self, server: Server) -> None:
        reference = project(TOKYO).standings()
        assert self._exit is not None
        while True:
            name = f"healthy-{secrets.token_hex(8)}"
            await server.add_session(SessionSpec(name=name, events=TOKYO, speed=self.speed))
            feed = connect(server.url, session=name, backoff=Backoff(attempts=0), seed=1)
            async with feed:
                seqs = [event.seq async for event in feed]
            self.replays.append(
                seqs == [event.seq for event in TOKYO]
                and feed.stats.connects == 1
                and feed.stats.gaps_detected == 0
                and feed.standings() == reference
            )
            if not self.repeat or self._exit.is_set():
                return

    def __enter__(self) -> Harness:
        self.thread.start()
        self._main_future = asyncio.run_coroutine_threadsafe(self._main(), self.loop)
        if not self._ready.wait(30):
            self._main_future.result(0)  # raises what went wrong
        return self

    def finish(self) -> None:
        """Let the healthy replay end, and close everything."""
        assert self._exit is not None
        self.loop.call_soon_threadsafe(self._exit.set)
        self._main_future.result(180)

    def __exit__(self, *exc: object) -> None:
        if not self._main_future.done():
            assert self._exit is not None
            self.loop.call_soon_threadsafe(self._exit.set)
            with contextlib.suppress(Exception):
                self._main_future.result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


async def run_cases(link: FuzzLink, batch: list[str | bytes]) -> None:
    """Send each frame of ``batch`` in turn, checking each answer."""
    for frame in batch:
        await link.case(frame)
