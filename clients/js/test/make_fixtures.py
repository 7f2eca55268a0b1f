"""Write the fixtures of the fold tests: each scenario's events, and what the Python
reference projection shows at a spread of seqs (``feed.conform.contract.shown_of``).

    python clients/js/test/make_fixtures.py [DIR]     # racefeed installed; DIR: test/fixtures

The JS tests never import Python: they read these files (from ``RACEFEED_FIXTURES``
when set, else test/fixtures). They are made fresh, never kept, so they always hold
what the projection shows now; ``tests/conform/test_adapters.py`` makes them for CI.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import msgspec

from feed.conform.contract import shown_of
from feed.io import load_scenario
from feed.projections import project

HERE = Path(__file__).resolve().parent / "fixtures"
SCENARIOS = [
    "tokyo-2025-m1500-final",
    "tokyo-2025-championship",
    "edge-dead-heat-bronze",
    "edge-medallist-disqualified",
    "edge-amended-time",
    "edge-photo-reverses-order",
    "edge-dns-and-fall-dnf",
    "edge-separated-at-thousandths",
]
STATES = {"tokyo-2025-m1500-final": 215, "tokyo-2025-championship": 500}


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "scenarios.json").write_text(json.dumps(SCENARIOS) + "\n")
    for name in SCENARIOS:
        events = load_scenario(name).events
        lines = [msgspec.json.encode(event).decode() for event in events]
        (out / f"{name}.events.jsonl").write_text("\n".join(lines) + "\n")
        last = events[-1].seq
        step = max(1, last // 40)
        seqs = sorted({0, *range(1, last + 1, step), *range(max(1, last - 30), last + 1), last})
        expected = {}
        for seq in seqs:
            shown = shown_of(project(events, until_seq=seq), id=0, epoch=None)
            answer = msgspec.to_builtins(shown)
            del answer["id"], answer["epoch"]
            expected[str(seq)] = answer
        answers = json.dumps(expected, separators=(",", ":"))
        (out / f"{name}.expected.json").write_text(answers + "\n")
        if name in STATES:  # a snapshot's state, to fold on from (Fold.fromState)
            at = STATES[name]
            state = project(events, until_seq=at).state
            (out / f"{name}.state-{at}.json").write_text(msgspec.json.encode(state).decode() + "\n")
        print(f"{name}: {len(events)} events, {len(expected)} points")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
