"""Check what a text says against the feed: claims found, judged, reported.

Pure: text and events in, a ``Report`` out; no files, no clock. The pieces, one
job each: ``text`` and ``stamps`` (entries and their time stamps), ``vocab``,
``names``, ``numbers`` and ``tokens`` (reading a sentence), ``subjects`` and
``scope`` (who and which race it is about), the ``rules_*`` modules (claims), the
``judge_*`` modules (verdicts), ``timeline`` (the feed at any moment), ``check``
(the whole), ``html`` (the page), ``assertion`` (the pytest helper) and
``measure`` (precision over a corpus).
"""

from feed.check.check import Checker, check_text
from feed.check.model import Claim, Judged, Moment, Report, Verdict

__all__ = ["Checker", "Claim", "Judged", "Moment", "Report", "Verdict", "check_text"]
