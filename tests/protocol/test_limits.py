"""One limits structure: sane defaults, set by name, bad values refused saying what was expected."""

from __future__ import annotations

import dataclasses

import pytest

from feed.cli import main as cli_main
from feed.protocol import LIMITS, Limits, configure_limits


def test_every_limit_has_a_sane_default_and_a_description() -> None:
    """Defaults a workstation can hold, none of them unlimited; each named in LIMITS."""
    limits = Limits()
    assert limits.max_message_bytes == 64 * 1024
    assert (limits.rate_per_s, limits.rate_burst) == (100.0, 200)
    assert (limits.max_private_sessions, limits.private_idle_s) == (256, 900.0)
    assert (limits.backlog_frames, limits.backlog_bytes) == (4096, 8 * 2**20)
    assert (limits.max_connections, limits.max_connections_per_address) == (1024, 256)
    assert limits.max_subscribes_per_connection == 1000
    assert (limits.control_per_s, limits.control_burst) == (10.0, 20)
    assert limits.fault_states == 1024
    assert list(LIMITS) == [field.name for field in dataclasses.fields(Limits)]
    assert all(value > 0 for value in dataclasses.astuple(limits))


def test_limits_are_set_by_name_and_a_bad_one_is_refused_saying_what_was_expected() -> None:
    """``--limit NAME=VALUE``: every name reaches its place; typos and zeros are refused."""
    limits = configure_limits(
        Limits(),
        ["max_connections=5", "backlog_bytes=1024", "rate_per_s=2.5", "private_idle_s=0.5"],
    )
    assert limits.max_connections == 5
    assert limits.backlog_bytes == 1024
    assert limits.rate_per_s == 2.5
    assert limits.private_idle_s == 0.5
    for bad, says in [
        ("max_conections=5", "NAME one of"),
        ("max_connections", "NAME=VALUE"),
        ("max_connections=0", "above 0"),
        ("max_connections=1.5", "a whole number"),
        ("control_per_s=-1", "above 0"),
        ("heartbeat_s=inf", "above 0"),
    ]:
        with pytest.raises(ValueError, match=says):
            configure_limits(Limits(), [bad])


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["director", "--nats", "nats://x"]])
def test_every_role_refuses_a_bad_limit_before_it_starts(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`racefeed serve --limit` and `racefeed director --limit` go through the same check."""
    assert cli_main([*command, "--limit", "max_conections=5"]) == 2
    assert "--limit 'max_conections=5'" in capsys.readouterr().err
    assert cli_main([*command, "--limit", "fault_states=0"]) == 2
    assert "expected a value above 0" in capsys.readouterr().err
