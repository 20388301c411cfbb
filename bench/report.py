"""The result of a benchmark run as JSON and as a markdown table, with the machine it ran on."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.config import BenchConfig, Results, ScenarioRow
from bench.harness import Run, median

__all__ = ["Report", "machine_info", "render_markdown", "write_report"]

_PACKAGES = ("faststream", "aiokafka", "asyncpg", "pydantic", "numpy")
# The latency series a detail row shows, in order of preference.
_SERIES = ("handled", "consumed", "committed", "query")


@dataclass
class Report:
    """One run: when, where, with which settings, what it found."""

    started_at: str
    duration_s: float
    command: str
    config: BenchConfig
    machine: dict[str, Any]
    infra: dict[str, str]
    results: Results
    logs: dict[str, Any]


def _first(path: Path, prefix: str) -> str | None:
    """The value of the first ``prefix: value`` line of a /proc file."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _git(*args: str) -> str:
    """Output of a read-only git command in the repository, '' when git is unavailable."""
    try:
        result = subprocess.run(
            ["git", *args], capture_output=True, text=True, timeout=10, check=False, cwd=Path(__file__).parent
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def machine_info() -> dict[str, Any]:
    """CPU count and model, memory, OS, Python, key package versions, commit and load at start."""
    memory_kb = _first(Path("/proc/meminfo"), "MemTotal")
    commit = _git("rev-parse", "--short", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _first(Path("/proc/cpuinfo"), "model name") or platform.processor() or "unknown",
        "memory_gib": round(int(memory_kb.split()[0]) / 2**20, 1) if memory_kb else None,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in _PACKAGES},
        "commit": f"{commit}{' (with local changes)' if dirty else ''}" if commit else "unknown",
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def _runs_median(runs: list[Run], value: Any) -> float:
    """Median of ``value(run)`` over runs."""
    return median([float(value(run)) for run in runs])


def _latency_cells(runs: list[Run]) -> tuple[str, str, str]:
    """p50/p95/p99 of the run's headline latency series (median over runs), or dashes."""
    names = [name for name in _SERIES if all(name in run.latencies_ms for run in runs)]
    if not names:
        return "—", "—", "—"
    name = names[0]
    cells = (
        _runs_median(runs, lambda run: run.latencies_ms[name].p50),
        _runs_median(runs, lambda run: run.latencies_ms[name].p95),
        _runs_median(runs, lambda run: run.latencies_ms[name].p99),
    )
    return tuple(f"{value:,.1f}" for value in cells)  # type: ignore[return-value]


def _row(row: ScenarioRow) -> str:
    """One line of the detail table."""
    runs = row.runs
    p50, p95, p99 = _latency_cells(runs)
    series = next((name for name in _SERIES if name in runs[0].latencies_ms), "")
    cells = [
        row.scenario,
        row.side,
        str(len(runs)),
        f"{_runs_median(runs, lambda run: run.records):,.0f}",
        f"{_runs_median(runs, lambda run: run.rate):,.0f}",
        f"{p50} / {p95} / {p99}" + (f" ({series})" if series else ""),
        f"{_runs_median(runs, lambda run: run.cpu_seconds):,.2f}",
        f"{_runs_median(runs, lambda run: run.cpu_us_per_record):,.0f}",
        f"{_runs_median(runs, lambda run: run.peak_rss_bytes) / 2**20:,.0f}",
    ]
    return "| " + " | ".join(cells) + " |"


def render_markdown(report: Report) -> str:
    """The result as markdown: goals, what each side measured, per-scenario detail, the machine."""
    machine, config, results = report.machine, report.config, report.results
    lines = [
        f"### Benchmark results ({config.mode} run, {report.started_at})",
        "",
        f"Command: `{report.command}` ({report.duration_s / 60:.1f} min). "
        f"Machine: {machine['nproc']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB RAM, "
        f"{machine['os']}, Python {machine['python']}; {report.infra['kafka']}; {report.infra['postgres']}; "
        f"commit {machine['commit']}; load average at start {machine['load_average_at_start']}.",
        "",
        f"Each goal compares the project (A) with a raw baseline (B) on the same broker and database, run "
        f"A B{' A B' * (config.pairs - 1)}; a ratio is the median of the per-pair A/B ratios. A miss is "
        "information, not a failure.",
        "",
        "| Goal | Target | Measured | Result |",
        "|---|---|---|---|",
    ]
    for goal in results.goals:
        measured = goal.measured or "—"
        lines.append(f"| {goal.title} | {goal.target or '—'} | {measured} | **{goal.verdict}** |")
    notes = [goal for goal in results.goals if goal.note]
    if notes:
        lines += ["", "Notes:", ""]
        lines += [f"- *{goal.title}*: {goal.note}" for goal in notes]
    lines += [
        "",
        "| Scenario | Side | Runs | Records/run | Rate rec/s | Latency ms p50 / p95 / p99 | CPU s | CPU µs/rec "
        "| Peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [_row(row) for row in results.rows]
    lines += ["", "What each side measures:", ""]
    seen: set[tuple[str, str]] = set()
    for row in results.rows:
        if (row.scenario, row.side) not in seen:
            seen.add((row.scenario, row.side))
            lines.append(f"- {row.scenario}, {row.side}: {row.measures}")
    lines += [
        "",
        "Rates are over the window from the first record in hand to the last one done (runs are bounded in "
        f"records and to {config.throughput_limit_s:.0f} s). CPU and peak RSS are the consumer's process's: this "
        "one for the project and raw sides (Kafka's and PostgreSQL's own CPU are not included), the peer's own "
        "process for the peer, the service process for the NLdoet rows. Paced runs get their load from a sender "
        "process of their own (bench.sender), whose CPU is not counted here; a paced goal whose sender missed its "
        f"schedule is marked harness-bound. Service logging: {report.logs.get('summary', 'not captured')}.",
    ]
    return "\n".join(lines) + "\n"


def _jsonable(value: Any) -> Any:
    """Dataclasses and Runs as plain data."""
    if isinstance(value, Run):
        return value.as_dict()
    if isinstance(value, ScenarioRow):
        return {
            "scenario": value.scenario,
            "side": value.side,
            "measures": value.measures,
            "runs": [run.as_dict() for run in value.runs],
        }
    raise TypeError(f"not serialisable: {type(value).__name__}")


def write_report(report: Report, out_dir: Path, stamp: str) -> tuple[Path, Path]:
    """Write ``<stamp>.json`` and ``<stamp>.md`` into ``out_dir``; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results = report.results
    document = {
        "started_at": report.started_at,
        "duration_s": report.duration_s,
        "command": report.command,
        "config": asdict(report.config),
        "machine": report.machine,
        "infra": report.infra,
        "drain_rate_per_s": results.drain_rate,
        "facts": results.facts,
        "goals": [asdict(goal) for goal in results.goals],
        "scenarios": results.rows,
        "logs": report.logs,
    }
    json_path, md_path = out_dir / f"{stamp}.json", out_dir / f"{stamp}.md"
    json_path.write_text(json.dumps(document, indent=2, default=_jsonable) + "\n")
    md_path.write_text(render_markdown(report))
    return json_path, md_path
