"""Events travel as JSON envelopes; logs are JSONL with a gapless seq."""

from __future__ import annotations

import jsonschema
import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feed import codec, events
from feed.errors import ScenarioInvalid, SequenceError
from feed.events import (
    EVENT_TYPES,
    AthleteFinished,
    AthleteFinishedData,
    Event,
    SplitRecorded,
    SplitRecordedData,
)


def _all_fields(cls: type[msgspec.Struct]) -> st.SearchStrategy[msgspec.Struct]:
    """Build a Struct with every field drawn (hypothesis would pass msgspec's factories as-is)."""
    fields = msgspec.structs.fields(cls)
    return st.builds(cls, **{f.name: st.from_type(f.type) for f in fields})


for _cls in vars(events).values():
    if (
        isinstance(_cls, type)
        and issubclass(_cls, msgspec.Struct)
        and _cls.__module__ == events.__name__
    ):
        st.register_type_strategy(_cls, st.deferred(lambda c=_cls: _all_fields(c)))


def split(seq: int, ms: int = 1000) -> SplitRecorded:
    return SplitRecorded(
        seq=seq, stream="s", race="r", race_ms=ms, at="2025-09-17T13:20:41.000Z",
        data=SplitRecordedData(athlete_id="a", distance_m=100, elapsed_ms=ms),
    )  # fmt: skip


def test_an_event_is_the_protocol_envelope_with_its_type_first() -> None:
    """The JSON has type, seq, stream, race, race_ms, at and data, as the wire contract says."""
    raw = codec.encode(split(7))
    assert raw.startswith(b'{"type":"split_recorded","seq":7,')
    assert set(msgspec.json.decode(raw)) == {
        "type",
        "seq",
        "stream",
        "race",
        "race_ms",
        "at",
        "data",
    }


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
@settings(max_examples=25)
@given(data=st.data())
def test_every_event_type_round_trips_through_json(event_type: str, data: st.DataObject) -> None:
    """Encoding then decoding gives back an equal event, for each type in the vocabulary."""
    event = data.draw(st.from_type(EVENT_TYPES[event_type]))
    raw = codec.encode(event)
    assert msgspec.json.decode(raw)["type"] == event_type
    assert codec.decode(raw) == event


def test_unknown_fields_in_data_are_ignored_so_newer_producers_stay_readable() -> None:
    """A field added by a newer version does not break an older reader."""
    raw = codec.encode(split(1)).replace(b'"distance_m"', b'"lane":3,"distance_m"')
    assert codec.decode(raw) == split(1)


@pytest.mark.parametrize(
    ("seqs", "kind", "line"),
    [([1, 2, 4], "gap", 3), ([1, 2, 1], "rewind", 3), ([1, 2, 2], "duplicate", 3)],
)
def test_a_log_with_a_broken_seq_is_reported_at_its_line(
    seqs: list[int], kind: str, line: int
) -> None:
    """Gaps, rewinds and duplicates in a JSONL log name the line and the seq expected."""
    raw = b"".join(codec.encode(split(seq)) + b"\n" for seq in seqs)
    with pytest.raises(ScenarioInvalid) as info:
        codec.decode_events(raw, "race.jsonl")
    [error] = info.value.errors
    assert error.line == line
    assert f"seq {kind}: expected seq 3" in error.format()
    assert error.format().startswith(f"race.jsonl:{line}: seq:")


def test_every_bad_line_of_a_log_is_reported_not_only_the_first() -> None:
    """Malformed JSON and invalid envelopes are each reported by line."""
    raw = b"{not json\n" + codec.encode(split(1)) + b'\n{"type":"nope"}\n'
    with pytest.raises(ScenarioInvalid) as info:
        codec.decode_events(raw, "x.jsonl")
    assert [e.line for e in info.value.errors] == [1, 3]
    assert "not valid JSON" in info.value.errors[0].message


def test_an_empty_log_is_an_error() -> None:
    """A log must hold at least one event."""
    with pytest.raises(ScenarioInvalid, match="at least one event"):
        codec.decode_events(b"\n\n", "empty.jsonl")


def test_check_sequence_names_expected_and_got() -> None:
    """The ordering check says which seq it expected and which came."""
    with pytest.raises(SequenceError) as info:
        codec.check_sequence([split(1), split(3)])
    assert (info.value.expected, info.value.got, info.value.kind) == (2, 3, "gap")


def test_the_generated_schema_validates_real_envelopes() -> None:
    """The JSON Schema from the types accepts what the encoder writes and rejects junk."""
    schema = codec.event_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(msgspec.json.decode(codec.encode(split(1))))
    assert not validator.is_valid({"type": "split_recorded", "seq": "one"})


@given(st.lists(st.integers(min_value=0, max_value=600_000), min_size=1, max_size=50))
def test_a_log_round_trips(times: list[int]) -> None:
    """encode_events then decode_events gives the same events (seq from 1)."""
    events: list[Event] = [
        AthleteFinished(
            seq=i, stream="s", race="r", race_ms=t, at=f"2025-09-17T13:20:40.{i:03d}Z",
            data=AthleteFinishedData(athlete_id=f"a{i}", elapsed_ms=t),
        )
        for i, t in enumerate(times, start=1)
    ]  # fmt: skip
    assert codec.decode_events(codec.encode_events(events)) == events


def test_an_event_file_whose_times_go_back_or_are_no_times_is_refused_at_its_line() -> None:
    """Replay reads ``at``: an event file must give times with an offset, never going back."""
    back = msgspec.structs.replace(split(2), at="2025-09-17T13:20:40.000Z")
    bare = msgspec.structs.replace(split(3), at="yesterday")
    with pytest.raises(ScenarioInvalid) as info:
        codec.decode_events(codec.encode_events([split(1), back, bare]), "x.jsonl")
    assert [(e.line, e.field) for e in info.value.errors] == [(2, "at"), (3, "at")]
    assert "before the previous event's 2025-09-17T13:20:41.000Z" in info.value.errors[0].message
