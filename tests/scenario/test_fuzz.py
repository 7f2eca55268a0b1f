"""Whatever text or bytes come in, parsing fails only with ScenarioInvalid."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feed.errors import ScenarioInvalid
from feed.scenario import RaceSpec, compile_race, decode_source, parse_scenario

MINI = (Path(__file__).parent / "fixtures" / "mini-final.toml").read_text()
_LINES = MINI.splitlines(keepends=True)


def _parse_or_invalid(text: str, path: str = "fuzz.toml") -> None:
    """Parse, and compile what parses: only ScenarioInvalid may come out, and it is located."""
    try:
        spec = parse_scenario(text, path)
    except ScenarioInvalid as exc:
        assert exc.errors
        for error in exc.errors:
            assert error.path == path
            assert error.line is None or 1 <= error.line <= max(1, len(text.splitlines()))
        return
    if isinstance(spec, RaceSpec):
        assert compile_race(spec)


@settings(
    max_examples=150, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.binary(max_size=400))
@example(b"")
@example(b"\x00\xff\xfe")
@example(b"[[[[[[[[[[[[[[[[")
@example(b"a = " + b"[" * 2000)
def test_random_bytes_never_raise_anything_but_scenario_invalid(raw: bytes) -> None:
    """Binary garbage is decoded or refused, and then parsed or refused, never crashing."""
    try:
        text = decode_source(raw, "fuzz.toml")
    except ScenarioInvalid:
        return
    _parse_or_invalid(text)


@settings(max_examples=150, deadline=None, print_blob=True)
@given(st.text(max_size=300))
def test_random_text_never_raises_anything_but_scenario_invalid(text: str) -> None:
    """Arbitrary text is parsed or refused."""
    _parse_or_invalid(text)


@settings(max_examples=150, deadline=None, print_blob=True)
@given(
    st.lists(st.integers(0, len(_LINES) - 1), max_size=6),
    st.lists(
        st.sampled_from(['"x"', "0", "-1", "true", "[]", "{}", '"-9:99"', "1e400"]), max_size=6
    ),
)
def test_damaged_scenarios_never_raise_anything_but_scenario_invalid(
    dropped: list[int], values: list[str]
) -> None:
    """A real scenario with lines dropped and values replaced stays a clean error or a spec."""
    lines = list(_LINES)
    for index in sorted(set(dropped), reverse=True):
        del lines[index]
    for number, value in enumerate(values):
        target = (number * 7) % len(lines)
        key, sep, _ = lines[target].partition(" = ")
        if sep:
            lines[target] = f"{key} = {value}\n"
    _parse_or_invalid("".join(lines), "mini-final.toml")
