"""``python -m registry import`` and ``python -m registry export``: big files, on the server, with a progress line.

The HTTP routes take uploads up to a size; a centrale moving years of history (a million hours rows) runs the
same use case here, in one transaction, on the registry's database (``REGISTRY_DATABASE_URL``). A dry run is
the default; ``--apply`` imports. Problems go to the screen (the first ones) and, with ``--problems``, all of
them to a CSV file (line, field, message). Whatever is imported is recorded as done by ``cli:import``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import TextIO
from uuid import uuid4

from common.clock import SystemClock
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.uow import Origin, unit_of_work
from registry.bulk import FileError, Kind, read_sheet, write_csv, write_xlsx
from registry.config import Settings
from registry.domain import AccessPurpose
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases.exports import Export, ExportRecords, export_records
from registry.use_cases.imports import ImportFile, ImportProgress, ImportReport, import_file

__all__ = ["add_commands", "run_command", "run_import"]

_SHOWN_PROBLEMS = 20


def add_commands(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import`` and ``export`` to the registry's command line."""
    kinds = [kind.value for kind in Kind]
    importing = groups.add_parser("import", help="check or import a CSV or Excel file from another system")
    importing.add_argument("kind", choices=kinds)
    importing.add_argument("file", type=Path, help="the CSV or .xlsx file")
    importing.add_argument("--centrale", required=True, help="the centrale's id (vc-utrecht)")
    importing.add_argument("--source", required=True, help="the other system, as you name it (vrijwilligersbank)")
    importing.add_argument("--mapping", type=Path, help='a JSON file: {"their column": "our field", ...}')
    importing.add_argument("--consent-text-version", help="the version of the consent texts the other system showed")
    importing.add_argument("--apply", action="store_true", help="import (without it: only check, a dry run)")
    importing.add_argument("--problems", type=Path, help="write every problem to this CSV file")
    exporting = groups.add_parser("export", help="export a centrale's records as CSV or Excel")
    exporting.add_argument("kind", choices=kinds)
    exporting.add_argument("file", type=Path, help="where to write (.csv or .xlsx)")
    exporting.add_argument("--centrale", required=True, help="the centrale's id")


def run_command(args: argparse.Namespace) -> int:
    """Run ``import`` or ``export``; the exit status."""
    settings = Settings()
    if args.group == "export":
        kind, path = Kind(args.kind), args.file
        export = asyncio.run(_export(settings, kind, args.centrale))
        if path.suffix.lower() == ".xlsx":
            path.write_bytes(write_xlsx(export.headers, export.rows, kind.value))
        else:
            path.write_bytes(b"".join(write_csv(export.headers, export.rows)))
        print(f"{len(export.rows)} {kind.value} of {args.centrale} written to {path}")
        return 0
    mapping = json.loads(args.mapping.read_text()) if args.mapping else {}
    try:
        report = asyncio.run(
            run_import(
                settings,
                kind=Kind(args.kind),
                content=args.file.read_bytes(),
                xlsx=args.file.suffix.lower() == ".xlsx",
                centrale_id=args.centrale,
                source=args.source,
                mapping=mapping,
                apply=args.apply,
                consent_text_version=args.consent_text_version,
                out=sys.stderr,
            )
        )
    except FileError as error:
        print(f"{args.file}: {error}", file=sys.stderr)
        return 2
    print(_summary(report))
    for problem in report.problems[:_SHOWN_PROBLEMS]:
        print(f"  line {problem.line}, {problem.field}: {problem.message}")
    if len(report.problems) > _SHOWN_PROBLEMS:
        print(
            f"  … and {len(report.problems) - _SHOWN_PROBLEMS} more" + ("" if args.problems else " (--problems FILE)")
        )
    if args.problems:
        rows = ([p.line, p.field, p.message] for p in report.problems)
        args.problems.write_bytes(b"".join(write_csv(["line", "field", "message"], rows)))
    return 1 if report.problems else 0


def _summary(report: ImportReport) -> str:
    verb = "would add" if report.dry_run else "added"
    return (
        f"{report.kind} from {report.source}: {report.rows} rows; {verb} {report.added}, "
        f"{'would change' if report.dry_run else 'changed'} {report.changed}, unchanged {report.unchanged}, "
        f"skipped {report.skipped} ({len(report.problems)} problems); {report.events} events"
        + (" — a dry run: nothing stored (add --apply)" if report.dry_run else "")
    )


class _ProgressLine:
    """One line, rewritten in place: rows read, problems, rows a second."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._started = time.monotonic()

    async def __call__(self, progress: ImportProgress) -> None:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        line = (
            f"\r{progress.stage:>8}: {progress.rows:>10,} rows, {progress.problems:,} problems, "
            f"{progress.rows / elapsed:,.0f} rows/s, {elapsed:.1f} s"
        )
        self._out.write(line + ("\n" if progress.stage == "done" else ""))
        self._out.flush()


async def run_import(
    settings: Settings,
    *,
    kind: Kind,
    content: bytes,
    xlsx: bool = False,
    centrale_id: str,
    source: str,
    mapping: dict[str, str | None] | None = None,
    apply: bool = False,
    consent_text_version: str | None = None,
    out: TextIO | None = None,
) -> ImportReport:
    """Import a file's ``content`` in one transaction (a dry run unless ``apply``), with progress on ``out``."""
    pool = await create_pool(settings.database_url.get_secret_value(), 2)
    try:
        await apply_migrations(pool, RUNTIME_MIGRATIONS, _migrations())
        command = ImportFile(
            centrale_id=centrale_id,
            kind=kind,
            source=source,
            sheet=read_sheet(content, "xlsx" if xlsx else None),
            mapping=mapping or {},
            dry_run=not apply,
            consent_text_version=consent_text_version,
            purpose=AccessPurpose.INTAKE,
            progress=_ProgressLine(out) if out is not None else None,
        )
        async with unit_of_work(pool, _origin(settings, centrale_id), SystemClock(), PostgresRegistryUnitOfWork) as uow:
            return await import_file(command, uow)
    finally:
        await pool.close()


async def _export(settings: Settings, kind: Kind, centrale_id: str) -> Export:
    pool = await create_pool(settings.database_url.get_secret_value(), 2)
    try:
        await apply_migrations(pool, RUNTIME_MIGRATIONS, _migrations())
        async with unit_of_work(pool, _origin(settings, centrale_id), SystemClock(), PostgresRegistryUnitOfWork) as uow:
            return await export_records(ExportRecords(centrale_id, kind, AccessPurpose.OTHER), uow)
    finally:
        await pool.close()


def _origin(settings: Settings, centrale_id: str) -> Origin:
    return Origin(
        source=f"/regions/{settings.region}/registry",
        region=settings.region,
        correlation_id=uuid4(),
        tenant=centrale_id,
        actor="cli:import",
    )


def _migrations() -> Path:
    from registry.main import SPEC

    return SPEC.migrations
