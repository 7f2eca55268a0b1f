"""Every bench script runs against the server as it is, at a tiny size, and prints its figures.

The figures themselves are the machine's; what is held here is that each script
still drives the real server to the end and keeps its JSON contract: the same
figure keys, each figure with every field ``bench/run_all.py`` reads.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _figure_keys() -> tuple[str, ...]:
    """The fields every figure carries, as the runner checks them."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import run_all
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return tuple(run_all.FIGURE_KEYS)


FIGURE_FIELDS = _figure_keys()

# script -> (arguments for a run of a few seconds, the figure keys it prints)
TINY: dict[str, tuple[list[str], set[str]]] = {
    "bench_catchup.py": (
        ["--quick", "--events", "3000"],
        {
            "catchup.events_per_s",
            "catchup.events_per_s.vs_batched",
            "catchup.client_decode_raw_events_per_s",
            "catchup.client_decode_full_events_per_s",
        },
    ),
    "bench_budget.py": (
        [
            *("--sessions", "1", "--stalled", "6", "--held", "3", "--fillers", "2"),
            *("--duration", "2", "--settle", "0.2"),
        ],
        {"budget.growth_mib"},
    ),
    "bench_memory.py": (
        ["--quick", "--subscribers", "40", "--warm", "10", "--settle", "0.2"],
        {"memory.per_subscriber_kib"},
    ),
    "bench_fanout.py": (
        ["--quick", "--subscribers", "20", "--deliveries", "4000", "--seconds", "0.5"],
        {
            f"fanout.20.{name}"
            for name in (
                "events_per_s",
                "batched_events_per_s",
                "bare_batched_events_per_s",
                "p99_ms",
                "cpu_us_per_delivery",
            )
        },
    ),
    "chaos.py": (["--examples", "3"], {"chaos.schedules", "chaos.events_lost"}),
    "fuzz_wire.py": (
        ["--cases", "50"],
        {"fuzz_wire.cases", "fuzz_wire.cases_per_s", "fuzz_wire.server_growth_mib"},
    ),
    "fuzz_scenarios.py": (
        ["--cases", "20", "--cli-cases", "2"],
        {"fuzz_scenarios.toml.cases", "fuzz_scenarios.jsonl.cases", "fuzz_scenarios.cli.cases"},
    ),
    "soak.py": (
        ["--clients", "4", "--sessions", "2", "--minutes", "0.1", "--speed", "100"],
        {
            f"soak.{name}"
            for name in (
                "events_delivered",
                "resumes",
                "duplicates_dropped",
                "events_lost",
                "seqs_seen_twice",
                "rounds_with_wrong_views",
                "server_growth_mib",
            )
        },
    ),
}


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "bench" / script), *args]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"{script}: {done.stderr[-3000:]}\n{done.stdout[-2000:]}"
    return done


@pytest.mark.slow
@pytest.mark.parametrize("script", sorted(TINY))
def test_a_bench_script_prints_its_figures_at_a_tiny_size(script: str) -> None:
    """The script exits 0 and its last line is the contract's object, with the same keys."""
    args, keys = TINY[script]
    result = json.loads(_run(script, "--json", *args).stdout.splitlines()[-1])
    assert result["bench"] == Path(script).stem
    figures: list[dict[str, Any]] = result["figures"]
    assert {figure["key"] for figure in figures} == keys
    for figure in figures:
        assert set(FIGURE_FIELDS) <= set(figure), figure
        assert isinstance(figure["value"], int | float), figure
        assert math.isfinite(figure["value"]), figure


@pytest.mark.slow
@pytest.mark.nats
def test_the_scale_out_bench_measures_the_director_and_a_gateway_over_jetstream(
    nats_url: str,
) -> None:
    """A director publishing to JetStream and gateway processes serving raw clients, measured."""
    done = _run(
        "bench_scaleout.py",
        *("--nats", nats_url, "--sessions", "1", "--director-events", "200"),
        *("--gateways", "1", "--subscribers", "20", "--events", "100"),
        *("--rate", "100", "--seconds", "0.5", "--json"),
    )
    result = json.loads(done.stdout)
    (director,) = result["director"]
    assert director["events"] == 200
    assert director["events_per_s"] > 0
    assert set(result["bare_nats_py"]) == {"sequential_per_s", "pipelined_per_s"}
    burst, paced = result["gateways"]
    assert burst["rate"] is None
    assert paced["rate"] == 100
    for run in (burst, paced):
        assert run["deliveries"] == run["events"] * 20
        assert run["deliveries_per_s"] > 0
        assert run["gateway_rss_mb"] > 0
    assert {"p50_ms", "p99_ms", "max_ms"} <= set(paced)
