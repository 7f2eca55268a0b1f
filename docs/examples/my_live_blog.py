"""A small live-results client, written the way a user of racefeed might write their own.

It knows nothing of racefeed's Python code: it speaks the websocket protocol
(docs/protocol.md) and keeps its own result table from the events.
"""

from __future__ import annotations

import json

import websockets


class MyLiveBlog:
    """Follows one session and keeps a result table: place, athlete id, official time."""

    def __init__(self) -> None:
        self.last_seq = 0
        self.finish_ms: dict[str, int] = {}
        self.status = "start_list"

    @property
    def rows(self) -> list[dict[str, object]]:
        """The result table as this client would show it."""
        order = sorted(self.finish_ms.items(), key=lambda item: item[1])
        rows: list[dict[str, object]] = []
        for index, (athlete_id, ms) in enumerate(order):
            ahead = sum(1 for _, other in order[:index] if other < ms)
            rows.append({"place": ahead + 1, "athlete_id": athlete_id, "time": show_time(ms)})
        return rows

    def apply(self, event: dict[str, object]) -> None:
        """Fold one event envelope into the table (duplicates are dropped by seq)."""
        seq = int(event["seq"])  # type: ignore[call-overload]
        if seq <= self.last_seq:
            return
        self.last_seq = seq
        data = event["data"]
        assert isinstance(data, dict)
        if event["type"] == "athlete_finished":
            self.finish_ms[data["athlete_id"]] = data["elapsed_ms"]
        elif event["type"] == "photo_finish_resolved":
            for place in data["order"]:
                self.finish_ms[place["athlete_id"]] = place["elapsed_ms"]
        elif event["type"] == "result_status_changed":
            self.status = data["status"]

    async def follow(self, url: str, session: str, until_seq: int) -> None:
        """Subscribe and fold events until ``until_seq`` has arrived."""
        async with websockets.connect(url) as ws:
            await ws.send(json.dumps({"op": "subscribe", "session": session}))
            while self.last_seq < until_seq:
                frame = json.loads(await ws.recv())
                for item in frame if isinstance(frame, list) else [frame]:
                    if "type" in item:
                        self.apply(item)


def show_time(ms: int) -> str:
    """Official times round the 1/1000 reading UP to the hundredth."""
    hundredths = -(-ms // 10)
    minutes, rest = divmod(hundredths, 6000)
    return f"{minutes}:{rest // 100:02d}.{rest % 100:02d}"
