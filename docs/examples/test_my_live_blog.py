"""Testing MyLiveBlog with racefeed's pytest plugin: the Tokyo 2025 final and a made-up race."""

from __future__ import annotations

from my_live_blog import MyLiveBlog

from feed.testing import assert_standings

FIELDS = ("place", "athlete_id", "time")


async def test_the_table_matches_the_reference_after_each_medallist_and_at_the_end(racefeed):
    """At each checkpoint the blog shows exactly the finishers the reference shows."""
    session = await racefeed.session("tokyo-2025-m1500-final")
    finishes = [event.seq for event in session.events if event.type == "athlete_finished"]
    blog = MyLiveBlog()
    for seq in [*finishes[:3], len(session.events)]:
        await session.run_to_seq(seq)
        await blog.follow(session.url, session.name, until_seq=seq)
        reference = session.expected(at_seq=seq).standings()
        finished = [row for row in reference.rows if row.time is not None]
        assert_standings(blog.rows, finished, FIELDS)


async def test_a_dead_heat_shares_the_place(racefeed):
    """Two runners with the same 1/1000 reading share second place; the next is fourth."""
    race = racefeed.race("dead-heat-for-silver")
    ann, bea, cat, dee = (
        race.athlete(name, "KEN") for name in ("Ann A", "Bea B", "Cat C", "Dee D")
    )
    race.finish(ann, "3:59.000").finish(bea, "3:59.512").finish(cat, "3:59.512")
    race.finish(dee, "4:00.100").official(at="6:00")
    session = await racefeed.session(race)
    await session.run_to_end()
    blog = MyLiveBlog()
    await blog.follow(session.url, session.name, until_seq=len(session.events))
    assert [row["place"] for row in blog.rows] == [1, 2, 2, 4]
    assert_standings(blog.rows, session.expected().standings(), FIELDS)
