"""What is particular to the JetStream log: its subjects, its payloads and its connection."""

from __future__ import annotations

import pytest

from feed.store.jetstream import JetStreamLog
from feed.store.nats_client import connect_nats
from tests.kit.nats import free_port
from tests.kit.records import event, opened

pytestmark = pytest.mark.nats


async def test_an_event_is_stored_as_its_envelope_under_the_sessions_subject(
    nats_url: str, stream_names: tuple[str, str]
) -> None:
    """Subject PREFIX.log.SESSION.event, the envelope byte for byte, epoch and seq in headers."""
    stream, prefix = stream_names
    log = await JetStreamLog.open(nats_url, wait_s=5, stream=stream, prefix=prefix)
    try:
        log.append(opened())
        record = event(seq=1, epoch=3)
        log.append(record)
        await log.flush()
        msg = await log.js.get_last_msg(stream, f"{prefix}.log.main.event")
    finally:
        await log.close()
    assert msg.data == bytes(record.envelope)
    assert msg.headers is not None
    assert msg.headers["Nats-Msg-Id"] == "main:3:1"
    assert (msg.headers["Racefeed-Epoch"], msg.headers["Racefeed-Seq"]) == ("3", "1")


async def test_a_stream_with_other_subjects_is_not_taken_over(
    nats_url: str, stream_names: tuple[str, str]
) -> None:
    """An existing stream of that name for other subjects is an error that says what to do."""
    stream, prefix = stream_names
    log = await JetStreamLog.open(nats_url, wait_s=5, stream=stream, prefix=prefix)
    await log.close()
    with pytest.raises(ValueError, match="--subject-prefix"):
        await JetStreamLog.open(nats_url, wait_s=5, stream=stream, prefix=prefix + "x")


async def test_several_servers_separated_by_commas_connect_to_one_that_answers(
    nats_url: str,
) -> None:
    """A cluster's URLs, one of them down: the connection is made to the other."""
    nc = await connect_nats(f"nats://127.0.0.1:{free_port()},{nats_url}", name="test", wait_s=5)
    try:
        assert nc.is_connected
    finally:
        await nc.close()
