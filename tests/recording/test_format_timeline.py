"""The pure parts: the recording format (with located errors) and the playback timeline."""

from __future__ import annotations

import subprocess
import sys

import pytest

from feed.recording.format import Frame, Header, RecordingError, decode, encode_frame, encode_header
from feed.recording.timeline import Timeline

HEADER = encode_header(Header(url="ws://x", started_at="2026-01-01T00:00:00+00:00", sent=("hi",)))


def test_round_trip_keeps_text_and_binary_exactly() -> None:
    frames = [Frame(0.0, '{"a": "é\\n"}'), Frame(12.5, b"\x00\xff\x01"), Frame(40.0, "")]
    header, back = decode([HEADER, *(encode_frame(f) for f in frames)])
    assert header.url == "ws://x" and header.sent == ("hi",)
    assert back == frames


@pytest.mark.parametrize(
    ("line", "field", "words"),
    [
        ("{not json", "", "not JSON"),
        ('{"t_ms": -1, "text": "a"}', "t_ms", ">= 0"),
        ('{"t_ms": "1", "text": "a"}', "t_ms", "number"),
        ('{"t_ms": 1}', "text", "exactly one"),
        ('{"t_ms": 1, "text": "a", "binary": ""}', "text", "exactly one"),
        ('{"t_ms": 1, "binary": "!!"}', "binary", "base64"),
        ('{"t_ms": 1, "text": 5}', "text", "string"),
        ("[1]", "", "object"),
    ],
)
def test_damaged_frame_lines_are_located(line: str, field: str, words: str) -> None:
    with pytest.raises(RecordingError) as caught:
        decode([HEADER, '{"t_ms": 0, "text": "ok"}', line], source="r.jsonl")
    assert (caught.value.line, caught.value.field) == (3, field)
    assert words in str(caught.value) and str(caught.value).startswith("r.jsonl:3")


def test_damaged_headers_and_time_going_back_are_located() -> None:
    with pytest.raises(RecordingError, match="empty file"):
        decode([])
    with pytest.raises(RecordingError, match="field 'format'"):
        decode(['{"t_ms": 0, "text": "a"}'])
    with pytest.raises(RecordingError, match="field 'version'"):
        decode([HEADER.replace('"version": 1', '"version": 9')])
    with pytest.raises(RecordingError, match=r":3 field 't_ms': goes back"):
        decode([HEADER, '{"t_ms": 5, "text": "a"}', '{"t_ms": 4, "text": "b"}'])


FRAMES = [Frame(float(ms), str(ms)) for ms in (0, 100, 200, 300, 400)]


def _texts(frames: list[Frame]) -> list[str | bytes]:
    return [f.data for f in frames]


def test_frames_come_due_at_their_time_scaled_by_speed() -> None:
    line = Timeline(FRAMES, speed=2.0)
    assert _texts(line.due(10.0)) == ["0"]
    assert line.next_deadline(10.0) == pytest.approx(10.05)
    assert line.due(10.049) == []
    assert _texts(line.due(10.101)) == ["100", "200"]
    line.set_speed(1.0, 10.101)
    assert line.position(10.201) == pytest.approx(302.0)
    assert _texts(line.due(10.301)) == ["300", "400"] and line.finished
    assert line.next_deadline(10.3) is None


def test_pause_play_seek_and_step() -> None:
    line = Timeline(FRAMES, paused=True)
    assert _texts(line.due(0.0)) == ["0"]  # t=0 is due at position 0 even while paused
    assert line.due(100.0) == [] and line.next_deadline(100.0) is None
    line.play(100.0)
    assert _texts(line.due(100.15)) == ["100"]
    line.pause(100.15)
    assert line.due(200.0) == []
    step = line.step(200.0)
    assert step is not None and step.data == "200" and line.paused
    assert line.position(300.0) == pytest.approx(200.0)
    line.seek(50.0, 300.0)
    assert line.position(300.0) == 50.0
    line.play(300.0)
    assert _texts(line.due(300.06)) == ["100"]  # after a seek back, frames come again
    line.seek(1000.0, 300.06)
    assert line.finished and line.step(300.1) is None


def test_bad_speeds_are_refused() -> None:
    with pytest.raises(ValueError, match="speed"):
        Timeline(FRAMES, speed=0)
    with pytest.raises(ValueError, match="speed"):
        Timeline(FRAMES).set_speed(-1, 0.0)


def test_pure_modules_import_no_io() -> None:
    code = (
        "import sys, feed.recording.format, feed.recording.timeline; "
        "print([m for m in ('asyncio', 'websockets') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
