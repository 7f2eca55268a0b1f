"""Serve a recording over websocket, frame for frame, with clock controls and faults.

The data channel (any path but ``/control``) sends the recorded frames verbatim,
spaced by their arrival times scaled by the speed; each connection gets its own
timeline from the start. The control channel is plain HTTP GET on the same port,
with racefeed's control vocabulary, applied to every open connection (and speed and
pause also to later ones)::

    GET /control?action=pause | play | step
    GET /control?action=speed&speed=2
    GET /control?action=seek&ms=1500
    GET /control                      (status only)

Each answers ``{"ok": true, "speed": .., "paused": .., "connections": [...]}`` or,
for a bad request, HTTP 400 with ``{"ok": false, "code": "bad_control", "message": ..}``.
Faults come from ``feed.faults``: a ``FaultSpec`` whose seqs are 1-based frame
numbers (drop, duplicate, delay/jitter, disconnect), seeded per connection with
``seed + connection number``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from feed.faults.schedule import actions_at
from feed.faults.spec import FaultSpec
from feed.recording.format import Frame
from feed.recording.timeline import Timeline

__all__ = ["Player"]


@dataclass
class _Viewer:
    """One open data connection: its timeline and frames released by ``step``."""

    number: int
    timeline: Timeline
    stepped: list[Frame] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)


class Player:
    """Plays ``frames`` to every websocket client; ``start`` then ``close``."""

    def __init__(
        self,
        frames: Sequence[Frame],
        *,
        speed: float = 1.0,
        paused: bool = False,
        faults: FaultSpec | None = None,
        seed: int = 0,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.frames = list(frames)
        self.speed = speed
        self.paused = paused
        self.faults = faults or FaultSpec()
        self.seed = seed
        self._viewers: dict[int, _Viewer] = {}
        self._connections = 0
        self._server: Server | None = None
        # 1-based frame numbers, the seqs a FaultSpec speaks of.
        self._numbers = {id(frame): n for n, frame in enumerate(self.frames, start=1)}

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen; return the port."""
        self._server = await serve(self._serve, host, port, process_request=self._http)
        sockets = list(self._server.sockets)
        return int(sockets[0].getsockname()[1])

    async def close(self) -> None:
        """Stop listening and close every connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def control(self, action: str, value: float | None = None) -> dict[str, object]:
        """Apply one control to every open connection; raise ValueError if it is bad."""
        now = time.monotonic()
        viewers = list(self._viewers.values())
        match action:
            case "status":
                pass
            case "play" | "pause":
                self.paused = action == "pause"
                for viewer in viewers:
                    (viewer.timeline.pause if self.paused else viewer.timeline.play)(now)
            case "speed" if value is not None and value > 0:
                self.speed = value
                for viewer in viewers:
                    viewer.timeline.set_speed(value, now)
            case "seek" if value is not None and value >= 0:
                for viewer in viewers:
                    viewer.timeline.seek(value, now)
            case "step":
                self.paused = True
                for viewer in viewers:
                    frame = viewer.timeline.step(now)
                    if frame is not None:
                        viewer.stepped.append(frame)
            case _:
                raise ValueError(
                    f"expected action play, pause, step, speed (speed > 0) or seek (ms >= 0), "
                    f"got {action!r} with value {value!r}"
                )
        for viewer in viewers:
            viewer.wake.set()
        return {
            "ok": True,
            "speed": self.speed,
            "paused": self.paused,
            "connections": [
                {"number": v.number, "position_ms": round(v.timeline.position(now), 3)}
                for v in viewers
            ],
        }

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        if url.path != "/control":
            return None  # a data connection
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        action = query.get("action", "status")
        raw = query.get("speed") if action == "speed" else query.get("ms")
        try:
            value = float(raw) if raw is not None else None
            body = self.control(action, value)
            status = HTTPStatus.OK
        except ValueError as exc:
            body = {"ok": False, "code": "bad_control", "message": str(exc)}
            status = HTTPStatus.BAD_REQUEST
        payload = json.dumps(body).encode()
        headers = Headers(
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        )
        return Response(status.value, status.phrase, headers, payload)

    async def _serve(self, connection: ServerConnection) -> None:
        self._connections += 1
        number = self._connections
        viewer = _Viewer(number, Timeline(self.frames, speed=self.speed, paused=self.paused))
        self._viewers[number] = viewer
        try:
            await self._play(connection, viewer)
        finally:
            del self._viewers[number]

    async def _play(self, connection: ServerConnection, viewer: _Viewer) -> None:
        timeline, seed = viewer.timeline, self.seed + viewer.number
        closed = asyncio.ensure_future(connection.wait_closed())
        try:
            await self._loop(connection, viewer, timeline, seed, closed)
        finally:
            closed.cancel()

    async def _loop(
        self,
        connection: ServerConnection,
        viewer: _Viewer,
        timeline: Timeline,
        seed: int,
        closed: asyncio.Future[None],
    ) -> None:
        index = self._numbers
        while not closed.done():
            now = time.monotonic()
            due = viewer.stepped + timeline.due(now)
            viewer.stepped = []
            for frame in due:
                if not await self._send(connection, frame, index[id(frame)], seed):
                    return
            # Once finished the connection stays open: a seek may bring frames back.
            deadline = timeline.next_deadline(time.monotonic())
            viewer.wake.clear()
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            woken = asyncio.ensure_future(_wait_for(viewer.wake))
            await asyncio.wait(
                {woken, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            woken.cancel()

    async def _send(
        self, connection: ServerConnection, frame: Frame, number: int, seed: int
    ) -> bool:
        """Send one frame under its faults; False once the connection is to end."""
        copies = 1
        for action in actions_at(self.faults, seed, number, "", len(self.frames)):
            match action.kind:
                case "disconnect":
                    await connection.close(1011, "fault: disconnect")
                    return False
                case "drop":
                    copies = 0
                case "duplicate":
                    copies = 2 if copies else 0
                case "delay" | "stall" if action.ms:
                    await asyncio.sleep(action.ms / 1000)
                case _:
                    pass  # reorder, epoch bumps and corrections mean nothing on opaque frames
        for _ in range(copies):
            await connection.send(frame.data)
        return True


async def _wait_for(event: asyncio.Event) -> None:
    await event.wait()
