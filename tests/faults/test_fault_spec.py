"""Fault specs: the field rules, the profiles and the compact spec string."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from hypothesis import given

from feed.faults import PROFILES, FaultSpec, FaultSpecError, format_spec, parse_spec
from feed.faults.spec import MAX_MS
from tests.faults.fault_logs import specs

DOCS = Path(__file__).parents[2] / "docs" / "faults.md"


def test_the_default_spec_injects_nothing() -> None:
    """``FaultSpec()`` is the clean feed, and the profile ``none`` is that spec."""
    assert FaultSpec().is_clean()
    assert PROFILES["none"].spec == FaultSpec()
    assert format_spec(FaultSpec()) == "none"
    assert not PROFILES["lossy"].spec.is_clean()


@given(specs())
def test_a_spec_string_written_by_format_spec_reads_back_the_same(spec: FaultSpec) -> None:
    """``parse_spec(format_spec(spec)) == spec`` for any valid spec."""
    text = format_spec(spec)
    assert parse_spec(text) == spec, text


@pytest.mark.parametrize("name", list(PROFILES))
def test_every_profile_parses_by_its_name_and_by_its_fields(name: str) -> None:
    """A profile name and its canonical key=value string give the same spec."""
    spec = PROFILES[name].spec
    assert parse_spec(name) == spec
    assert parse_spec(f" {name} ") == spec
    assert parse_spec(format_spec(spec)) == spec


def test_overrides_change_only_the_keys_they_name() -> None:
    """``lossy,drop_p=0.05`` is lossy with a different drop chance; no profile means none."""
    lossy = PROFILES["lossy"].spec
    assert parse_spec("lossy,drop_p=0.05") == msgspec.structs.replace(lossy, drop_p=0.05)
    assert parse_spec("drop_p=0.1, duplicate_p=0.1") == FaultSpec(drop_p=0.1, duplicate_p=0.1)
    assert parse_spec("disconnect_at_seq=57+120,stall_at_seq=3,stall_ms=500") == FaultSpec(
        disconnect_at_seq=[57, 120], stall_at_seq=[3], stall_ms=500
    )
    chaos = PROFILES["chaos"].spec
    assert parse_spec("chaos,late_correction_ms=0").late_correction_ms == 0
    assert parse_spec("chaos,stall_p=0").stall_ms == chaos.stall_ms


@pytest.mark.parametrize(
    ("text", "column", "key", "expected"),
    [
        ("lossy,drop_q=0.1", 7, None, "unknown key 'drop_q'; expected one of disconnect_at_seq"),
        ("lossy,drop_q=0.1", 7, None, "did you mean 'drop_p'?"),
        ("drop_p=2", 8, "drop_p", "expected a probability from 0 to 1, got '2'"),
        ("drop_p=nan", 8, "drop_p", "expected a probability from 0 to 1, got 'nan'"),
        ("drop_p=lots", 8, "drop_p", "expected a probability from 0 to 1 (0.05), got 'lots'"),
        ("delay_ms=1.5", 10, "delay_ms", "expected whole milliseconds (150), got '1.5'"),
        ("delay_ms=-1", 10, "delay_ms", f"expected whole milliseconds from 0 to {MAX_MS}"),
        ("reorder_p=0.1,reorder_window=0", 30, "reorder_window", "a window of 1 or more events"),
        ("disconnect_at_seq=5+x", 19, "disconnect_at_seq", "seqs joined by '+' (57+120)"),
        ("stall_at_seq=4+0,stall_ms=9", 14, "stall_at_seq", "[1]: expected a seq of 1 or more"),
        ("lossy, stall_p=0.1", 8, "stall_ms", "expected 1 or more ms when stall_at_seq or"),
        ("stall_ms=0,stall_at_seq=4", 1, "stall_ms", "expected 1 or more ms"),
        ("lossy,chaos", 7, None, "profile 'chaos' must come first"),
        ("lossyy", 1, None, "unknown profile 'lossyy'; expected one of none, flaky-mobile"),
        ("lossy,drop_p", 7, None, "expected key=value, got 'drop_p'"),
        ("lossy,", 7, None, "empty item; expected a profile name or key=value"),
        ("", 1, None, "empty; expected a profile"),
        ("drop_p=0.1,drop_p=0.2", 12, "drop_p", "given twice (first at column 1)"),
        ("drop_type=photo_finish", 11, "drop_type", "did you mean 'photo_finish_resolved'?"),
        ("disconnect_at_type=split_recorded+x", 20, "disconnect_at_type", "[1]: expected an event"),
        ("drop_at_seq=0", 13, "drop_at_seq", "[0]: expected a seq of 1 or more"),
    ],
)
def test_a_bad_spec_string_says_where_which_key_and_what_was_expected(
    text: str, column: int, key: str | None, expected: str
) -> None:
    """Every parse error carries the column, the key and what would have been right."""
    with pytest.raises(FaultSpecError) as caught:
        parse_spec(text)
    error = caught.value
    assert (error.column, error.key, error.text) == (column, key, text)
    assert expected in error.message
    assert str(error).startswith(f"fault spec {text!r} column {column}: ")


def test_a_list_index_is_written_into_the_key_path() -> None:
    """A bad seq in a list reads ``stall_at_seq[1]: ...``."""
    with pytest.raises(FaultSpecError, match=r"stall_at_seq\[1\]: expected a seq of 1 or more"):
        parse_spec("stall_at_seq=4+0,stall_ms=9")


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"drop_p": -0.1}, "drop_p"),
        ({"duplicate_p": 1.5}, "duplicate_p"),
        ({"disconnect_p": True}, "disconnect_p"),
        ({"reorder_window": 0}, "reorder_window"),
        ({"jitter_ms": MAX_MS + 1}, "jitter_ms"),
        ({"epoch_bump_at_seq": [0]}, "epoch_bump_at_seq"),
        ({"drop_type": ["finish"]}, "drop_type"),
        ({"disconnect_at_type": [["nested"]]}, "disconnect_at_type"),
        ({"stall_p": 0.1}, "stall_ms"),
    ],
)
def test_a_spec_built_in_code_is_checked_too(fields: dict[str, object], key: str) -> None:
    """Constructing a ``FaultSpec`` directly runs the same rules."""
    with pytest.raises(FaultSpecError) as caught:
        FaultSpec(**fields)  # type: ignore[arg-type]
    assert caught.value.key == key


def test_a_spec_decoded_from_json_is_checked_and_refuses_unknown_fields() -> None:
    """msgspec reports a broken rule or an unknown field as a ValidationError."""
    assert msgspec.json.decode(b'{"drop_p": 0.5}', type=FaultSpec) == FaultSpec(drop_p=0.5)
    with pytest.raises(msgspec.ValidationError, match="drop_p: expected a probability"):
        msgspec.json.decode(b'{"drop_p": 5}', type=FaultSpec)
    with pytest.raises(msgspec.ValidationError, match="unknown field `drop`"):
        msgspec.json.decode(b'{"drop": 0.5}', type=FaultSpec)


def test_the_docs_list_every_profile_with_its_spec() -> None:
    """docs/faults.md has each profile's name and canonical spec string, as the table holds."""
    text = DOCS.read_text()
    for name, profile in PROFILES.items():
        assert f"`{name}`" in text, name
        assert f"`{format_spec(profile.spec)}`" in text, name
