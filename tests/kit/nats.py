"""A NATS server with JetStream for the tests: the one on 127.0.0.1:4222, or one started here.

``nats_url`` (a session fixture) uses a server already listening on 127.0.0.1:4222
when it answers with JetStream; otherwise it starts ``nats-server -js`` from PATH
(or /usr/sbin, where Debian puts it) on a free port with a temporary store. A test
that needs to stop and restart NATS starts its own ``NatsServer``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

SHARED_URL = "nats://127.0.0.1:4222"


def nats_server_binary() -> str | None:
    """The ``nats-server`` program, from PATH or /usr/sbin."""
    found = shutil.which("nats-server")
    if found:
        return found
    debian = Path("/usr/sbin/nats-server")
    return str(debian) if debian.exists() else None


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unique_names() -> tuple[str, str]:
    """A stream name and a subject prefix no other test run uses."""
    token = secrets.token_hex(4)
    return f"RFTEST_{token.upper()}", f"rft{token}"


class NatsServer:
    """A ``nats-server -js`` of a test's own, on a fixed port, to stop and restart."""

    def __init__(self, binary: str, store: Path, port: int | None = None) -> None:
        self.binary = binary
        self.store = store
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``nats://127.0.0.1:PORT``."""
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        """Start it, and wait until it accepts connections."""
        self.process = subprocess.Popen(
            [self.binary, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self.process.returncode}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return
            time.sleep(0.05)
        raise RuntimeError(f"nats-server did not listen on {self.port} within {timeout} s")

    def stop(self) -> None:
        """Kill it (SIGKILL: no goodbye to its clients)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def answers_with_jetstream(host: str = "127.0.0.1", port: int = 4222) -> bool:
    """Whether a NATS server listens there with JetStream on (its INFO line says so)."""
    try:
        with socket.create_connection((host, port), 1.0) as sock:
            sock.settimeout(1.0)
            info = sock.recv(4096)
    except OSError:
        return False
    if not info.startswith(b"INFO "):
        return False
    return bool(json.loads(info[5:].strip()).get("jetstream"))


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    """A NATS URL with JetStream: the shared server on :4222, or one started for the run."""
    if os.environ.get("RACEFEED_TEST_NATS_URL"):
        yield os.environ["RACEFEED_TEST_NATS_URL"]
        return
    if answers_with_jetstream():
        yield SHARED_URL
        return
    binary = nats_server_binary()
    if binary is None:
        pytest.skip("no NATS server on 127.0.0.1:4222 and no nats-server program to start")
    with tempfile.TemporaryDirectory(prefix="racefeed-nats-") as store:
        server = NatsServer(binary, Path(store))
        server.start()
        try:
            yield server.url
        finally:
            server.stop()


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsServer]:
    """A NATS server of this test's own (to stop and restart), stopped at the end."""
    binary = nats_server_binary()
    if binary is None:
        pytest.skip("no nats-server program to start")
    server = NatsServer(binary, tmp_path / "nats-store")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def delete_stream(url: str, stream: str) -> None:
    """Delete ``stream`` (if it exists), from a thread of its own: callable from anywhere."""

    async def delete() -> None:
        import nats

        nc = await nats.connect(url, allow_reconnect=False, connect_timeout=2)
        try:
            with contextlib.suppress(Exception):
                await nc.jetstream().delete_stream(stream)
        finally:
            await nc.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, delete()).result(30)


@pytest.fixture
def stream_names(nats_url: str) -> Iterator[tuple[str, str]]:
    """A stream name and subject prefix for this test alone; the stream is deleted after it."""
    stream, prefix = unique_names()
    yield stream, prefix
    delete_stream(nats_url, stream)
