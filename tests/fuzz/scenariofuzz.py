"""Fuzzing scenario files: damaged TOML scenarios and JSONL logs, and what loading them must give.

Mutations start from the real files (every scenario of the catalog, and the Tokyo
final's compiled log), so that they reach past the first syntax check: lines
dropped, doubled, swapped or cut short, values replaced, bytes flipped, and (for
logs) events whose fields come from other events. ``judge`` loads the result the
way the server and the command line do and allows only a clean load or a located
error. ``bench/fuzz_scenarios.py`` drives the same strategies for longer.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from feed.cli import main as cli_main
from feed.codec import encode_events
from feed.errors import RacefeedError, ScenarioError, ScenarioInvalid
from feed.io import load_scenario
from feed.io.loading import load_path
from feed.projections import project

ROOT: Final = Path(__file__).resolve().parents[2]
TOML_SOURCES: Final = {p.name: p.read_text() for p in sorted((ROOT / "scenarios").glob("*.toml"))}
LOG_LINES: Final = encode_events(load_scenario("tokyo-2025-m1500-final").events).splitlines()
_VALUES: Final = [
    '"x"', "0", "-1", "1e400", "true", "[]", "{}", '"3:29.99"', '"-0:01"', '"nader-isaac"',
    '"GBR"', "99999999999999999999", '""', "[[[", '"\\u0000"', "nan", "inf",
]  # fmt: skip


class Damaged(bytes):
    """A damaged file's bytes, shown short: hypothesis prints examples, and these are long."""

    def __repr__(self) -> str:
        digest = hashlib.sha256(self).hexdigest()[:12]
        return f"<{len(self)} bytes, sha256 {digest}...: reproduce with the blob below>"


def damage_text(draw: st.DrawFn, text: str, replace: Callable[[st.DrawFn, str], str]) -> Damaged:
    """``text`` with a few lines dropped, doubled, swapped, cut short, added or changed.

    ``replace`` changes one line the way its format breaks (a TOML value, a table cell);
    one file in ten also gets a few bytes flipped. The scenario and the importer fuzzing
    damage their files this way.
    """
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        match draw(st.integers(0, 6)):
            case 0:
                del lines[index]
            case 1:
                lines.insert(index, lines[index])
            case 2:
                other = draw(st.integers(0, len(lines) - 1))
                lines[index], lines[other] = lines[other], lines[index]
            case 3:
                lines[index] = replace(draw, lines[index])
            case 4:
                lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
            case 5:
                lines.insert(index, draw(st.text(max_size=30)) + "\n")
            case _:
                lines = lines[:index]
    raw = "".join(lines).encode()
    if draw(st.integers(0, 9)) == 0 and raw:
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=3)) + raw[at + 1 :]
    return Damaged(raw)


def fuzz_settings(examples: int) -> settings:
    """Settings for a batch of damaged files per example: no deadline, the blob printed."""
    return settings(
        max_examples=examples,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _toml_value(draw: st.DrawFn, line: str) -> str:
    key, sep, _ = line.partition("=")
    return f"{key}= {draw(st.sampled_from(_VALUES))}\n" if sep else line


@st.composite
def toml_files(draw: st.DrawFn) -> tuple[str, Damaged]:
    """A catalog scenario with a few lines damaged: (its name, its bytes)."""
    name = draw(st.sampled_from(sorted(TOML_SOURCES)))
    return name, damage_text(draw, TOML_SOURCES[name], _toml_value)


@st.composite
def jsonl_files(draw: st.DrawFn) -> Damaged:
    """The Tokyo final's log with lines damaged, or events given other events' fields."""
    lines = list(LOG_LINES)
    for _ in range(draw(st.integers(1, 5))):
        if not lines:
            break
        index = draw(st.integers(0, len(lines) - 1))
        match draw(st.integers(0, 7)):
            case 0:
                del lines[index]
            case 1:
                lines.insert(index, lines[index])
            case 2:
                lines[index] = lines[index][: draw(st.integers(0, len(lines[index])))]
            case 3:
                lines[index] = draw(st.binary(max_size=40))
            case 4 | 5 | 6 as kind:
                event = _object(lines[index])
                donor = _object(lines[draw(st.integers(0, len(lines) - 1))])
                if event is None or donor is None:
                    continue  # damaged already
                field = {4: "data", 5: "type", 6: draw(st.sampled_from(["race", "race_ms", "at"]))}[
                    kind
                ]
                event[field] = donor[field]
                if draw(st.booleans()):
                    event[draw(st.sampled_from(sorted(event)))] = draw(
                        st.sampled_from([None, -1, "x", [], {}, 10**20])
                    )
                lines[index] = json.dumps(event).encode()
            case _:
                lines = lines[:index]
    if draw(st.booleans()):  # renumber, so that the damage is more than a seq gap
        renumbered = []
        for seq, line in enumerate(lines, start=1):
            found = _object(line)
            if found is not None:
                found["seq"] = seq
            renumbered.append(line if found is None else json.dumps(found).encode())
        lines = renumbered
    return Damaged(b"\n".join(lines) + b"\n")


def _object(line: bytes) -> dict[str, Any] | None:
    """A line's JSON object, or None when the line is damaged past that."""
    try:
        value = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def judge(path: Path) -> str:
    """Load ``path`` and project it; anything but a clean result or a located error fails.

    Returns:
        ``"loaded"`` or ``"invalid"`` (for the tally).

    Raises:
        AssertionError: an error that does not say where, or anything that is not one.
    """
    name = str(path)
    try:
        loaded = load_path(name)
    except ScenarioInvalid as exc:
        assert exc.errors, "ScenarioInvalid without errors"
        raw = path.read_bytes()
        # An error "at the end of the file" counts lines with str.splitlines, which also
        # breaks at \x0b, \x0c, \x1c-\x1e, \x85 and \u2028/9: allow for that count too.
        text = raw.decode(errors="replace")
        lines = max(1, raw.count(b"\n") + 1, len(text.splitlines()))
        for error in exc.errors:
            # A championship's errors may be in the race files it names, next to it.
            assert error.path == name or Path(error.path).parent == path.parent, error
            assert error.message, error
            assert error.line is None or error.path != name or 1 <= error.line <= lines, error
            assert error.line is not None or error.field is not None or _whole_file(error), (
                f"an error with no line or field: {error.format()}"
            )
        return "invalid"
    try:
        project(loaded.events)
    except ScenarioError as exc:
        # A log of well-formed but inconsistent events: the fold says which seq and field.
        assert exc.field is not None and "seq " in exc.message, exc.format()
        return "inconsistent"
    return "loaded"


def _whole_file(error: ScenarioError) -> bool:
    """Problems of the file as a whole, which have no line to point at."""
    return any(
        phrase in error.message
        for phrase in ("expected at least one event", "UTF-8", "empty", "no such file")
    )


def run_cli(*argv: str) -> tuple[int, str]:
    """Run ``racefeed ARGV`` in-process: its exit code and what it wrote (stdout, stderr)."""
    err = io.StringIO()
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = cli_main(list(argv))
        except RacefeedError as exc:  # escaping the command's own handling is a failure too
            raise AssertionError(f"racefeed {' '.join(argv)} raised {exc!r}") from exc
    return code, out.getvalue() + err.getvalue()
