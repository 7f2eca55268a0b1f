"""The suite itself: stable ids, every case checks something, targeted faults hit their spot."""

from __future__ import annotations

import pytest

from feed.conform.cases import GROUPS, SUITE, select
from feed.conform.steps import Check, StartClient
from feed.faults.profiles import parse_spec
from feed.faults.schedule import plan
from feed.io import load_scenario


def test_case_ids_are_unique_and_numbered_within_their_group() -> None:
    """``G.N``: the group is the case's own, and no id is used twice."""
    ids = [case.id for case in SUITE]
    assert len(ids) == len(set(ids))
    for case in SUITE:
        assert case.group in GROUPS
        assert case.id.split(".")[0] == case.group


def test_every_case_starts_its_client_and_checks_after_it() -> None:
    """A case without a check could not fail."""
    for case in SUITE:
        kinds = [type(step) for step in case.steps]
        assert StartClient in kinds and Check in kinds, case.id
        assert kinds.index(StartClient) < kinds.index(Check), case.id
        assert case.checks and case.why, case.id


def test_every_fault_spec_of_the_suite_is_valid_and_plans_something() -> None:
    """A case that names faults gets at least one action over its scenario."""
    for case in SUITE:
        if case.faults is None:
            continue
        events = load_scenario(case.scenario).events
        assert plan(parse_spec(case.faults), case.fault_seed, events).actions, case.id


@pytest.mark.parametrize(
    ("case_id", "kind", "event_type"),
    [
        ("6.1", "drop", "athlete_finished"),
        ("6.3", "reorder", "photo_finish_resolved"),
        ("6.4", "drop", "photo_finish_resolved"),
        ("5.3", "disconnect", "athlete_finished"),
    ],
)
def test_targeted_faults_hit_the_event_their_case_is_about(
    case_id: str, kind: str, event_type: str
) -> None:
    """The seqs written in a case are the events its text talks about."""
    (case,) = select(ids=[case_id])
    assert case.faults is not None
    events = load_scenario(case.scenario).events
    by_seq = {event.seq: event for event in events}
    hit = {
        by_seq[a.seq].type
        for a in plan(parse_spec(case.faults), case.fault_seed, events).actions
        if a.kind == kind
    }
    assert event_type in hit


def test_select_by_id_and_group_and_refuse_unknown_ones() -> None:
    """Groups by number or name; an unknown id or group lists what there is."""
    assert [c.id for c in select(ids=["5.1"])] == ["5.1"]
    assert {c.group for c in select(groups=["clock"])} == {"3"}
    assert len(select()) == len(SUITE)
    with pytest.raises(ValueError, match=r"no case '9\.9'"):
        select(ids=["9.9"])
    with pytest.raises(ValueError, match=r"no group 'x' \(groups: 1 \(basic replay\)"):
        select(groups=["x"])
