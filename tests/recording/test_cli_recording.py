"""The ``record`` and ``playback`` commands: Ctrl-C keeps the recording, damage is located."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import pytest
from websockets.asyncio.server import ServerConnection, serve

from feed.cli import main
from feed.recording.format import decode


async def test_ctrl_c_stops_recording_and_keeps_every_frame(tmp_path: Path) -> None:
    sent = 0

    async def endless(ws: ServerConnection) -> None:
        nonlocal sent
        while True:
            await ws.send(json.dumps({"n": sent}))
            sent += 1
            await asyncio.sleep(0.01)

    out = tmp_path / "live.jsonl"
    async with serve(endless, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "feed", "record", f"ws://127.0.0.1:{port}", "-o", str(out),
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        while sent < 30:
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    assert b"interrupted; kept" in stderr and b"Traceback" not in stderr
    with out.open() as lines:
        _, frames = decode(lines)
    assert len(frames) >= 20
    assert [json.loads(str(f.data))["n"] for f in frames] == list(range(len(frames)))


def test_a_damaged_recording_is_refused_with_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    header = '{"format": "racefeed-recording", "version": 1, "url": "ws://x", "started_at": "t"}'
    bad.write_text(f'{header}\n{{"t_ms": 0, "text": "a"}}\n{{"t_ms": 1, "binary": "%%"}}\n')
    assert main(["playback", str(bad)]) == 1
    assert f"{bad}:3 field 'binary': expected valid base64" in capsys.readouterr().err
    assert main(["playback", str(tmp_path / "missing.jsonl")]) == 1
    assert "missing.jsonl" in capsys.readouterr().err


def test_bad_stop_conditions_and_unreachable_urls_are_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.jsonl")
    assert main(["record", "ws://127.0.0.1:9", "-o", out, "--until-frames", "0"]) == 2
    assert "--until-frames expected > 0" in capsys.readouterr().err
    assert main(["record", "ws://127.0.0.1:9", "-o", out, "--duration", "1"]) == 1
    assert "ws://127.0.0.1:9" in capsys.readouterr().err
    assert main(["record", "not a url", "-o", out]) == 1
