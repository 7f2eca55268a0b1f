"""What the bench scripts share: the JSON figure, run medians, limits, memory, a raw client, a log.

- ``figure``: one entry of ``figures`` in the benchmark JSON contract (see
  ``bench/run_all.py``), its ratio computed here, the same way for every script;
- ``median``: repeated runs merged into one row;
- ``raise_fd_limit``, ``rss_kib`` / ``rss_mib``: the process's open-file limit, and
  a process's resident memory (``VmRSS`` in ``/proc/<pid>/status``);
- ``RawWebSocket``, ``HANDSHAKE``, ``masked_frame``: a websocket client on raw
  sockets, so that the client side of a benchmark costs as little as it can;
- ``split_log``: a synthetic log of split events, envelopes the size of the Tokyo
  final's.

Each script runs as ``python bench/<script>.py``, which puts this folder on
``sys.path``: the scripts import this module as ``benchkit``. Nothing here imports
``feed`` until it is called, so that a harness process stays light.
"""

from __future__ import annotations

import asyncio
import math
import resource
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from feed.events import SplitRecorded

__all__ = [
    "HANDSHAKE",
    "Figure",
    "RawWebSocket",
    "answer_rss_requests",
    "figure",
    "masked_frame",
    "median",
    "raise_fd_limit",
    "rss_kib",
    "rss_mib",
    "split_log",
    "trim_heap",
]

HANDSHAKE = (
    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)
"""A client's opening handshake, for a server on 127.0.0.1 at path ``/``."""

_START = datetime(2025, 9, 17, 13, 20, 40, tzinfo=UTC)  # the Tokyo final's gun


# -- the JSON contract -------------------------------------------------------------------


class Figure(TypedDict):
    """One figure of the benchmark JSON contract, its keys in the contract's order."""

    key: str
    label: str
    value: float
    unit: str
    baseline_label: str | None
    baseline: float | None
    ratio: float | None
    target: str | None
    met: bool | None


def figure(
    key: str,
    label: str,
    value: float,
    unit: str,
    *,
    baseline_label: str | None = None,
    baseline: float | None = None,
    target: str | None = None,
    met: bool | None = None,
) -> Figure:
    """One figure; ``ratio`` is ``value / baseline`` when the baseline is above 0, else None.

    A ratio to a baseline of nothing (or of less, as a memory difference may be)
    says nothing, so it is left out rather than made infinite or negative.
    """
    return {
        "key": key,
        "label": label,
        "value": value,
        "unit": unit,
        "baseline_label": baseline_label,
        "baseline": baseline,
        "ratio": value / baseline if baseline is not None and baseline > 0 else None,
        "target": target,
        "met": met,
    }


def median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each measured (float) figure over repeated runs, the rest from the first.

    ``runs`` in the result is how many runs there were.
    """
    merged = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, float):
            merged[key] = statistics.median(run[key] for run in runs)
    merged["runs"] = len(runs)
    return merged


# -- the process -------------------------------------------------------------------------


def raise_fd_limit(needed: int | None = None) -> None:
    """Raise the soft limit on open files: to the hard limit, or to ``needed`` if it is short.

    Args:
        needed: the files the run needs; the soft limit is raised only if it is
            lower, and at most to the hard limit. None raises it to the hard limit.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if needed is None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    elif soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(needed, soft)), hard))


def rss_kib(pid: int | None = None) -> int:
    """A process's resident set size (``VmRSS``), in KiB; this process's without ``pid``.

    Raises:
        RuntimeError: the process has no ``VmRSS`` (a zombie, a kernel thread).
    """
    status = Path(f"/proc/{'self' if pid is None else pid}/status")
    for line in status.read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS in {status}")


def trim_heap() -> None:
    """Hand glibc's free heap pages back to the system (``malloc_trim``), where there is glibc."""
    import contextlib
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is not None:
        with contextlib.suppress(AttributeError):  # not glibc
            ctypes.CDLL(name).malloc_trim(0)


async def answer_rss_requests() -> None:
    """Answer each ``MEASURE`` line on stdin with ``RSS <KiB> <KiB after malloc_trim>``; end at EOF.

    The RSS is read after ``gc.collect()``, so that garbage awaiting a collection
    is not charged to what is measured.
    """
    import gc
    import sys

    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        if line.strip() == "MEASURE":
            gc.collect()
            plain = rss_kib()
            trim_heap()
            print(f"RSS {plain} {rss_kib()}", flush=True)


def rss_mib(pid: int | None = None) -> float:
    """A process's resident set size in MiB, NaN when it has none (``rss_kib``)."""
    try:
        return rss_kib(pid) / 1024
    except RuntimeError:
        return math.nan


# -- a raw websocket client ----------------------------------------------------------------


def masked_frame(opcode: int, payload: bytes) -> bytes:
    """One whole client frame of ``payload`` (under 126 bytes), masked as clients must."""
    assert len(payload) < 126
    # A zero mask key: masking is required of clients, any key will do here.
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


class RawWebSocket(asyncio.Protocol):
    """A websocket client reduced to frames: it opens, reads text frames and answers pings.

    Subclasses send their first message in ``on_open`` and read in ``on_text``.
    Frames are parsed from one buffer, headers of 2, 4 and 10 bytes; only text and
    ping frames are acted on. Client frames are short (``masked_frame``).
    """

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.open = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        transport.write(HANDSHAKE)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            assert buffer.startswith(b"HTTP/1.1 101"), bytes(buffer[:80])
            del buffer[: end + 4]
            self.open = True
            self.on_open()
        offset = 0
        size = len(buffer)
        while size - offset >= 2:
            first, length = buffer[offset], buffer[offset + 1] & 0x7F
            header = 2
            if length == 126:
                if size - offset < 4:
                    break
                length = int.from_bytes(buffer[offset + 2 : offset + 4], "big")
                header = 4
            elif length == 127:
                if size - offset < 10:
                    break
                length = int.from_bytes(buffer[offset + 2 : offset + 10], "big")
                header = 10
            if size - offset < header + length:
                break
            opcode = first & 0x0F
            begin = offset + header
            offset = begin + length
            if opcode == 0x1:
                # Read in place: no copy of the frame (a catch-up batch is up to 256 KiB).
                with memoryview(buffer) as view, view[begin:offset] as payload:
                    self.on_text(payload)
            elif opcode == 0x9:  # ping: answer, or the server drops us
                self.send(0xA, bytes(buffer[begin:offset]))
        del buffer[:offset]

    def send(self, opcode: int, payload: bytes) -> None:
        """Send one frame (``opcode`` 0x1 text, 0xA pong) of under 126 bytes."""
        assert self.transport is not None
        self.transport.write(masked_frame(opcode, payload))

    def on_open(self) -> None:
        """The handshake is done: send the first message here."""

    def on_text(self, payload: memoryview) -> None:
        """A whole text frame, a view into the receive buffer.

        The view is released when this returns, and the buffer then moves: copy
        what must outlive the call, and drop whatever still holds the view (a
        ``msgspec.Raw`` decoded from it) before returning, or the release fails.
        """


# -- a synthetic log ---------------------------------------------------------------------


def split_log(count: int, period_ms: float = 1.0, group: int = 1) -> list[SplitRecorded]:
    """``count`` split events of one runner, envelopes the size of the Tokyo final's.

    An envelope is about 220-240 bytes. Events fall due ``group`` at a time, every
    ``period_ms`` of race time from the gun.
    """
    from feed.events import SplitRecorded, SplitRecordedData
    from feed.replay import format_utc

    def at_ms(n: int) -> float:
        return ((n - 1) // group + 1) * period_ms

    return [
        SplitRecorded(
            seq=n,
            stream="tokyo-2025-m1500-final",
            race="tokyo-2025-m1500-final",
            race_ms=int(at_ms(n)),
            at=format_utc(_START + timedelta(milliseconds=at_ms(n))),
            data=SplitRecordedData(
                athlete_id="cheruiyot-timothy", distance_m=100 * (n % 15 + 1), elapsed_ms=n * 10
            ),
        )
        for n in range(1, count + 1)
    ]
