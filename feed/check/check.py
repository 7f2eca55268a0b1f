"""Check a text against a stream of events: find its claims, judge each one, report.

::

    report = check_text(article, events, source="tokyo-2025-m1500-final")
    report.contradicted        # 0 when the text agrees with the feed
    for judged in report.claims:
        print(judged.claim.text, judged.verdict.verdict, judged.verdict.feed_says)

A ``Checker`` keeps one stream's vocabulary and states for many texts (a test that
checks a live blog at every seq uses one).
"""

from __future__ import annotations

from collections.abc import Sequence

from feed.check.extract import extract
from feed.check.judge import judge
from feed.check.model import FINAL, Claim, Judged, Moment, Report
from feed.check.timeline import Timeline
from feed.check.vocab import Vocabulary
from feed.events import Event

__all__ = ["Checker", "check_text", "seq_at_race_ms"]


class Checker:
    """Checks texts against one stream of events.

    Args:
        events: the stream, from seq 1 (a scenario's events or those a session sent).
        source: what the events are, for the report (a scenario id, a URL).
    """

    def __init__(self, events: Sequence[Event], *, source: str = "") -> None:
        self.source = source
        self.vocab = Vocabulary.from_events(events)
        self.timeline = Timeline(events)

    def claims(
        self, text: str, *, at_seq: int | None = None, wall_offset_min: int | None = None
    ) -> list[Claim]:
        """The claims found in ``text``, with the moment each is judged at."""
        default = FINAL if at_seq is None else Moment(kind="seq", seq=at_seq)
        # The race of the event at the seq judged: what a live text is most likely about.
        at = self.timeline.evidence.by_seq.get(at_seq) if at_seq is not None else None
        context = at.race if at is not None else None
        return extract(
            text, self.vocab, default=default, wall_offset_min=wall_offset_min, context=context
        )

    def check(
        self, text: str, *, at_seq: int | None = None, wall_offset_min: int | None = None
    ) -> Report:
        """Judge every claim of ``text``.

        Args:
            text: an article or a live blog (entries may carry stamps: ``feed.check.stamps``).
            at_seq: judge as a reader at seq N would: unstamped entries against the state
                at N, and nothing after N is consulted. None: the whole feed, unstamped
                entries against its final state.
            wall_offset_min: the zone of wall-time stamps written without one, in
                minutes east of UTC; None: the venue's local time.
        """
        judged = [
            Judged(claim=claim, verdict=judge(claim, self.timeline, self.vocab, horizon=at_seq))
            for claim in self.claims(text, at_seq=at_seq, wall_offset_min=wall_offset_min)
        ]
        counts = {"supported": 0, "contradicted": 0, "not_checkable": 0}
        for item in judged:
            counts[item.verdict.verdict] += 1
        final = self.timeline.final_seq if at_seq is None else min(at_seq, self.timeline.final_seq)
        return Report(
            text=text,
            source=self.source,
            final_seq=final,
            claims=judged,
            supported=counts["supported"],
            contradicted=counts["contradicted"],
            not_checkable=counts["not_checkable"],
        )


def seq_at_race_ms(events: Sequence[Event], race_ms: int, race: str | None = None) -> int:
    """The seq a reader has reached at race time ``race_ms`` (of ``race``, default any).

    The last event at or before that race time; 0 before the first.
    """
    seq = 0
    for event in events:
        if event.race_ms <= race_ms and (race is None or event.race == race):
            seq = event.seq
    return seq


def check_text(
    text: str,
    events: Sequence[Event],
    *,
    source: str = "",
    at_seq: int | None = None,
    wall_offset_min: int | None = None,
) -> Report:
    """Judge every claim of ``text`` against ``events`` (see ``Checker.check``)."""
    return Checker(events, source=source).check(
        text, at_seq=at_seq, wall_offset_min=wall_offset_min
    )
