"""The plugin's fixtures: sessions from anywhere, a clock the test drives, the reference answer."""

from __future__ import annotations

from pathlib import Path

import pytest
import structlog

from feed.codec import encode_events
from feed.io import load_scenario
from feed.pytest_plugin import Racefeed
from feed.server.log_level import quiet_server_logs
from feed.testing import assert_standings

TOKYO = "tokyo-2025-m1500-final"


async def test_run_to_seq_publishes_exactly_that_far(racefeed: Racefeed) -> None:
    """A paused session moves only when told: run_to_seq(40) leaves the head at 40."""
    session = await racefeed.session(TOKYO)
    assert session.position_seq == 0
    await session.run_to_seq(40)
    assert session.position_seq == 40
    await session.step()
    assert session.position_seq == 41


async def test_a_client_sees_what_the_test_published_and_the_reference_agrees(
    racefeed: Racefeed,
) -> None:
    """The SDK's projection at a checkpoint equals the reference answer there."""
    session = await racefeed.session(TOKYO)
    bell = next(e.seq for e in session.events if e.type == "split_recorded"
                and e.data.distance_m == 1100)  # type: ignore[union-attr]  # fmt: skip
    await session.run_to_seq(bell)
    async with session.connect() as feed:
        await feed.wait_for_seq(bell, timeout=5)
        assert feed.race_state().leader == session.expected(at_seq=bell).race_state().leader
        assert feed.race_state().leader == "cheruiyot-timothy"


async def test_run_to_race_ms_stops_at_that_race_time(racefeed: Racefeed) -> None:
    """Just after 400 m of race time, Laros leads, as the record says."""
    session = await racefeed.session(TOKYO)
    await session.run_to_race_ms(60_000)
    assert session.expected().race_state().leader == "laros-niels"
    assert all(e.race_ms <= 60_000 for e in session.events[: session.position_seq])


async def test_run_to_end_ends_the_replay_for_subscribers(racefeed: Racefeed) -> None:
    """After run_to_end a subscriber gets everything and then the end."""
    session = await racefeed.session(TOKYO)
    async with session.connect() as feed:
        await session.run_to_end()
        await feed.wait_for_end(timeout=10)
        assert feed.last_seq == len(session.events)
        assert_standings(feed.standings().rows, session.expected().standings())


async def test_sessions_come_from_files_logs_and_built_races(
    racefeed: Racefeed, tmp_path: Path
) -> None:
    """A JSONL log and a built race start sessions as a catalog id does."""
    log = tmp_path / "final.jsonl"
    log.write_bytes(encode_events(load_scenario(TOKYO).events))
    from_file = await racefeed.session(log)
    assert len(from_file.events) == len(load_scenario(TOKYO).events)

    race = racefeed.race("built")
    ann = race.athlete("Ann Example", "GBR")
    race.finish(ann, "4:00.000").official(at="5:00")
    built = await racefeed.session(race)
    await built.run_to_end()
    assert built.expected().standings().rows[0].time == "4:00.00"


async def test_sessions_of_one_test_are_isolated(racefeed: Racefeed) -> None:
    """Two sessions over the same scenario keep their own clocks."""
    first = await racefeed.session(TOKYO)
    second = await racefeed.session(TOKYO)
    await first.run_to_seq(100)
    assert (first.position_seq, second.position_seq) == (100, 0)
    assert first.name != second.name


async def test_a_wrong_control_says_what_was_wrong(racefeed: Racefeed) -> None:
    """Seeking outside the stream raises with the server's explanation."""
    session = await racefeed.session(TOKYO)
    with pytest.raises(ValueError, match="seq"):
        await session.seek(seq=10_000)


async def test_seq_of_finds_checkpoints_by_event_type(racefeed: Racefeed) -> None:
    """seq_of names the photo finish's seq; asking for one too many says how many there are."""
    session = await racefeed.session(TOKYO)
    assert session.events[session.seq_of("photo_finish_resolved") - 1].type == (
        "photo_finish_resolved"
    )
    with pytest.raises(LookupError, match="1 photo_finish_resolved"):
        session.seq_of("photo_finish_resolved", nth=2)


async def test_the_test_server_logs_warnings_only_by_default(
    racefeed: Racefeed, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failing test's report is not flooded: no info lines from the server by default."""
    session = await racefeed.session(TOKYO)
    async with session.connect() as feed:
        await session.run_to_seq(10)
        await feed.wait_for_seq(10)
    out = capsys.readouterr()
    assert "client_connected" not in out.out + out.err
    assert "session_created" not in out.out + out.err


def test_quiet_server_logs_restores_the_configuration_and_refuses_a_bad_level() -> None:
    """The quieting is scoped to the server's life; a misspelt level is a clear error."""
    before = structlog.get_config()["wrapper_class"]
    with quiet_server_logs("warning"):
        assert structlog.get_config()["wrapper_class"] is not before
    assert structlog.get_config()["wrapper_class"] is before
    with pytest.raises(ValueError, match="racefeed_log_level"), quiet_server_logs("loud"):
        pass
