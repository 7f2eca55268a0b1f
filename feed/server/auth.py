"""Who may do what: the server token, and the rule that only loopback may go without one.

- Reading a session needs its id; private session ids are random and never listed.
- Controlling a session needs one of its control tokens, or the server token. Only
  their SHA-256 is kept (``SessionTokens``), in memory and in the log.
- Creating a private session needs the server token, when the server has one.
- A server bound to anything but a loopback address must have a server token
  (``--token`` or ``RACEFEED_TOKEN``): it refuses to start without one.

Tokens are compared in constant time and never logged nor sent to anyone but the
client that created them.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
from collections.abc import Iterable
from typing import Final

__all__ = [
    "TOKEN_ENV",
    "WEBSOCKETS_LOGGER",
    "InsecureBind",
    "SessionTokens",
    "check_bind",
    "is_loopback",
    "new_control_token",
    "new_private_session_id",
    "token_digest",
    "token_matches",
]

TOKEN_ENV: Final = "RACEFEED_TOKEN"
"""The environment variable ``racefeed serve`` reads the server token from."""

_MIN_TOKEN: Final = 8

WEBSOCKETS_LOGGER: Final = logging.getLogger("websockets.racefeed")
"""The server's websockets logger: warnings only, whatever the root logger's level.

At DEBUG websockets logs every frame, and a ``control`` frame holds a token; the
server's own structured logs say what happens to connections.
"""
WEBSOCKETS_LOGGER.setLevel(logging.WARNING)


class InsecureBind(ValueError):
    """A server asked to listen beyond loopback without a token (or with a trivial one)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` only ever accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_bind(host: str, token: str | None) -> None:
    """Refuse to listen on ``host`` unless it is loopback or a server token is set.

    Raises:
        InsecureBind: saying what to do.
    """
    if token is not None and len(token) < _MIN_TOKEN:
        raise InsecureBind(f"the server token must have at least {_MIN_TOKEN} characters")
    if token is None and not is_loopback(host):
        shown = host or "every interface"
        raise InsecureBind(
            f"listening on {shown} lets other machines create and control sessions: give a "
            f"server token with --token or the {TOKEN_ENV} environment variable, or listen "
            "on 127.0.0.1"
        )


def token_matches(given: str, expected: str | None) -> bool:
    """Whether ``given`` is ``expected`` (constant time); never true when ``expected`` is None."""
    if expected is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def new_control_token() -> str:
    """A fresh session control token (144 random bits, URL-safe)."""
    return secrets.token_urlsafe(18)


def new_private_session_id() -> str:
    """A fresh private session id: random, so that it cannot be guessed or listed."""
    return f"p-{secrets.token_hex(6)}"


def token_digest(token: str) -> str:
    """The hex SHA-256 of a control token: what is kept of it."""
    return hashlib.sha256(token.encode()).hexdigest()


class SessionTokens:
    """The digests of every control token good for each session."""

    def __init__(self) -> None:
        self._digests: dict[str, list[str]] = {}

    def know(self, session: str, digests: Iterable[str]) -> None:
        """These digests are good for ``session`` (from its log)."""
        self._digests.setdefault(session, []).extend(d for d in digests if d)

    def holds(self, session: str, digest: str) -> bool:
        """Whether ``digest`` is good for ``session`` already."""
        return digest in self._digests.get(session, ())

    def matches(self, session: str, token: str) -> bool:
        """Whether ``token`` controls ``session`` (compared in constant time)."""
        given = token_digest(token)
        return any(hmac.compare_digest(given, known) for known in self._digests.get(session, ()))

    def forget(self, session: str) -> None:
        """The session is gone."""
        self._digests.pop(session, None)
