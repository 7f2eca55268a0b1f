"""The clocks: the virtual one moves only when told, the real one never fires early."""

from __future__ import annotations

import asyncio

import pytest

from feed.server import RealClock, VirtualClock


async def test_a_virtual_clock_fires_callbacks_in_time_order_only_when_advanced() -> None:
    """Nothing runs until the test moves time; then everything due runs, earliest first."""
    clock = VirtualClock(start=10.0)
    fired: list[str] = []
    clock.call_at(12.0, lambda: fired.append("b"))
    clock.call_at(11.0, lambda: fired.append("a"))
    late = clock.call_at(13.0, lambda: fired.append("never"))
    await asyncio.sleep(0.01)
    assert fired == []
    clock.advance(2.5)
    assert fired == ["a", "b"]
    assert clock.now() == 12.5
    late.cancel()
    assert clock.next_deadline() is None
    assert clock.jump() is False


async def test_jump_goes_straight_to_the_next_deadline() -> None:
    """jump() moves time to the earliest timer and runs it."""
    clock = VirtualClock(start=0.0)
    fired: list[float] = []
    clock.call_at(100.0, lambda: fired.append(clock.now()))
    assert clock.jump() is True
    assert fired == [100.0]


async def test_autojump_runs_a_whole_schedule_without_anyone_advancing() -> None:
    """With autojump, time leaps from deadline to deadline by itself."""
    clock = VirtualClock(start=0.0, autojump=True)
    done = asyncio.Event()
    fired: list[float] = []
    for when in (5.0, 3600.0, 86_400.0):
        clock.call_at(when, lambda: fired.append(clock.now()))
    clock.call_at(86_401.0, done.set)
    await asyncio.wait_for(done.wait(), 2)
    assert fired == [5.0, 3600.0, 86_400.0]


async def test_a_timer_due_already_runs_soon() -> None:
    """A deadline in the past runs on the next loop turn."""
    clock = VirtualClock(start=50.0)
    fired = asyncio.Event()
    clock.call_at(10.0, fired.set)
    await asyncio.wait_for(fired.wait(), 1)


async def test_the_wall_time_follows_the_virtual_time() -> None:
    """wall() is wall_start plus the virtual time that passed."""
    clock = VirtualClock(start=5.0)
    before = clock.wall()
    clock.advance(61.5)
    assert (clock.wall() - before).total_seconds() == 61.5
    with pytest.raises(ValueError, match="0 or more"):
        clock.advance(-1)


async def test_the_real_clock_never_fires_before_the_deadline() -> None:
    """Twenty short timers: each callback sees the loop time at or past its deadline."""
    clock = RealClock()
    loop = asyncio.get_running_loop()
    early: list[float] = []
    for n in range(20):
        deadline = loop.time() + 0.002 + n * 0.0007
        fired = asyncio.Event()

        def check(deadline: float = deadline, fired: asyncio.Event = fired) -> None:
            if loop.time() < deadline:
                early.append(deadline - loop.time())
            fired.set()

        clock.call_at(deadline, check)
        await fired.wait()
    assert early == []


async def test_a_cancelled_real_timer_does_not_fire() -> None:
    """cancel() before the deadline stops the callback."""
    clock = RealClock()
    fired: list[int] = []
    handle = clock.call_at(asyncio.get_running_loop().time() + 0.01, lambda: fired.append(1))
    handle.cancel()
    await asyncio.sleep(0.03)
    assert fired == []


async def test_background_timers_never_make_the_virtual_clock_move_by_themselves() -> None:
    """Heartbeats recur for ever: jump and autojump go from work to work, firing them on the way."""
    clock = VirtualClock(start=0.0)
    fired: list[str] = []

    def beat() -> None:
        fired.append(f"beat@{clock.now():g}")
        clock.call_at(clock.now() + 1.0, beat, background=True)

    clock.call_at(1.0, beat, background=True)
    clock.call_at(2.5, lambda: fired.append("work@2.5"))
    assert clock.jump()
    assert fired == ["beat@1", "beat@2", "work@2.5"]
    assert not clock.jump()  # only the heartbeat is left
    assert clock.now() == 2.5
