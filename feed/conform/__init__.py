"""Conformance testing of live-results clients in any language (``racefeed conform``).

The pure parts: ``contract`` (the adapter contract), ``steps`` (what a case is
written in), ``cases`` (the numbered suite), ``results`` and ``report``; the names a
client's own tests need are exported here. The shell that runs cases on a real
server, ``runner``, and the child-process client, ``adapter``, are imported from
their modules, so that importing the contract pulls in no network stack.
"""

from __future__ import annotations

from feed.conform.cases import GROUPS, SUITE, Case, select
from feed.conform.contract import Shown, ShownMedal, ShownRow, shown_of
from feed.conform.results import CaseResult, CheckResult

__all__ = [
    "GROUPS",
    "SUITE",
    "Case",
    "CaseResult",
    "CheckResult",
    "Shown",
    "ShownMedal",
    "ShownRow",
    "select",
    "shown_of",
]
