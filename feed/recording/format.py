"""The JSONL recording format: one header line, then one line per frame.

Header (line 1)::

    {"format": "racefeed-recording", "version": 1, "url": "ws://...",
     "sent": ["..."], "started_at": "2026-12-03T11:00:00+00:00"}

Frame (every later line), ``t_ms`` the arrival time in milliseconds after the
first frame (monotonic clock), and exactly one of ``text`` or ``binary`` (base64)::

    {"t_ms": 12.5, "text": "{...}"}
    {"t_ms": 40.0, "binary": "AAEC"}

Pure: no I/O here; a damaged line raises ``RecordingError`` naming line and field.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

__all__ = [
    "FORMAT",
    "VERSION",
    "Frame",
    "Header",
    "RecordingError",
    "decode",
    "encode_frame",
    "encode_header",
]

FORMAT = "racefeed-recording"
VERSION = 1


class RecordingError(ValueError):
    """A recording line that cannot be read: where it is and what was expected."""

    def __init__(self, source: str, line: int, field_name: str, message: str) -> None:
        self.source = source
        self.line = line
        self.field = field_name
        self.message = message
        where = f"{source}:{line}" + (f" field {field_name!r}" if field_name else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Header:
    """What was recorded: the URL, the messages sent on connect, and when it began."""

    url: str
    started_at: str
    sent: tuple[str, ...] = ()
    version: int = VERSION


@dataclass(frozen=True)
class Frame:
    """One received frame, exactly as it arrived, and its arrival offset in ms."""

    t_ms: float
    data: str | bytes = field(default="")


def encode_header(header: Header) -> str:
    """The header as one JSON line (no newline)."""
    return json.dumps(
        {
            "format": FORMAT,
            "version": header.version,
            "url": header.url,
            "sent": list(header.sent),
            "started_at": header.started_at,
        }
    )


def encode_frame(frame: Frame) -> str:
    """A frame as one JSON line (no newline); binary frames are base64."""
    if isinstance(frame.data, bytes):
        return json.dumps(
            {"t_ms": round(frame.t_ms, 3), "binary": base64.b64encode(frame.data).decode("ascii")}
        )
    return json.dumps({"t_ms": round(frame.t_ms, 3), "text": frame.data})


def decode(lines: Iterable[str], source: str = "<recording>") -> tuple[Header, list[Frame]]:
    """Read a whole recording; raise ``RecordingError`` at the first damaged line."""
    numbered = _nonblank(lines)
    first = next(numbered, None)
    if first is None:
        raise RecordingError(source, 1, "", "empty file: expected a header line")
    header = _header(source, *first)
    frames: list[Frame] = []
    previous = 0.0
    for number, text in numbered:
        frame = _frame(source, number, text)
        if frame.t_ms < previous:
            raise RecordingError(
                source, number, "t_ms", f"goes back in time ({frame.t_ms} < {previous})"
            )
        previous = frame.t_ms
        frames.append(frame)
    return header, frames


def _nonblank(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, text


def _object(source: str, number: int, text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordingError(
            source, number, "", f"not JSON ({exc.msg} at column {exc.colno})"
        ) from None
    if not isinstance(value, dict):
        raise RecordingError(source, number, "", "expected a JSON object")
    return value


def _header(source: str, number: int, text: str) -> Header:
    obj = _object(source, number, text)
    if obj.get("format") != FORMAT:
        raise RecordingError(source, number, "format", f"expected {FORMAT!r}")
    version = obj.get("version")
    if version != VERSION:
        raise RecordingError(source, number, "version", f"expected {VERSION}, got {version!r}")
    url, started = obj.get("url"), obj.get("started_at")
    if not isinstance(url, str):
        raise RecordingError(source, number, "url", "expected a string")
    if not isinstance(started, str):
        raise RecordingError(source, number, "started_at", "expected a string")
    sent = obj.get("sent", [])
    if not isinstance(sent, list) or not all(isinstance(s, str) for s in sent):
        raise RecordingError(source, number, "sent", "expected a list of strings")
    return Header(url=url, started_at=started, sent=tuple(sent))


def _frame(source: str, number: int, text: str) -> Frame:
    obj = _object(source, number, text)
    t_ms = obj.get("t_ms")
    if isinstance(t_ms, bool) or not isinstance(t_ms, (int, float)) or t_ms < 0:
        raise RecordingError(source, number, "t_ms", "expected a number >= 0")
    if ("text" in obj) == ("binary" in obj):
        raise RecordingError(source, number, "text", "expected exactly one of 'text' or 'binary'")
    if "text" in obj:
        data = obj["text"]
        if not isinstance(data, str):
            raise RecordingError(source, number, "text", "expected a string")
        return Frame(float(t_ms), data)
    raw = obj["binary"]
    if not isinstance(raw, str):
        raise RecordingError(source, number, "binary", "expected a base64 string")
    try:
        return Frame(float(t_ms), base64.b64decode(raw, validate=True))
    except binascii.Error:
        raise RecordingError(source, number, "binary", "expected valid base64") from None
