"""``assert_consistent`` lets a live-blog client's generated text be tested at any seq."""

from __future__ import annotations

import pytest

from feed.check import Checker
from feed.check.assertion import assert_consistent, contradictions
from feed.narrative import Narrator
from feed.projections import Projection
from feed.pytest_plugin import Racefeed
from tests.check.checkkit import checker, events

TOKYO = "tokyo-2025-m1500-final"


class _Session:
    """Anything with the stream's events, like the plugin's session."""

    def __init__(self, scenario: str) -> None:
        self.events = events(scenario)


def test_a_consistent_text_passes_and_returns_the_report() -> None:
    """Nothing contradicted: the report comes back for more checks."""
    report = assert_consistent("Nader won in 3:34.10 from Wightman.", events(TOKYO))
    assert report.contradicted == 0 and report.supported >= 2


def test_a_contradiction_fails_with_the_claim_what_the_feed_says_and_the_seq() -> None:
    """The message names the words, the kind, the feed's fact and its seq."""
    with pytest.raises(AssertionError) as failure:
        assert_consistent("Nader won in 3:34.20. Kerr fell.", _Session(TOKYO))
    message = str(failure.value)
    assert message.startswith("the text contradicts the feed (as of seq 231) in 2 claims:")
    assert (
        "'Nader won in 3:34.20' (time): the feed says Isaac Nader ran 3:34.10 (seq 224)" in message
    )
    assert "(incident): the feed says Josh Kerr: injury (calf)" in message


def test_at_seq_holds_the_text_to_what_a_reader_knew_then() -> None:
    """At the bell, "Timothy Cheruiyot leads" is right; "Nader wins" cannot be judged yet."""
    bell = next(
        e.seq
        for e in events(TOKYO)
        if e.type == "split_recorded" and e.data.distance_m == 1100  # type: ignore[union-attr]
    )
    report = assert_consistent("Timothy Cheruiyot leads. Nader wins.", checker(TOKYO), at_seq=bell)
    assert [j.verdict.verdict for j in report.claims] == ["supported", "not_checkable"]
    with pytest.raises(AssertionError, match=r"as of seq \d+"):
        assert_consistent("Laros leads.", checker(TOKYO), at_seq=bell)


def test_a_checker_can_be_reused_for_many_texts() -> None:
    """A ``Checker`` keeps its states: the narrator's every line, at its seq, passes."""
    feed = Checker(events(TOKYO))
    projection, narrator = Projection(), Narrator()
    for event in events(TOKYO):
        projection.apply(event)
        for line in narrator.apply(event, projection):
            assert contradictions(assert_consistent(line.text, feed, at_seq=line.seq)) == []


async def test_a_client_following_a_real_session_is_checked_against_it(racefeed: Racefeed) -> None:
    """Over a real socket, a client's text at seq N is held to the session at seq N."""
    session = await racefeed.session(TOKYO)
    finish = session.seq_of("athlete_finished")
    await session.run_to_seq(finish)
    async with session.connect() as feed:
        await feed.wait_for_seq(finish, timeout=5)
        leader = feed.standings().rows[0].name.split()[-1]
    assert_consistent(f"{leader} wins!", session, at_seq=finish)
    with pytest.raises(AssertionError):
        assert_consistent("Kerr wins!", session, at_seq=finish)
