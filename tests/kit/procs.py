"""Director and gateway processes for the scale-out tests, and clients that record what they get."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from feed.client import Backoff, Feed, connect
from feed.events import Event

TOKEN = "scale-out-test-token"
FAST_BACKOFF = Backoff(initial=0.02, maximum=0.3, attempts=40)


class Proc:
    """One ``racefeed`` subprocess; its stdout read line by line, its stderr kept in a file."""

    def __init__(self, args: list[str], logs: Path, name: str) -> None:
        self.name = name
        self.args = args
        self.stderr_path = logs / f"{name}.stderr"
        self._stderr = self.stderr_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "feed", *args],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    async def line(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        """Wait for a stdout line matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.name}: no line like {pattern!r}; {self.diagnostics()}")
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.02)
                continue
            if line is None:
                raise RuntimeError(f"{self.name} exited; {self.diagnostics()}")
            self.lines.append(line)
            found = re.search(pattern, line)
            if found:
                return found

    def diagnostics(self) -> str:
        """What it printed so far, for a failure message."""
        err = self.stderr_path.read_text(errors="replace")[-3000:]
        return f"stdout: {self.lines!r}; stderr tail:\n{err}"

    def kill(self) -> None:
        """SIGKILL: no goodbye to anyone."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._reader.join(10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()


async def start_gateway(common: list[str], logs: Path, name: str) -> tuple[Proc, str]:
    """A gateway process on a free port, and its websocket URL once it listens."""
    proc = Proc(["gateway", *common, "--port", "0", "--heartbeat", "1"], logs, name)
    found = await proc.line(r"feed at (ws://\S+)")
    return proc, found.group(1)


@dataclass
class Recorder:
    """One client: the SDK's feed, every event it delivered, and where it was connected."""

    feed: Feed
    events: list[Event] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    @property
    def seqs(self) -> list[int]:
        return [event.seq for event in self.events]

    async def run(self) -> None:
        try:
            async for event in self.feed:
                self.events.append(event)
                if self.feed.url and (not self.urls or self.urls[-1] != self.feed.url):
                    self.urls.append(self.feed.url)
        finally:
            self.done.set()


async def open_clients(urls: list[str], count: int, session: str) -> list[Recorder]:
    """``count`` subscribed clients, client i starting on gateway i % n, failing over in turn."""
    recorders = []
    for i in range(count):
        start = i % len(urls)
        rotated = urls[start:] + urls[:start]
        feed = connect(rotated, session=session, backoff=FAST_BACKOFF, seed=i)
        await feed.__aenter__()
        recorder = Recorder(feed)
        recorder.task = asyncio.create_task(recorder.run())
        recorders.append(recorder)
    return recorders


async def close_clients(recorders: list[Recorder]) -> None:
    """Close every client."""
    for recorder in recorders:
        await recorder.feed.close()
        if recorder.task is not None:
            recorder.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recorder.task
