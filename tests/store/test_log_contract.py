"""The contract of the session log, run against every implementation: memory, JSONL, JetStream."""

from __future__ import annotations

import asyncio

from feed.store import Entry, EventPublished, SessionClosed
from tests.kit.records import Backend, clock, event, new_epoch, opened


def _ids(entries: list[Entry]) -> list[str]:
    return [entry.record.id for entry in entries]


async def test_appended_records_are_read_back_in_order_with_increasing_positions(
    backend: Backend,
) -> None:
    """What was appended is read back equal, in append order, at increasing positions."""
    log = await backend.open()
    records = [opened(), clock(), event(seq=1), event(seq=2), new_epoch(epoch=2, head=1)]
    for record in records:
        log.append(record)
    await log.flush()
    entries = await log.read("main")
    assert [entry.record for entry in entries] == records
    positions = [entry.position for entry in entries]
    assert positions == sorted(set(positions)) and positions[0] >= 1


async def test_reading_one_session_leaves_the_others_out_and_after_skips_the_start(
    backend: Backend,
) -> None:
    """``read(session, after=p)`` holds only that session's records stored after ``p``."""
    log = await backend.open()
    for session in ("a", "b"):
        log.append(opened(session))
    for seq in (1, 2, 3):
        log.append(event("a", seq))
        log.append(event("b", seq))
    await log.flush()
    a = await log.read("a")
    assert _ids(a) == ["a:opened", "a:1:1", "a:1:2", "a:1:3"]
    assert {entry.record.session for entry in await log.read("b")} == {"b"}
    assert _ids(await log.read("a", after=a[1].position)) == ["a:1:2", "a:1:3"]
    assert await log.read("a", after=a[-1].position) == []
    everything = await log.read()
    assert len(everything) == 8
    assert [e.position for e in everything] == sorted(e.position for e in everything)
    assert await log.read("nobody") == []


async def test_a_record_appended_twice_is_stored_once(backend: Backend) -> None:
    """A retried append (same id) is dropped: the log holds each event once."""
    log = await backend.open()
    log.append(opened())
    log.append(event(seq=1))
    log.append(event(seq=1))
    log.append(opened())
    log.append(event(seq=2))
    await log.flush()
    assert _ids(await log.read("main")) == ["main:opened", "main:1:1", "main:1:2"]


async def test_the_same_seq_in_another_epoch_is_another_record(backend: Backend) -> None:
    """Event 2 of epoch 2 is not a repeat of event 2 of epoch 1."""
    log = await backend.open()
    for record in (opened(), event(seq=1), event(seq=2), new_epoch(epoch=2, head=1)):
        log.append(record)
    log.append(event(seq=2, epoch=2, tag="again"))
    await log.flush()
    events = [e.record for e in await log.read("main") if isinstance(e.record, EventPublished)]
    assert [(r.epoch, r.seq) for r in events] == [(1, 1), (1, 2), (2, 2)]
    assert b"again" in bytes(events[-1].envelope)


async def test_follow_yields_the_history_then_each_record_as_it_is_stored(
    backend: Backend,
) -> None:
    """A follower gets what was there, then what comes, in order, and nothing twice."""
    log = await backend.open()
    log.append(opened())
    log.append(event(seq=1))
    await log.flush()
    seen: list[str] = []
    got_three = asyncio.Event()

    async def follow() -> None:
        async for batch in log.follow("main"):
            seen.extend(_ids(batch))
            if len(seen) >= 4:
                got_three.set()

    task = asyncio.create_task(follow())
    try:
        await asyncio.sleep(0.05)
        log.append(event("other", 1))
        log.append(event(seq=2))
        log.append(event(seq=2))
        log.append(event(seq=3))
        await log.flush()
        await asyncio.wait_for(got_three.wait(), 10)
        await asyncio.sleep(0.1)
    finally:
        task.cancel()
    assert seen == ["main:opened", "main:1:1", "main:1:2", "main:1:3"]


async def test_follow_of_every_session_from_a_position(backend: Backend) -> None:
    """``follow(None, after=p)`` starts after ``p`` and covers every session."""
    log = await backend.open()
    for record in (opened("a"), opened("b"), event("a", 1), event("b", 1)):
        log.append(record)
    await log.flush()
    start = (await log.read())[1].position
    batches = log.follow(after=start)
    seen: list[str] = []
    while len(seen) < 2:
        seen.extend(_ids(await asyncio.wait_for(anext(batches), 10)))
    log.append(event("a", 2))
    await log.flush()
    while len(seen) < 3:
        seen.extend(_ids(await asyncio.wait_for(anext(batches), 10)))
    await batches.aclose()
    assert seen == ["a:1:1", "b:1:1", "a:1:2"]


async def test_closing_the_log_ends_its_followers(backend: Backend) -> None:
    """A follower's loop ends when the log is closed, after what was stored."""
    log = await backend.open()
    log.append(opened())
    await log.flush()
    seen: list[str] = []

    async def follow() -> None:
        async for batch in log.follow("main"):
            seen.extend(_ids(batch))

    task = asyncio.create_task(follow())
    await asyncio.sleep(0.2)
    await log.close()
    await asyncio.wait_for(task, 5)
    assert seen == ["main:opened"]


async def test_a_reopened_log_holds_what_was_flushed_and_goes_on_after_it(
    durable_backend: Backend,
) -> None:
    """After a restart the log has every flushed record, and new ones come after them."""
    backend = durable_backend
    first = await backend.open()
    for record in (opened(), event(seq=1), event(seq=2)):
        first.append(record)
    await first.flush()
    before = await first.read("main")
    await first.close()
    again = await backend.open()
    assert await again.read("main") == before
    again.append(event(seq=2))  # a repeat after the restart is still a repeat
    again.append(event(seq=3))
    await again.flush()
    after = await again.read("main")
    assert _ids(after) == ["main:opened", "main:1:1", "main:1:2", "main:1:3"]
    assert after[-1].position > before[-1].position


async def test_the_head_is_the_position_of_the_last_record_stored(backend: Backend) -> None:
    """A reader that has read up to ``head()`` has seen everything appended before it asked."""
    log = await backend.open()
    assert await log.head() == 0
    for record in (opened(), event(seq=1), event(seq=2)):
        log.append(record)
    await log.flush()
    entries = await log.read()
    assert await log.head() == entries[-1].position


async def test_a_forgotten_session_keeps_only_its_opening_and_closing(backend: Backend) -> None:
    """``forget`` lets a closed session's events go; the others' records stay as they were."""
    log = await backend.open()
    log.append(opened("gone"))
    log.append(opened("kept"))
    for seq in (1, 2, 3):
        log.append(event("gone", seq))
        log.append(event("kept", seq))
    log.append(SessionClosed(id="gone:closed", session="gone", reason="expired"))
    await log.flush()
    await log.forget("gone")
    assert _ids(await log.read("gone")) == ["gone:opened", "gone:closed"]
    assert _ids(await log.read("kept")) == ["kept:opened", "kept:1:1", "kept:1:2", "kept:1:3"]
