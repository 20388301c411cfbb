"""Command line: run the service (no arguments), rebuild the projections, or download a period report."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from common.jobs import JobRun

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reporting", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="run the service (the default)")
    commands.add_parser(
        "rebuild",
        help="run the rebuild job here: every projection from the start of the topics into fresh tables, then "
        "switch over (settings from REPORTING_DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS; the service may keep "
        "running, and lists the run under /v1/ops/jobs)",
    )
    report = commands.add_parser("report", help="download a municipality's period report: HTML, CSV, JSON, SVG charts")
    report.add_argument("--url", default=os.environ.get("REPORTING_URL", "http://127.0.0.1:8004"))
    report.add_argument("--token", default=os.environ.get("OPS_TOKEN"), help="bearer token (default: $OPS_TOKEN)")
    report.add_argument("--municipality", required=True, help="CBS code, e.g. GM0344")
    report.add_argument("--period", required=True, help="2026, 2026-Q1, 2026-H1, 2026-03 or 2026-01..2026-06")
    report.add_argument("--out", type=Path, default=Path(".local/reports"), help="directory (default .local/reports)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Dispatch to the service or one of the commands."""
    args = _parser().parse_args(argv)
    if args.command in (None, "serve"):
        from reporting.main import main as serve

        serve()
        return
    if args.command == "rebuild":
        from reporting.main import rebuild

        def show(run: JobRun) -> None:
            sys.stderr.write(f"rebuild {run.status}: {run.counts.get('events_applied', 0):,} events applied\n")

        from common.jobs import JobAlreadyRunning

        try:
            run = asyncio.run(rebuild(report=show))
        except JobAlreadyRunning as error:
            raise SystemExit(f"not started: {error}") from None
        sys.stdout.write(json.dumps(asdict(run), default=str, indent=2) + "\n")
        if run.status != "done":
            raise SystemExit(1)
        return
    if not args.token:
        raise SystemExit("give --token or set OPS_TOKEN")
    from reporting.export import export_report

    written = asyncio.run(export_report(args.url, args.token, args.municipality, args.period, args.out))
    for kind, path in written.items():
        sys.stdout.write(f"{kind:17} {path}\n")
