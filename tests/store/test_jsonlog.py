"""The JSONL file log: its file format, its fsync policies and its recovery after a crash."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feed.errors import ScenarioError, ScenarioInvalid
from feed.store import Entry, SessionClosed
from feed.store.continuity import gaps
from feed.store.jsonl import JsonlLog
from tests.kit.records import event, opened


async def _reread(path: Path) -> list[Entry]:
    log = JsonlLog(path)
    try:
        return await log.read()
    finally:
        await log.close()


async def test_each_record_is_one_json_line_with_the_envelope_embedded(tmp_path: Path) -> None:
    """One line per record, tagged by kind; an event line embeds its envelope as JSON."""
    path = tmp_path / "log.jsonl"
    log = JsonlLog(path)
    log.append(opened())
    log.append(event(seq=1))
    await log.close()
    lines = path.read_bytes().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["kind"] == "opened" and first["session"] == "main"
    assert second["kind"] == "event" and second["envelope"]["seq"] == 1


async def test_a_record_is_in_the_file_as_soon_as_append_returns(tmp_path: Path) -> None:
    """Nothing waits in a buffer of the process: a SIGKILL right after append loses nothing."""
    path = tmp_path / "log.jsonl"
    log = JsonlLog(path, sync="never")
    log.append(opened())
    assert path.read_bytes().count(b"\n") == 1
    await log.close()


@pytest.mark.parametrize("sync", ["interval", "always", "never"])
async def test_every_fsync_policy_keeps_every_record(tmp_path: Path, sync: str) -> None:
    """The policies differ in when the disk is flushed, never in what is written."""
    path = tmp_path / "log.jsonl"
    log = JsonlLog(path, sync=sync, interval_s=0.01)  # type: ignore[arg-type]
    for seq in range(1, 51):
        log.append(event(seq=seq))
    await log.flush()
    await log.close()
    assert len(await _reread(path)) == 50


async def test_a_line_cut_short_by_a_crash_is_dropped_and_appending_goes_on(
    tmp_path: Path,
) -> None:
    """A torn last line (no newline) is cut off; the next record takes its place."""
    path = tmp_path / "log.jsonl"
    log = JsonlLog(path)
    log.append(opened())
    log.append(event(seq=1))
    await log.close()
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"kind":"event","session":"main","epo')
    again = JsonlLog(path)
    assert again.recovered == 2
    assert path.read_bytes() == whole
    again.append(event(seq=2))
    await again.close()
    entries = await _reread(path)
    assert [(e.position, e.record.id) for e in entries] == [
        (1, "main:opened"),
        (2, "main:1:1"),
        (3, "main:1:2"),
    ]


async def test_a_bad_line_in_the_middle_is_reported_with_its_line_number(tmp_path: Path) -> None:
    """Damage that is not a torn write is not silently skipped."""
    path = tmp_path / "log.jsonl"
    log = JsonlLog(path)
    log.append(opened())
    await log.close()
    path.write_bytes(path.read_bytes() + b'{"kind":"nonsense"}\n' + path.read_bytes())
    with pytest.raises(ScenarioError) as caught:
        JsonlLog(path)
    assert caught.value.line == 2
    assert str(path) in str(caught.value)


async def test_reopening_a_file_with_closed_sessions_compacts_it(tmp_path: Path) -> None:
    """A closed session's events leave the file when it is opened again; the rest stays."""
    path = tmp_path / "log.jsonl"
    log = JsonlLog(path)
    for session in ("gone", "kept"):
        log.append(opened(session))
        for seq in (1, 2):
            log.append(event(session, seq))
    log.append(SessionClosed(id="gone:closed", session="gone", reason="expired"))
    await log.close()
    assert len(path.read_text().splitlines()) == 7
    again = JsonlLog(path)
    kinds = [
        (json.loads(line)["session"], json.loads(line)["kind"])
        for line in path.read_text().splitlines()
    ]
    assert kinds == [
        ("gone", "opened"),
        ("kept", "opened"),
        ("kept", "event"),
        ("kept", "event"),
        ("gone", "closed"),
    ]
    assert again.recovered == 5
    await again.close()


async def _written(path: Path, count: int = 6) -> list[bytes]:
    log = JsonlLog(path)
    log.append(opened())
    for seq in range(1, count + 1):
        log.append(event(seq=seq))
    await log.close()
    return path.read_bytes().splitlines(keepends=True)


async def test_a_line_lost_from_the_middle_is_a_hole_the_log_refuses_naming_it(
    tmp_path: Path,
) -> None:
    """Never served short: the file is refused at the record after the hole."""
    path = tmp_path / "log.jsonl"
    lines = await _written(path)
    path.write_bytes(b"".join(lines[:3] + lines[4:]))  # seq 3 is gone
    with pytest.raises(ScenarioInvalid) as info:
        JsonlLog(path)
    (error,) = info.value.errors
    assert error.line == 4
    assert "seq 3 missing before this record of seq 4" in error.message


@pytest.mark.parametrize("damage", [b"garbage\n", b"\x00\x00\x00\n", b'{"kind": "event"\n'])
async def test_a_damaged_line_in_the_middle_is_refused_with_its_number(
    tmp_path: Path, damage: bytes
) -> None:
    path = tmp_path / "log.jsonl"
    lines = await _written(path)
    path.write_bytes(b"".join([*lines[:3], damage, *lines[3:]]))
    with pytest.raises(ScenarioError) as info:
        JsonlLog(path)
    assert info.value.line == 4


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_log_damaged_anywhere_opens_whole_or_says_where_it_is_not(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    """Bytes cut, dropped or overwritten at random offsets: a located error or a whole log."""
    path = tmp_path_factory.mktemp("damaged") / "log.jsonl"
    whole = b"".join(asyncio.run(_written(path, 30)))
    start = data.draw(st.integers(0, len(whole) - 1))
    stop = data.draw(st.integers(start, min(len(whole), start + 400)))
    damage = data.draw(st.sampled_from([b"", b"\x00" * 7, b"\n", b"}{", b"xx\n"]))
    path.write_bytes(whole[:start] + damage + whole[stop:])
    try:
        log = JsonlLog(path)
    except (ScenarioError, ScenarioInvalid) as exc:
        assert "log.jsonl" in str(exc)
        return
    records = [entry.record for entry in asyncio.run(log.read())]
    assert gaps(records) == []
    asyncio.run(log.close())
