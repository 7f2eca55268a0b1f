"""A pytest helper: fail when a text contradicts the feed, saying where and what the feed says.

::

    from feed.check.assertion import assert_consistent

    async def test_my_blog_agrees_with_the_feed(racefeed):
        session = await racefeed.session("tokyo-2025-m1500-final")
        await session.run_to_seq(230)
        assert_consistent(my_blog.text(), session, at_seq=230)

    AssertionError: the text contradicts the feed (as of seq 230) in 1 claim:
      "Nader wins in 3:34.20" (time): the feed says Isaac Nader ran 3:34.10 (seq 208)

The second argument is the events, anything with an ``events`` attribute (the
plugin's session), or a ``Checker`` (reuse one when checking many texts against
one stream).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from feed.check.check import Checker
from feed.check.model import Report
from feed.events import Event

__all__ = ["HasEvents", "assert_consistent", "contradictions"]


class HasEvents(Protocol):
    """Anything that holds a stream's events (``feed.pytest_plugin.ReplaySession`` does)."""

    @property
    def events(self) -> Sequence[Event]:
        """The stream, from seq 1."""
        ...


def contradictions(report: Report) -> list[str]:
    """One line per contradicted claim: the words, the kind, what the feed says, the seq."""
    lines = []
    for judged in report.claims:
        verdict = judged.verdict
        if verdict.verdict != "contradicted":
            continue
        seq = f" (seq {verdict.evidence_seq})" if verdict.evidence_seq is not None else ""
        stamp = f" [{judged.claim.moment.label}]" if judged.claim.moment.label else ""
        lines.append(
            f"{judged.claim.text!r}{stamp} ({judged.claim.kind}): "
            f"the feed says {verdict.feed_says}{seq}"
        )
    return lines


def assert_consistent(
    text: str,
    feed: Checker | Sequence[Event] | HasEvents,
    *,
    at_seq: int | None = None,
    wall_offset_min: int | None = None,
) -> Report:
    """Fail if any claim of ``text`` is contradicted by the feed; return the report otherwise.

    Args:
        text: what the client wrote (an article, live-blog entries, with or without stamps).
        feed: the events, a session holding them, or a ``Checker`` over them.
        at_seq: judge as a reader at seq N: unstamped text against the state at N, and
            nothing after N consulted. None: the whole feed.
        wall_offset_min: the zone of wall-time stamps written without one (minutes east
            of UTC); None: the venue's local time.
    """
    checker = feed if isinstance(feed, Checker) else Checker(_events(feed))
    report = checker.check(text, at_seq=at_seq, wall_offset_min=wall_offset_min)
    lines = contradictions(report)
    if lines:
        when = f"as of seq {at_seq}" if at_seq is not None else f"as of seq {report.final_seq}"
        count = f"{len(lines)} claim{'s' if len(lines) != 1 else ''}"
        raise AssertionError(
            f"the text contradicts the feed ({when}) in {count}:\n  " + "\n  ".join(lines)
        )
    return report


def _events(feed: Sequence[Event] | HasEvents) -> Sequence[Event]:
    if isinstance(feed, Sequence):
        return feed
    return feed.events
