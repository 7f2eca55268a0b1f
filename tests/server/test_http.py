"""Plain HTTP on the websocket port answered as HTTP says, whatever the request holds."""

from __future__ import annotations

import asyncio
import logging

import pytest

from feed.protocol import Limits
from feed.server import ServerConfig, run_server
from feed.server.catalog import CatalogScenarios


async def _exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send one raw request; the status, headers and body of the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    raw = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def _request(method: str, path: str) -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: racefeed\r\n\r\n".encode("latin-1")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("POST", "/healthz", 405),
        ("DELETE", "/v1/sessions", 405),
        ("PUT", "/", 405),
        ("GET", "/" + "a" * 300, 400),
        ("GET", "/x/" + "b" * 256 + "/y", 400),
        ("GET", "/a%00b", 400),
        ("GET", "/%0a", 400),
        ("GET", "/" + "c/" * 1100, 414),
        ("GET", "/no/such/file.js", 404),
        ("GET", "/..%2f..%2fetc%2fpasswd", 404),
    ],
)
async def test_each_request_gets_its_status_and_no_traceback_is_logged(
    method: str, path: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """405 with Allow for other methods, 400 for a path no file could have, 414, 404."""
    caplog.set_level(logging.WARNING)
    async with run_server() as server:
        got, headers, body = await _exchange(server.port, _request(method, path))
    assert got == status, body
    if status == 405:
        assert headers["Allow"] == "GET, HEAD"
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


async def test_head_answers_the_headers_of_get_and_no_body() -> None:
    async with run_server() as server:
        status, headers, body = await _exchange(server.port, _request("HEAD", "/healthz"))
        _, got, full = await _exchange(server.port, _request("GET", "/healthz"))
    assert status == 200 and body == b""
    assert headers["Content-Type"] == got["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(full) > 0


async def test_an_address_that_asks_too_often_is_answered_429() -> None:
    """Past the burst, 429 with Retry-After; a websocket client on the port is not held up."""
    config = ServerConfig(limits=Limits(http_per_s=1.0, http_burst=5))
    async with run_server(config=config) as server:
        statuses = [
            (await _exchange(server.port, _request("GET", "/healthz")))[0] for _ in range(8)
        ]
        _, headers, _ = await _exchange(server.port, _request("GET", "/healthz"))
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    assert headers["Retry-After"] == "1"


async def test_the_catalog_is_read_once_and_again_only_when_a_file_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ten requests read the scenario files once: the listing is kept until one changes."""
    import feed.server.catalog as catalog_module

    reads = 0
    real = catalog_module.catalog

    def counting() -> list[object]:
        nonlocal reads
        reads += 1
        return real()  # type: ignore[return-value]

    monkeypatch.setattr(catalog_module, "catalog", counting)
    signature = catalog_module.catalog_signature()
    async with run_server(scenarios=CatalogScenarios()) as server:
        for _ in range(10):
            status, _, _ = await _exchange(server.port, _request("GET", "/v1/scenarios"))
            assert status == 200
        assert reads == 1
        changed = (*signature, ("/a/new/file.toml", 1, 1))
        monkeypatch.setattr(catalog_module, "catalog_signature", lambda: changed)
        await _exchange(server.port, _request("GET", "/v1/scenarios"))
    assert reads == 2
