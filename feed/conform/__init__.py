"""Conformance testing of live-results clients in any language (``racefeed conform``).

The pure parts are exported here: ``contract`` (the adapter contract), ``cases`` (the
numbered suite), ``results`` and ``report``. The shell that runs cases on a real
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
