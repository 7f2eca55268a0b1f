"""Plain HTTP GETs on the websocket port: health, the catalog, the protocol, the web page.

``websockets`` hands every request to ``process_request`` before the handshake; a
request that asks for a websocket upgrade goes on to become a connection, anything
else is answered here.

==================  =========================================================
path                answer
==================  =========================================================
``/healthz``        ``{"status": "ok", "sessions": N, "connections": N}``
``/v1/scenarios``   the catalog: ``[{"id", "title", "kind", "description"}]``
``/v1/sessions``    the named sessions and their clocks (private ones are not listed)
``/asyncapi.json``  the AsyncAPI 3.0 description of the protocol
``/`` and files     ``clients/web/`` if present, else a page linking the above
==================  =========================================================
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path

import msgspec
from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

__all__ = ["HttpRoutes", "default_web_root", "placeholder_page"]


def default_web_root() -> Path | None:
    """``clients/web`` of a source checkout, if there is one."""
    root = Path(__file__).resolve().parents[2] / "clients" / "web"
    return root if root.is_dir() else None


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
        scenarios: returns the catalog, JSON-ready.
        sessions: returns the named sessions, JSON-ready.
        asyncapi: returns the encoded AsyncAPI document.
        web_root: the directory of the web client, or ``None``.
    """

    def __init__(
        self,
        *,
        health: Callable[[], object],
        scenarios: Callable[[], object],
        sessions: Callable[[], object],
        asyncapi: Callable[[], bytes],
        web_root: Path | None,
    ) -> None:
        self._health = health
        self._scenarios = scenarios
        self._sessions = sessions
        self._asyncapi = asyncapi
        self._web_root = web_root.resolve() if web_root is not None else None

    def __call__(self, connection: ServerConnection, request: Request) -> Response | None:
        """Answer a plain GET; let a websocket upgrade through."""
        if "websocket" in request.headers.get("Upgrade", "").lower():
            return None
        path = request.path.split("?", 1)[0]
        match path:
            case "/healthz":
                return _json(self._health())
            case "/v1/scenarios":
                return _json(self._scenarios())
            case "/v1/sessions":
                return _json(self._sessions())
            case "/asyncapi.json":
                return _response(HTTPStatus.OK, self._asyncapi(), "application/json")
        return self._static(path)

    def _static(self, path: str) -> Response:
        if self._web_root is None:
            if path in ("/", "/index.html"):
                return _response(HTTPStatus.OK, placeholder_page(), "text/html; charset=utf-8")
            return _not_found(path)
        relative = path.lstrip("/") or "index.html"
        target = (self._web_root / relative).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(self._web_root) or not target.is_file():
            return _not_found(path)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        return _response(HTTPStatus.OK, target.read_bytes(), kind)


def _json(document: object) -> Response:
    return _response(HTTPStatus.OK, msgspec.json.encode(document), "application/json")


def _not_found(path: str) -> Response:
    body = msgspec.json.encode({"error": "not_found", "message": f"nothing is served at {path}"})
    return _response(HTTPStatus.NOT_FOUND, body, "application/json")


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
