"""Check what a text says against the feed: claims found, judged, reported.

Pure: text and events in, a ``Report`` out; no files, no clock. The pieces, one
job each: ``text`` and ``stamps`` (entries and their time stamps); ``vocab``,
``nations``, ``lexicon``, ``names``, ``numbers``, ``tok`` and ``tokens`` (reading a
sentence); ``subjects``, ``scope`` and ``reader`` (who and which race it is about);
``extract`` and the ``rules_*`` modules (claims); ``timeline`` and ``facts`` (the
feed at any seq, and the seq behind each fact); ``judge`` and the ``judge_*``
modules (verdicts); ``model`` (what comes out); ``check`` (the whole); ``html`` (the
page); ``assertion`` (the pytest helper); ``measure`` (precision over a corpus).
See docs/check.md.
"""

from feed.check.check import Checker, check_text
from feed.check.model import Claim, Judged, Moment, Report, Verdict

__all__ = ["Checker", "Claim", "Judged", "Moment", "Report", "Verdict", "check_text"]
