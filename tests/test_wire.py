"""The wire messages: one decoder for client frames, stable error codes, server frames."""

from __future__ import annotations

import typing

import msgspec
import pytest

from feed import codec, wire
from feed.events import Commentary, CommentaryData


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        (b"{", "bad_json", None),
        (b"\xff\xfe", "bad_json", None),
        (b"[]", "bad_message", "$"),
        (b"42", "bad_message", "$"),
        (b"{}", "bad_message", "$.op"),
        (b'{"op": 3}', "bad_message", "$.op"),
        (b'{"op": "fly"}', "unknown_op", "$.op"),
        (b'{"op": "subscribe", "from_seq": "7"}', "bad_message", "$.from_seq"),
        (b'{"op": "subscribe", "session": null}', "bad_message", "$.session"),
        (b'{"op": "subscribe", "sesion": "main"}', "bad_message", "$.sesion"),
        (b'{"op": "subscribe", "from_seq": 2, "from_race_ms": 0}', "bad_message", "$.from_race_ms"),
        (b'{"op": "subscribe", "live": true, "from_race_ms": 0}', "bad_message", "$.live"),
        (b'{"op": "create_session"}', "bad_message", "$.scenario"),
        (b'{"op": "create_session", "scenario": "x", "speed": 0}', "bad_message", "$.speed"),
        (b'{"op": "create_session", "scenario": "x", "speed": "fast"}', "bad_message", "$.speed"),
        (b'{"op": "control", "session": "s", "action": "rewind"}', "bad_message", "$.action"),
        (b'{"op": "control", "session": "s", "action": "speed"}', "bad_message", "$.speed"),
        (b'{"op": "control", "session": "s", "action": "seek"}', "bad_message", "$.seq"),
        (
            b'{"op": "control", "session": "s", "action": "seek", "seq": 1, "race_ms": 5}',
            "bad_message",
            "$.seq",
        ),
        (b'{"op": "ping", "id": [1]}', "bad_message", "$.id"),
    ],
)
def test_each_bad_client_frame_gets_its_code_and_the_field_path(
    raw: bytes, code: str, field: str | None
) -> None:
    """A bad frame is answered, never raised: the code is stable, the path names the field."""
    answer = wire.parse_client(raw)
    assert isinstance(answer, wire.ErrorMessage)
    assert (answer.code, answer.field) == (code, field)
    if field is not None:
        assert answer.message.startswith(field)
    assert answer.closes is False


def test_good_client_frames_decode_to_their_messages() -> None:
    """Defaults fill what a client leaves out."""
    assert wire.parse_client(b'{"op": "subscribe"}') == wire.Subscribe()
    assert wire.parse_client('{"op":"subscribe","session":"a","from_seq":5,"epoch":2}') == (
        wire.Subscribe(session="a", from_seq=5, epoch=2)
    )
    control = wire.parse_client(
        b'{"op":"control","session":"s","token":"t","action":"speed","speed":"instant"}'
    )
    assert control == wire.Control(session="s", token="t", action="speed", speed="instant")
    created = wire.parse_client(b'{"op":"create_session","scenario":"x","speed":2.5}')
    assert created == wire.CreateSession(scenario="x", speed=2.5)
    assert wire.parse_client(b'{"op":"ping","id":"abc"}') == wire.Ping(id="abc")


def test_every_error_code_has_one_rule_and_the_close_codes_are_websocket_codes() -> None:
    """The table of codes covers exactly the ErrorCode type; closing codes name a close code."""
    assert set(wire.ERRORS) == set(typing.get_args(wire.ErrorCode))
    for code, rule in wire.ERRORS.items():
        assert rule.closes == (rule.close_code is not None), code
        assert rule.close_code is None or 1000 <= rule.close_code < 5000
    closing = {code for code, rule in wire.ERRORS.items() if rule.closes}
    assert closing == {
        "frame_too_large",
        "too_slow",
        "too_many_connections",
        "too_many_subscriptions",
        "internal_error",
    }


def test_error_takes_closes_from_the_table() -> None:
    """An error message says whether the connection closes after it."""
    assert wire.error("too_slow", "x", resume_from_seq=4).closes is True
    assert wire.error("bad_json", "x").closes is False


def test_server_frames_decode_as_messages_events_or_batches() -> None:
    """One decoder reads any server frame: an op message, an envelope, or an array."""
    event = Commentary(
        seq=1, stream="s", race="r", race_ms=0, at="2025-01-01T00:00:00.000Z",
        data=CommentaryData(text="hello"),
    )  # fmt: skip
    one = codec.encode(event)
    assert wire.decode_server(one) == event
    assert wire.decode_server(wire.encode_batch([one, one])) == [event, event]
    pong = wire.encode(wire.Pong(id=3))
    assert wire.decode_server(pong) == wire.Pong(id=3)
    state = wire.ReplayStatus(
        session="s", epoch=1, state="paused", speed="instant", position_seq=0, race=None, race_ms=0
    )
    assert wire.decode_server(wire.encode(state)) == state
    with pytest.raises(msgspec.DecodeError):
        wire.decode_server(b'{"op": "nonsense"}')


def test_a_batch_is_a_json_array_of_envelopes() -> None:
    """encode_batch joins encoded envelopes without re-encoding them."""
    assert wire.encode_batch([b'{"a":1}', b'{"b":2}']) == b'[{"a":1},{"b":2}]'
    assert msgspec.json.decode(wire.encode_batch([b"{}"])) == [{}]


def test_every_message_has_a_distinct_op() -> None:
    """Client and server messages are told apart by op alone."""
    tags = [
        cls.__struct_config__.tag
        for cls in (*typing.get_args(wire.ClientMessage), *typing.get_args(wire.ServerMessage))
    ]
    assert len(tags) == len(set(tags))
