"""The records the director writes about a session, each made here and appended there."""

from __future__ import annotations

import secrets

from feed.server.auth import token_digest
from feed.server.catalog import LoadedScenario
from feed.server.spec import SessionSpec
from feed.store import (
    FaultsChanged,
    KnownSession,
    LogRecord,
    SessionClosed,
    SessionOpened,
    TokenIssued,
)

__all__ = [
    "check_same_scenario",
    "closed_record",
    "faults_record",
    "new_record_id",
    "opened_record",
    "rewrite_preamble",
    "token_record",
]


def new_record_id(session: str, kind: str) -> str:
    """A unique id for a new record (a retried append reuses the record, so the id with it)."""
    return f"{session}:{kind}:{secrets.token_hex(8)}"


def opened_record(
    name: str, loaded: LoadedScenario, *, spec: SessionSpec, token: str, private: bool
) -> SessionOpened:
    """A new session's first record: what it replays, and the digest of its first token."""
    return SessionOpened(
        id=new_record_id(name, "opened"),
        session=name,
        scenario=loaded.id,
        title=loaded.title,
        stream=loaded.events[0].stream,
        events=len(loaded.events),
        private=private,
        token_sha256=token_digest(token),
        max_gap_ms=spec.max_gap_ms,
        rebase=spec.rebase,
        aliases=list(spec.aliases),
    )


def token_record(name: str, digest: str) -> TokenIssued:
    """One more control token good for ``name`` (its digest; the token is never written)."""
    return TokenIssued(id=new_record_id(name, "token"), session=name, token_sha256=digest)


def faults_record(name: str, faults: str, seed: int) -> FaultsChanged:
    """The fault spec every later subscription of ``name`` gets."""
    return FaultsChanged(id=new_record_id(name, "faults"), session=name, faults=faults, seed=seed)


def closed_record(name: str, reason: str) -> SessionClosed:
    """``name`` is closed: its other records may be forgotten."""
    return SessionClosed(id=new_record_id(name, "closed"), session=name, reason=reason)


def rewrite_preamble(opened: SessionOpened, known: KnownSession | None) -> list[LogRecord]:
    """What a session is written again with into a log made anew, before its events.

    Its ``opened`` record, every other token good for it, and its fault spec.
    """
    preamble: list[LogRecord] = [opened]
    if known is not None:
        preamble += [
            token_record(opened.session, digest)
            for digest in known.tokens
            if digest != opened.token_sha256
        ]
        if known.faults is not None:
            preamble.append(known.faults)
    return preamble


def check_same_scenario(opened: SessionOpened, loaded: LoadedScenario) -> None:
    """Refuse to take up a logged session over another scenario than the one it replayed.

    Raises:
        ValueError: the log has the session replaying another scenario.
    """
    if opened.scenario != loaded.id or opened.events != len(loaded.events):
        raise ValueError(
            f"session {opened.session!r}: the log has it replaying {opened.scenario!r} "
            f"({opened.events} events), not {loaded.id!r} ({len(loaded.events)} events); "
            "name another session, or use another log"
        )
