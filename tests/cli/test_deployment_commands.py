"""Each command that runs a deployment prints a control token that controls its sessions.

``racefeed serve``, ``racefeed serve --log FILE`` and ``racefeed director`` (with a
``racefeed gateway``) each print, per named session, a token that works; after a
restart over the same log, the new token works and the one printed before still does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kit.procs import Proc, start_gateway
from tests.kit.wire import Raw

SESSION = "main=tokyo-2025-m1500-final@50"
TOKEN_LINE = r"^    control token: (\S+)$"


async def _controls(url: str, token: str) -> bool:
    """Whether ``token`` pauses session ``main`` through the server at ``url``."""
    client = await Raw.open(url)
    try:
        await client.send(op="control", session="main", token=token, action="pause")
        answer = await client.recv(timeout=10)
    finally:
        await client.close()
    return bool(answer["op"] == "replay_state")


async def _serve(tmp_path: Path, *extra: str) -> tuple[Proc, str, str]:
    proc = Proc(["serve", "--port", "0", "--session", SESSION, *extra], tmp_path, "serve")
    url = (await proc.line(r"feed at (ws://\S+)")).group(1)
    token = (await proc.line(TOKEN_LINE)).group(1)
    return proc, url, token


@pytest.mark.parametrize("with_log", [False, True], ids=["serve", "serve --log"])
async def test_serve_prints_a_token_that_controls_its_session(
    tmp_path: Path, with_log: bool
) -> None:
    """The banner's token is taken; with --log, a restart prints another that works too."""
    extra = ["--log", str(tmp_path / "sessions.jsonl")] if with_log else []
    proc, url, first = await _serve(tmp_path, *extra)
    try:
        assert await _controls(url, first)
        assert not await _controls(url, "not-the-token")
    finally:
        proc.stop()
    if not with_log:
        return
    proc, url, second = await _serve(tmp_path, *extra)
    try:
        assert second != first
        await proc.line("^    resumed from the log at epoch")
        assert await _controls(url, second)
        assert await _controls(url, first)
    finally:
        proc.stop()


@pytest.mark.nats
async def test_the_director_prints_a_token_that_controls_its_session_through_any_gateway(
    tmp_path: Path, nats_url: str, stream_names: tuple[str, str]
) -> None:
    """Director and gateway processes over NATS: the director's token steers the session."""
    stream, prefix = stream_names
    common = ["--nats", nats_url, "--stream", stream, "--subject-prefix", prefix]
    director = Proc(["director", *common, "--session", SESSION], tmp_path, "director")
    gateway: Proc | None = None
    try:
        first = (await director.line(TOKEN_LINE)).group(1)
        await director.line("ready")
        gateway, url = await start_gateway(common, tmp_path, "gateway")
        assert await _controls(url, first)
        director.stop()
        director = Proc(["director", *common, "--session", SESSION], tmp_path, "director-2")
        second = (await director.line(TOKEN_LINE)).group(1)
        await director.line("^    resumed from the log at epoch")
        await director.line("ready")
        assert await _controls(url, second)
        assert await _controls(url, first)
    finally:
        director.stop()
        if gateway is not None:
            gateway.stop()
