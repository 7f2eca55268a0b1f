"""Server-wide memory bounds: whatever the number of holders, the total stays under the limit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from feed.protocol import Limits
from feed.protocol.budget import Budget
from feed.protocol.views import FrameCache
from tests.kit.protocol import Wire, session
from tests.kit.races import talk


def test_past_the_bound_the_largest_holder_is_cut_first() -> None:
    cut: list[str] = []
    budget = Budget(100)
    budget.hold("small", 30, lambda: cut.append("small"))
    budget.hold("large", 60, lambda: cut.append("large"))
    assert cut == [] and budget.used == 90
    budget.hold("small", 45, lambda: cut.append("small"))  # 105: over
    assert cut == ["large"] and budget.used == 45
    budget.release("small")
    assert budget.used == 0 and len(budget) == 0


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 300)), max_size=200))
def test_whatever_holders_say_the_total_never_stays_over_the_bound(
    changes: list[tuple[int, int]],
) -> None:
    budget = Budget(1000)
    for holder, size in changes:
        budget.hold(holder, size, lambda: None)
        assert budget.used <= 1000
        assert budget.used == sum(budget._held.values())


@given(st.lists(st.tuples(st.integers(0, 50), st.binary(max_size=400)), max_size=300))
def test_the_frame_cache_never_holds_more_bytes_than_its_bound(
    puts: list[tuple[int, bytes]],
) -> None:
    cache = FrameCache(2048)
    for key, frame in puts:
        cache.put(("s", key), frame)
        assert cache.size <= 2048


def test_faults_holding_frames_in_two_sessions_share_one_bound() -> None:
    """A delayed subscriber in each of two sessions: past the shared bound, the larger goes."""
    limits = Limits(fault_held_bytes=20_000)
    log = talk(100, text_bytes=150)
    shared = Budget(limits.fault_held_bytes)  # one server: one budget (the gateway's)
    first = session(log, limits, fault_budget=shared)
    second = session(log, limits, fault_budget=shared)
    a, b = Wire(first), Wire(second)
    slow = a.subscribe("slow", faults="delay_ms=60000")
    slower = b.subscribe("slower", faults="delay_ms=60000")
    a.publish(log[:60])
    b.publish(log[:90])
    assert slower.last("error")["code"] == "too_slow"
    assert "error" not in slow.ops()
    assert shared.used <= 20_000
