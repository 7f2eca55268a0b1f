"""Plain HTTP on the websocket port: health, the catalog, the protocol, the web page.

``websockets`` hands every request to ``process_request`` before the handshake; a
request that asks for a websocket upgrade goes on to become a connection, anything
else is answered here, as HTTP says: ``GET`` and ``HEAD`` only (405 otherwise, with
``Allow``), ``HEAD`` without a body, a path that no file could have (a segment over
255 bytes, a NUL or another control character) is 400, what is not there 404, and
a client that asks too often 429. Nothing a request holds can make the server
fail or log a traceback.

==================  =========================================================
path                answer
==================  =========================================================
``/healthz``        ``{"status": "ok", "sessions": N, "connections": N, ...}``
``/v1/scenarios``   the catalog: ``[{"id", "title", "kind", "description"}]``
``/v1/sessions``    the named sessions and their clocks (private ones are not listed)
``/asyncapi.json``  the AsyncAPI 3.0 description of the protocol
``/`` and files     ``clients/web/`` if present, else a page linking the above
==================  =========================================================
"""

from __future__ import annotations

import mimetypes
import urllib.parse
from collections.abc import Awaitable, Callable
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path

import msgspec
from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

__all__ = ["HttpRoutes", "default_web_root", "placeholder_page"]

_METHODS = ("GET", "HEAD")
_MAX_SEGMENT = 255
_MAX_PATH = 2048


def default_web_root() -> Path | None:
    """``clients/web`` of a source checkout, else the copy an installed wheel holds."""
    package = Path(__file__).resolve().parents[1]
    for root in (package.parent / "clients" / "web", package / "_web"):
        if root.is_dir():
            return root
    return None


def placeholder_page() -> bytes:
    """The page ``/`` serves when there is no web client to serve."""
    return (
        b"<!doctype html><html lang=en><meta charset=utf-8><title>racefeed</title>"
        b"<h1>racefeed</h1><p>A websocket feed of race events is served on this port."
        b"<ul><li><a href=/healthz>/healthz</a>"
        b"<li><a href=/v1/scenarios>/v1/scenarios</a> (the catalog)"
        b"<li><a href=/v1/sessions>/v1/sessions</a> (named sessions)"
        b"<li><a href=/asyncapi.json>/asyncapi.json</a> (the protocol)</ul></html>\n"
    )


class HttpRoutes:
    """The ``process_request`` hook of the server.

    Args:
        health: returns the JSON-ready health document.
        scenarios: returns the encoded catalog (it may have to read files: awaited).
        sessions: returns the named sessions, JSON-ready.
        asyncapi: returns the encoded AsyncAPI document.
        web_root: the directory of the web client, or ``None``.
        admit: whether a request from this address may be answered now (rate limit).
    """

    def __init__(
        self,
        *,
        health: Callable[[], object],
        scenarios: Callable[[], Awaitable[bytes]],
        sessions: Callable[[], object],
        asyncapi: Callable[[], bytes],
        web_root: Path | None,
        admit: Callable[[str], bool],
    ) -> None:
        self._health = health
        self._scenarios = scenarios
        self._sessions = sessions
        self._asyncapi = asyncapi
        self._web_root = web_root.resolve() if web_root is not None else None
        self._admit = admit
        self.answered = 0  # plain HTTP requests answered, for /healthz

    async def __call__(self, connection: ServerConnection, request: Request) -> Response | None:
        """Answer a plain request; let a websocket upgrade through."""
        if "websocket" in request.headers.get("Upgrade", "").lower():
            return None
        self.answered += 1
        peer = connection.remote_address
        if not self._admit(str(peer[0]) if peer else "?"):
            response = _error(HTTPStatus.TOO_MANY_REQUESTS, "too many requests; slow down")
            response.headers["Retry-After"] = "1"
            return response
        if request.method not in _METHODS:
            response = _error(
                HTTPStatus.METHOD_NOT_ALLOWED, f"{request.method} is not served here; GET is"
            )
            response.headers["Allow"] = ", ".join(_METHODS)
            return response
        path = request.path.split("?", 1)[0]
        problem = _bad_path(path)
        response = problem or await self._route(path)
        if request.method == "HEAD":
            response = Response(response.status_code, response.reason_phrase, response.headers, b"")
        return response

    async def _route(self, path: str) -> Response:
        match path:
            case "/healthz":
                return _json(self._health())
            case "/v1/scenarios":
                return _response(HTTPStatus.OK, await self._scenarios(), "application/json")
            case "/v1/sessions":
                return _json(self._sessions())
            case "/asyncapi.json":
                return _response(HTTPStatus.OK, self._asyncapi(), "application/json")
        return self._static(path)

    def _static(self, path: str) -> Response:
        if self._web_root is None:
            if path in ("/", "/index.html"):
                return _response(HTTPStatus.OK, placeholder_page(), "text/html; charset=utf-8")
            return _error(HTTPStatus.NOT_FOUND, f"nothing is served at {path}")
        relative = urllib.parse.unquote(path).lstrip("/") or "index.html"
        try:
            target = (self._web_root / relative).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_relative_to(self._web_root) or not target.is_file():
                return _error(HTTPStatus.NOT_FOUND, f"nothing is served at {path}")
            body = target.read_bytes()
        except (OSError, ValueError):  # a name no file system takes: nothing is there either
            return _error(HTTPStatus.NOT_FOUND, f"nothing is served at {path}")
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        return _response(HTTPStatus.OK, body, kind)


def _bad_path(path: str) -> Response | None:
    """A 400 (or 414) for a path no resource could have; ``None`` for a fine one."""
    if len(path) > _MAX_PATH:
        return _error(HTTPStatus.REQUEST_URI_TOO_LONG, f"a path may be {_MAX_PATH} bytes at most")
    decoded = urllib.parse.unquote(path)
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded):
        return _error(HTTPStatus.BAD_REQUEST, "a path may not hold control characters")
    if any(len(segment.encode()) > _MAX_SEGMENT for segment in decoded.split("/")):
        return _error(HTTPStatus.BAD_REQUEST, f"a path segment may be {_MAX_SEGMENT} bytes at most")
    return None


def _json(document: object) -> Response:
    return _response(HTTPStatus.OK, msgspec.json.encode(document), "application/json")


def _error(status: HTTPStatus, message: str) -> Response:
    code = status.phrase.lower().replace(" ", "_")
    body = msgspec.json.encode({"error": code, "message": message})
    return _response(status, body, "application/json")


def _response(status: HTTPStatus, body: bytes, content_type: str) -> Response:
    headers = Headers(
        [
            ("Date", formatdate(usegmt=True)),
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Connection", "close"),
        ]
    )
    return Response(status.value, status.phrase, headers, body)
