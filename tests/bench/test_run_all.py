"""The benchmark runner: one command runs the benches and writes the page and the chart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_a_quick_run_writes_a_row_per_figure_and_a_png_chart(tmp_path: Path) -> None:
    """Every figure the fast benches print becomes one table row, and the chart is a PNG."""
    command = [
        sys.executable,
        str(ROOT / "bench/run_all.py"),
        "--quick",
        "--json",
        "--output",
        str(tmp_path),
        "--only",
        "rebuild",
        "--only",
        "replay_timing",
    ]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    runs = {run["name"]: run for run in result["runs"]}
    assert set(runs) == {"rebuild", "replay_timing"}
    keys = [figure["key"] for run in runs.values() for figure in run["figures"]]
    assert "rebuild.decode_fold.events_per_s" in keys
    assert {"replay.1x.p99_late_ms", "replay.100x.p99_late_ms"} <= set(keys)

    page = (tmp_path / "benchmarks.md").read_text()
    rows = [line for line in page.splitlines() if line.startswith("| ")]
    for key in keys:
        assert sum(f"(`{key}`)" in row for row in rows) == 1, key
    assert "![" in page
    assert "benchmarks.png" in page
    assert "## What holds the misses back" in page
    assert (tmp_path / "benchmarks.png").read_bytes()[:8] == PNG_SIGNATURE

    # The page can be written again from the JSON alone, e.g. after the notes change.
    saved = tmp_path / "run.json"
    saved.write_text(done.stdout)
    again = tmp_path / "again"
    render = [sys.executable, str(ROOT / "bench/run_all.py"), "--render", str(saved)]
    rendered = subprocess.run(
        [*render, "--output", str(again)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert rendered.returncode == 0, rendered.stderr
    lines_again = (again / "benchmarks.md").read_text().splitlines()
    assert [line for line in lines_again if line.startswith("| ")] == rows


def test_a_missing_bench_is_reported_as_failed_with_a_non_zero_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bench script that is not there is a failed row on the page, never dropped."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import run_all
    finally:
        sys.path.remove(str(ROOT / "bench"))
    monkeypatch.setattr(run_all, "BENCHES", {"ghost": "bench_ghost_does_not_exist.py"})
    assert run_all.main(["--output", str(tmp_path), "--notes", str(tmp_path / "none.md")]) == 1
    page = (tmp_path / "benchmarks.md").read_text()
    assert "| `ghost` (`bench/bench_ghost_does_not_exist.py`) | **failed**" in page
    assert not (tmp_path / "benchmarks.png").exists()
