"""Run every benchmark and write docs/benchmarks.md and docs/benchmarks.png from their figures.

Each bench script runs in turn as a subprocess with ``--json`` (and ``--quick`` when
asked); the last line of its stdout is one JSON object:

    {"bench": "<script stem>", "params": {...}, "figures": [
       {"key": "fanout.1000.events_per_s",          # stable dotted id
        "label": "fan-out at 1,000 subscribers, delivered events/s",
        "value": 123456.0, "unit": "events/s",
        "baseline_label": "bare websockets.broadcast", "baseline": 200000.0,
        "ratio": 0.62,                               # value / baseline (null if no baseline)
        "target": "ratio >= 0.9",                    # human text, or null
        "met": false}                                # bool or null if no target
     ], "extra": {...}}

The page gets the machine (CPU, RAM, kernel, load at the start), the versions, the
exact commands, one table of every figure, the analysis of the misses from
docs/bench-notes.md (kept by people, included verbatim, so a regeneration keeps
it), links to the detail pages and a chart of every ratio with its target. A bench
that fails, times out, prints no valid figures or is missing is reported as failed
with its exit code, and this command then exits 1.

    .venv/bin/python bench/run_all.py                          # everything, ~15 minutes
    .venv/bin/python bench/run_all.py --quick --output /tmp/b  # small sizes, a smoke run
    .venv/bin/python bench/run_all.py --only rebuild --only replay_timing
    .venv/bin/python bench/run_all.py --json > run.json   # then, after editing the notes:
    .venv/bin/python bench/run_all.py --render run.json   # the page again, nothing re-run

With ``--json`` the last line on stdout is one JSON object: ``{"machine": {...},
"versions": {...}, "date", "quick", "runs": [{"name", "command", "status",
"exit_code", "problem", "seconds", "figures": [...], "params": {...}}]}``.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DOCS = ROOT / "docs"

# name -> script, in the order they run (the cheap ones first).
BENCHES: dict[str, str] = {
    "rebuild": "bench_rebuild.py",
    "replay_timing": "bench_replay_timing.py",
    "catchup": "bench_catchup.py",
    "memory": "bench_memory.py",
    "budget": "bench_budget.py",
    "fanout": "bench_fanout.py",
}
# Run only when named with --only: it needs a NATS JetStream server.
OPTIONAL: dict[str, str] = {"scaleout": "bench_scaleout.py"}

DETAIL_PAGES: tuple[tuple[str, str], ...] = (
    ("bench-rebuild.md", "decode, fold and decode + fold of a 1,000,000-event JSONL log"),
    (
        "bench-server.md",
        "replay timing at 1x and 100x; fan-out throughput, CPU and latency by subscriber"
        " count against the bare broadcast loop and a naive server",
    ),
    ("bench-catchup-memory.md", "catch-up of late joiners and the server's memory per client"),
    ("deployment.md", "scale-out: the director and each gateway on NATS JetStream"),
    (
        "reliability.md",
        "fault schedules survived, fuzz cases, the soak, the server-wide memory budget",
    ),
)
FIGURE_KEYS = ("key", "label", "value", "unit", "baseline_label", "baseline", "ratio", "target")


@dataclass
class Run:
    """One bench script's run: how it ended and the figures it printed."""

    name: str
    command: list[str]
    status: str = "ok"  # ok | failed
    exit_code: int | None = None
    problem: str = ""
    seconds: float = 0.0
    started: str = ""  # UTC, "2026-01-31 12:00"
    figures: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)


def _shown(command: list[str]) -> str:
    """The command as a person would type it from the repository root."""
    parts = []
    for part in command:
        path = Path(part)
        if path.is_absolute() and path.is_relative_to(ROOT):
            parts.append(str(path.relative_to(ROOT)))
        elif part == sys.executable:
            parts.append(".venv/bin/python")
        else:
            parts.append(part)
    return shlex.join(parts)


def _last_json(stdout: str) -> dict[str, Any] | None:
    for line in reversed(stdout.splitlines()):
        if line.strip():
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def _check_figures(result: dict[str, Any]) -> str:
    """What is wrong with a bench's JSON object, or ``""``."""
    figures = result.get("figures")
    if not isinstance(figures, list) or not figures:
        return "no figures in its JSON"
    for index, figure in enumerate(figures):
        if not isinstance(figure, dict):
            return f"figure {index} is not an object"
        missing = [key for key in FIGURE_KEYS if key not in figure]
        if missing:
            return f"figure {figure.get('key', index)!r} lacks {', '.join(missing)}"
    return ""


def run_bench(name: str, script: str, *, quick: bool, timeout: float) -> Run:
    """Run one bench script with ``--json``; its stderr goes through to ours."""
    path = BENCH / script
    command = [sys.executable, str(path), "--json", *(["--quick"] if quick else [])]
    run = Run(name=name, command=command, started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"))
    if not path.exists():
        run.status, run.problem = "failed", f"missing: bench/{script} does not exist"
        return run
    print(f"== {_shown(command)}", file=sys.stderr, flush=True)
    start = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=ROOT, stdout=subprocess.PIPE, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        run.seconds = time.monotonic() - start
        run.status, run.problem = "failed", f"timed out after {timeout:.0f} s"
        return run
    run.seconds = time.monotonic() - start
    run.exit_code = done.returncode
    result = _last_json(done.stdout)
    if result is not None:
        run.problem = _check_figures(result)
        if not run.problem:
            run.figures = result["figures"]
            run.params = result.get("params") or {}
    else:
        run.problem = "its last line on stdout is not a JSON object"
    if done.returncode != 0:
        run.status = "failed"
        run.problem = f"exit code {done.returncode}" + (f"; {run.problem}" if run.problem else "")
    elif run.problem:
        run.status = "failed"
    return run


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine() -> dict[str, Any]:
    """CPU model and count, RAM, kernel and load average, from /proc where it is there."""
    cpuinfo = _read("/proc/cpuinfo")
    models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    meminfo = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    return {
        "cpu": models[0].strip() if models else platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "ram_gib": round(int(meminfo.group(1)) / 2**20, 1) if meminfo else None,
        "kernel": f"{platform.system()} {platform.release()}",
        "arch": platform.machine(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
    }


def versions() -> dict[str, str]:
    """Python and the libraries the figures depend on."""
    found = {"python": f"{platform.python_implementation()} {platform.python_version()}"}
    for package in ("racefeed", "websockets", "msgspec", "uvloop"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        found["commit"] = commit
    except (OSError, subprocess.CalledProcessError):
        pass
    return found


def _number(value: float) -> str:
    if value == 0 or abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _amount(value: Any, unit: str) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "–"
    return f"{_number(float(value))} {unit}".strip()


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def figure_row(figure: dict[str, Any]) -> str:
    """One table row: what, racefeed, baseline, ratio, target, met."""
    unit = figure.get("unit") or ""
    baseline = figure.get("baseline")
    shown_baseline = (
        f"{_cell(figure.get('baseline_label') or '')}: {_amount(baseline, unit)}"
        if baseline is not None
        else "–"
    )
    ratio = figure.get("ratio")
    met = figure.get("met")
    return (
        f"| {_cell(figure['label'])} (`{figure['key']}`) | {_amount(figure['value'], unit)} "
        f"| {shown_baseline} | {'–' if ratio is None else f'{ratio:.2f}x'} "
        f"| {_cell(figure.get('target') or '–')} "
        f"| {'–' if met is None else ('yes' if met else '**no**')} |"
    )


def target_ratio(figure: dict[str, Any]) -> float | None:
    """The target as a ratio to the baseline, to mark on the chart (``None`` if it has none)."""
    target, baseline = figure.get("target"), figure.get("baseline")
    if not target:
        return None
    match = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(x\b)?", str(target))
    if match is None:
        return None
    number = float(match.group(1).replace(",", ""))
    if "ratio" in str(target) or match.group(2):
        return number
    if isinstance(baseline, int | float) and baseline > 0:
        return number / baseline  # the target is in the figure's own unit
    return None


def chart(runs: list[Run], path: Path) -> bool:
    """Every ratio as a horizontal bar, its target marked; ``False`` if nothing to draw."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, NullFormatter

    figures = [f for run in runs for f in run.figures if isinstance(f.get("ratio"), int | float)]
    if not figures:
        return False
    figures.reverse()  # the first figure at the top
    ratios = [float(f["ratio"]) for f in figures]
    colours = [
        "#9e9e9e" if f.get("met") is None else ("#2e7d32" if f["met"] else "#c62828")
        for f in figures
    ]
    fig, axes = plt.subplots(figsize=(10, 0.45 * len(figures) + 1.6))
    rows = range(len(figures))
    axes.barh(rows, ratios, color=colours, height=0.6)
    axes.set_yticks(list(rows), [str(f["key"]) for f in figures], fontsize=8)
    axes.axvline(1.0, color="black", linewidth=0.8)
    marks = [(row, target_ratio(f)) for row, f in zip(rows, figures, strict=True)]
    for row, mark in marks:
        if mark is not None and mark > 0:
            axes.plot([mark, mark], [row - 0.4, row + 0.4], color="#1565c0", linewidth=2.5)
    for row, ratio in zip(rows, ratios, strict=True):
        axes.annotate(
            f"{ratio:.2f}x", (ratio, row), xytext=(3, 0), textcoords="offset points", va="center"
        )
    shown = [r for r in ratios if r > 0] + [m for _, m in marks if m is not None and m > 0]
    if shown and max(shown) / min(shown) > 20:
        axes.set_xscale("log")
        ticks = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200)
        axes.set_xticks([t for t in ticks if min(shown) / 2 <= t <= max(shown) * 2])
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}x"))
        axes.xaxis.set_minor_formatter(NullFormatter())
    else:
        axes.set_xlim(0, max([*shown, 1.0]) * 1.15)  # room for the labels
    axes.set_xlabel(
        "racefeed / baseline measured in the same run (1.0 = the baseline;"
        " higher is better for rates, lower for times and memory)"
    )
    axes.legend(
        handles=[
            Patch(color="#2e7d32", label="target met"),
            Patch(color="#c62828", label="target missed"),
            Patch(color="#9e9e9e", label="no target"),
            Line2D([], [], color="#1565c0", linewidth=2.5, label="target"),
        ],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=4,
        fontsize=8,
        frameon=False,
    )
    axes.set_title("racefeed against its baselines", pad=26)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return True


def _link(output: Path, page: str) -> str:
    return os.path.relpath(DOCS / page, output)


def render(
    runs: list[Run],
    *,
    output: Path,
    notes: Path,
    info: dict[str, Any],
    quick: bool,
    has_chart: bool,
) -> str:
    """The markdown page."""
    mach, vers = info["machine"], info["versions"]
    load = ", ".join(f"{value:.2f}" for value in mach["load_average"])
    version_text = ", ".join(f"{name} {value}" for name, value in vers.items() if name != "python")
    commands = "\n".join(
        f"{_shown(run.command)}   # {run.status}"
        + (f", exit code {run.exit_code}" if run.exit_code not in (None, 0) else "")
        + f", {run.seconds:.0f} s"
        + (f", started {run.started} UTC" if run.started else "")
        for run in runs
    )
    rows = []
    for run in runs:
        rows += [figure_row(figure) for figure in run.figures]
        if run.status != "ok":
            code = "no exit code" if run.exit_code is None else f"exit code {run.exit_code}"
            rows.append(
                f"| `{run.name}` (`{_shown(run.command[1:2])}`) | **failed** ({code}) "
                f"| {_cell(run.problem)} | – | – | **no** |"
            )
    failed = [run for run in runs if run.status != "ok"]
    notes_text = notes.read_text().strip() if notes.exists() else ""
    if not notes_text:
        notes_text = f"_No notes: {notes.name} is missing or empty._"
    elif notes_text.startswith("# "):
        notes_text = notes_text.split("\n", 1)[1].strip() if "\n" in notes_text else ""
    links = "\n".join(
        f"- [{page}]({_link(output, page)}): {what}"
        + ("" if (DOCS / page).exists() else " (not written yet)")
        for page, what in DETAIL_PAGES
    )
    quick_note = (
        "\n**A `--quick` run: small sizes, for checking the benchmarks run; these are not"
        " the published figures.**\n"
        if quick
        else ""
    )
    failed_note = (
        "\n**Failed: " + ", ".join(f"`{run.name}` ({run.problem})" for run in failed) + ".**\n"
        if failed
        else ""
    )
    image = "\n![Each figure's ratio to its baseline, with its target](benchmarks.png)\n"
    return f"""# Benchmarks

Every figure here is measured by a script under `bench/`, one command each, and is
reported against a baseline measured in the same run (the ratio is the point; the
absolute number is this machine's). This page is generated by
`.venv/bin/python bench/run_all.py` from the scripts' `--json` output; the analysis
of the misses comes from [bench-notes.md]({_link(output, "bench-notes.md")}), which
people keep.
{quick_note}{failed_note}
- Date: {info["date"]}
- Machine: {mach["cpus"]} × {mach["cpu"]} ({mach["arch"]}), {mach["ram_gib"]} GiB RAM,
  {mach["kernel"]}; load average at the start {load} (the machine may be shared,
  which is why every figure is a ratio to a baseline run alongside it).
- Versions: {vers["python"]}, {version_text}.

## Figures

| what | racefeed | baseline (same run) | ratio | target | met |
|---|---|---|---|---|---|
{chr(10).join(rows)}
{image if has_chart else ""}
Commands, run in this order from the repository root:

```
{commands}
```

## What holds the misses back

{notes_text}

## Detail pages

{links}
"""


def _load_runs(paths: list[Path]) -> tuple[dict[str, Any], list[Run]] | str:
    """The runs of earlier ``--json`` outputs, merged by bench name, or what is wrong."""
    info: dict[str, Any] = {}
    by_name: dict[str, Run] = {}
    for path in paths:
        earlier = _last_json(path.read_text())
        if earlier is None or not isinstance(earlier.get("runs"), list):
            return f"{path}: not the --json output of run_all.py"
        runs = [Run(**run) for run in earlier["runs"]]
        by_name.update((run.name, run) for run in runs)
        quick = earlier.get("quick")
        if quick is None:  # older output: the benches' own params say
            quick = any(run.params.get("quick") for run in runs)
        if not info:  # the machine and date of the first run
            info = {key: earlier[key] for key in ("date", "machine", "versions")}
        info["quick"] = bool(info.get("quick")) or bool(quick)
    return info, list(by_name.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [*BENCHES, *OPTIONAL]
    parser.add_argument("--only", action="append", choices=names, help="run this bench only")
    parser.add_argument("--quick", action="store_true", help="pass --quick: small sizes")
    parser.add_argument("--output", type=Path, default=DOCS, help="where the page goes (docs/)")
    parser.add_argument("--notes", type=Path, default=DOCS / "bench-notes.md")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per bench")
    parser.add_argument("--json", action="store_true", help="end with one JSON object")
    parser.add_argument(
        "--render",
        type=Path,
        action="append",
        metavar="FILE",
        help=(
            "run nothing: write the page and chart again from FILE, an earlier run's --json;"
            " repeatable, a later file's run of a bench replaces an earlier one's"
        ),
    )
    args = parser.parse_args(argv)
    if args.render:
        loaded = _load_runs(args.render)
        if isinstance(loaded, str):
            print(loaded, file=sys.stderr)
            return 2
        info, runs = loaded
        args.quick = bool(info["quick"])
    else:
        scripts = {**BENCHES, **OPTIONAL}
        info = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "versions": versions(),
            "quick": args.quick,
        }
        runs = []
        for name in dict.fromkeys(args.only or list(BENCHES)):
            run = run_bench(name, scripts[name], quick=args.quick, timeout=args.timeout)
            state = run.status + (f" ({run.problem})" if run.problem else "")
            print(f"== {name}: {state}, {len(run.figures)} figures", file=sys.stderr, flush=True)
            runs.append(run)
    output: Path = args.output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    png = output / "benchmarks.png"
    has_chart = chart(runs, png)
    if not has_chart:
        png.unlink(missing_ok=True)
    page = render(
        runs, output=output, notes=args.notes, info=info, quick=args.quick, has_chart=has_chart
    )
    (output / "benchmarks.md").write_text(page)
    print(f"wrote {output / 'benchmarks.md'}", file=sys.stderr)
    if args.json:
        print(json.dumps({**info, "runs": [asdict(run) for run in runs]}))
    ok = all(run.status == "ok" for run in runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
