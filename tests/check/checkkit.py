"""Shared by the checker's tests: scenario events and checkers, built once per test run."""

from __future__ import annotations

from functools import cache

from feed.check import Checker, Judged, Report
from feed.events import Event
from feed.io import load_scenario

__all__ = ["checker", "claims_of", "events", "only", "verdicts"]


@cache
def _events(scenario: str) -> tuple[Event, ...]:
    return tuple(load_scenario(scenario).events)


def events(scenario: str) -> list[Event]:
    """The compiled events of a built-in scenario."""
    return list(_events(scenario))


@cache
def checker(scenario: str) -> Checker:
    """A checker over a built-in scenario (shared: its states are built once)."""
    return Checker(_events(scenario), source=scenario)


def verdicts(report: Report) -> list[tuple[str, str, str]]:
    """(kind, claim text, verdict) of every claim, in text order."""
    return [(j.claim.kind, j.claim.text, j.verdict.verdict) for j in report.claims]


def claims_of(report: Report, kind: str) -> list[Judged]:
    """The judged claims of one kind."""
    return [j for j in report.claims if j.claim.kind == kind]


def only(report: Report, kind: str) -> Judged:
    """The one judged claim of ``kind`` (fails if there is not exactly one)."""
    found = claims_of(report, kind)
    assert len(found) == 1, [(j.claim.kind, j.claim.text) for j in report.claims]
    return found[0]
