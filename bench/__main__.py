"""``python -m bench [--smoke] [--soak-s S] [--only A,B] [--out DIR]``: run, print the table, write results."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.config import FULL, SMOKE, BenchConfig
from bench.infra import BenchInfra, bench_infra
from bench.report import Report, machine_info, render_markdown, write_report
from bench.scenarios import SCENARIOS, run_benchmarks
from bench.services import log_summary
from common.logging import configure_logging

__all__ = ["main", "run"]

DEFAULT_OUT = Path("bench-results")


def _say(line: str) -> None:
    """Progress to stderr, so stdout carries only the table."""
    print(line, file=sys.stderr, flush=True)


@contextlib.contextmanager
def _service_logging(path: Path) -> Iterator[dict[str, Any]]:
    """The services' JSON logging at INFO, as in production, written to ``path``; yields a summary after.

    Every record the project handles costs a log line in production, so the benchmark pays it too; the
    lines go to a file rather than the terminal. The file stays open until the process ends, since
    structlog caches loggers bound to it.
    """
    sink = path.open("w")
    with contextlib.redirect_stdout(sink):
        configure_logging("bench", "INFO")
    summary: dict[str, Any] = {}
    yield summary
    sink.flush()
    found = log_summary(path)
    summary["lines_by_level"] = found["lines_by_level"]
    summary["problems"] = found["problems"]
    total = sum(found["lines_by_level"].values())
    shown = ", ".join(f"{count:,} × {name}" for name, count in list(found["problems"].items())[:3])
    summary["summary"] = f"{total:,} JSON lines at INFO to a file" + (f"; {shown}" if shown else ", no warnings")


async def run(
    config: BenchConfig,
    infra: BenchInfra,
    *,
    out_dir: Path,
    command: str,
    capture_logs: bool = True,
    only: Collection[str] | None = None,
) -> tuple[Report, Path, Path]:
    """Run the benchmarks on ``infra`` and write ``<timestamp>.json`` and ``.md`` into ``out_dir``."""
    started = datetime.now(UTC)
    machine = machine_info()
    began = time.perf_counter()
    logs: dict[str, Any] = {"summary": "left to the caller's logging configuration"}
    with tempfile.TemporaryDirectory(prefix="regio-bench-logs-") as scratch, contextlib.ExitStack() as stack:
        if capture_logs:
            logs = stack.enter_context(_service_logging(Path(scratch) / "services.log"))
        results = await run_benchmarks(config, infra, say=_say, only=only)
    report = Report(
        started_at=started.strftime("%Y-%m-%d %H:%M UTC"),
        duration_s=time.perf_counter() - began,
        command=command,
        config=config,
        machine=machine,
        infra={"kafka": infra.kafka_source, "postgres": infra.postgres_source},
        results=results,
        logs=logs,
    )
    json_path, md_path = write_report(report, out_dir, started.strftime("%Y%m%dT%H%M%SZ"))
    return report, json_path, md_path


async def _main(config: BenchConfig, out_dir: Path, command: str, only: Collection[str] | None) -> int:
    """Provide the servers, run, print the table; exit status 1 only when a scenario broke."""
    with tempfile.TemporaryDirectory(prefix="regio-bench-") as work:
        began = time.perf_counter()
        async with bench_infra(Path(work)) as infra:
            _say(f"Kafka: {infra.kafka_bootstrap} ({infra.kafka_source}); {infra.postgres_source}")
            _say(f"  servers ready in {time.perf_counter() - began:.1f} s")
            report, json_path, md_path = await run(config, infra, out_dir=out_dir, command=command, only=only)
    print(render_markdown(report))
    _say(f"Wrote {json_path} and {md_path}")
    broken = [goal.title for goal in report.results.goals if goal.verdict == "error"]
    if broken:
        _say(f"Scenarios that failed to run: {', '.join(broken)}")
    return 1 if broken else 0


def _scenario_names(text: str) -> frozenset[str]:
    """``--only``'s value: known scenario names, comma-separated."""
    names = frozenset(name.strip() for name in text.split(",") if name.strip())
    unknown = sorted(names - set(SCENARIOS))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown scenarios {unknown}; choose from {', '.join(SCENARIOS)}")
    return names


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Throughput, latency and scale of the platform as ratios against raw aiokafka/asyncpg "
        "baselines (and a Quix Streams peer) measured in the same run on the same Kafka broker and PostgreSQL "
        "server; paced load comes from a sender process of its own.",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one pair: checks the harness, not speed")
    parser.add_argument(
        "--soak-s",
        type=float,
        metavar="S",
        help="length of the memory soak in seconds (default: 600 in a full run, the goal's 10 minutes)",
    )
    parser.add_argument(
        "--only",
        type=_scenario_names,
        metavar="A,B",
        help=f"run only these scenarios, comma-separated, of: {', '.join(SCENARIOS)} (the data set is always "
        "produced; latency, sustainable and soak need pipeline's drain rate; peer needs `make bench-peer-env` "
        "or installs it)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"results directory (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    config = SMOKE if args.smoke else FULL
    if args.soak_s is not None:
        config = replace(config, soak_s=args.soak_s)
    arguments = list(argv if argv is not None else sys.argv[1:])
    command = " ".join(["python -m bench", *arguments])
    return asyncio.run(_main(config, args.out, command, args.only))


if __name__ == "__main__":
    sys.exit(main())
