"""Routes for centre staff to bring records in from another system and to take them out: imports and exports.

An upload is checked and (unless a dry run, the default) imported within the request; files larger than
``MAX_UPLOAD_BYTES`` go through the command line (``python -m registry import``), which streams them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile, status
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from common.auth import CallerDep, Role, require_centrale_access
from common.errors import Rejected
from registry.api._plumbing import RegistryUowDep
from registry.bulk import CATALOGUE, FileError, Kind, read_sheet, write_csv, write_xlsx
from registry.domain import AccessPurpose
from registry.use_cases.exports import ExportRecords, export_records
from registry.use_cases.imports import ImportFile, ImportReport, import_file

__all__ = ["MAX_UPLOAD_BYTES", "router"]

router = APIRouter(prefix="/v1/centrales/{centrale_id}", tags=["imports and exports"])

# Larger files go through the command line, which streams them (an upload is held in memory whole).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ProblemOut(BaseModel):
    """Why a row (or the header, line 1) is not imported: its line, our field, what is wrong."""

    line: int = Field(description="The line of the file (the header is line 1; a workbook's row).")
    field: str = Field(description="Our name of the field.", examples=["birth_date"])
    message: str = Field(description="What is wrong (never the value itself).", examples=["lies in the future"])


class ImportReportOut(BaseModel):
    """What an import found and did; a dry run says what it would do (``added`` and ``changed`` then count
    what would be added and changed)."""

    kind: Kind
    source: str = Field(description="The other system, as named in the upload.")
    dry_run: bool
    rows: int = Field(description="Data rows read.")
    added: int
    changed: int = Field(description="Rows that said something new about a record imported before.")
    unchanged: int = Field(description="Rows that said what they said last time: nothing done.")
    skipped: int = Field(description="Rows with problems: not imported.")
    events: int = Field(description="Events published (none for a dry run).")
    problems: list[ProblemOut] = Field(description="Every problem of every row, by line and field.")
    columns: dict[str, str] = Field(description="Each of the file's columns used, and our field it filled.")
    ignored_columns: list[str] = Field(description="The file's columns no field claimed.")


class FieldOut(BaseModel):
    """One of our fields of an import: the names it is known by, and whether a file must have it."""

    name: str
    aliases: list[str] = Field(description="Other systems' names recognised without a mapping (Dutch and English).")
    required: bool
    description: str


def _staff(caller: Any, centrale_id: str) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)


def _mapping(text: str | None) -> dict[str, str | None]:
    if not text:
        return {}
    try:
        mapping = json.loads(text)
    except ValueError:
        raise Rejected(["not JSON: send an object of the file's column names to our field names"], "mapping") from None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in mapping.items()
    ):
        raise Rejected(["send an object of the file's column names to our field names (or null)"], "mapping")
    return mapping


def _report_out(report: ImportReport) -> ImportReportOut:
    return ImportReportOut(
        kind=Kind(report.kind),
        source=report.source,
        dry_run=report.dry_run,
        rows=report.rows,
        added=report.added,
        changed=report.changed,
        unchanged=report.unchanged,
        skipped=report.skipped,
        events=report.events,
        problems=[ProblemOut(line=p.line, field=p.field, message=p.message) for p in report.problems],
        columns=report.columns,
        ignored_columns=report.ignored_columns,
    )


@router.get("/imports/{kind}/columns", summary="Our fields of an import and the column names they are known by.")
async def import_columns(centrale_id: str, kind: Kind, caller: CallerDep) -> list[FieldOut]:
    _staff(caller, centrale_id)
    return [
        FieldOut(name=f.name, aliases=list(f.aliases), required=f.required, description=f.description)
        for f in CATALOGUE[kind]
    ]


@router.post(
    "/imports/{kind}",
    summary="Check (dry run, the default) or import a CSV or Excel file of volunteers, organisations, tasks or hours.",
    responses={413: {"description": "The file is larger than an upload may be: use the command line."}},
)
async def import_upload(
    centrale_id: str,
    kind: Kind,
    caller: CallerDep,
    uow: RegistryUowDep,
    file: Annotated[UploadFile, File(description="CSV (; , or tab separated) or an Excel workbook (.xlsx).")],
    source: Annotated[
        str,
        Form(min_length=1, max_length=63, description="The other system, as you name it; its ids are unique in it."),
    ],
    dry_run: Annotated[bool, Form(description="Only check and say what would happen (the default).")] = True,
    mapping: Annotated[
        str | None,
        Form(description='JSON: the file\'s column names to our field names, e.g. {"Achternaam": "last_name"}.'),
    ] = None,
    consent_text_version: Annotated[
        str | None,
        Form(max_length=40, description="Version of the consent texts the other system showed (rows may say)."),
    ] = None,
    purpose: Annotated[
        AccessPurpose, Form(description="Why volunteers' records are created or changed (the audit trail).")
    ] = AccessPurpose.INTAKE,
) -> ImportReportOut:
    _staff(caller, centrale_id)
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise HTTPException(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MB: import it with python -m registry import",
        )
    try:
        sheet = read_sheet(content, "xlsx" if (file.filename or "").lower().endswith(".xlsx") else None)
    except FileError as error:
        raise Rejected([str(error)], "file") from None
    command = ImportFile(
        centrale_id=centrale_id,
        kind=kind,
        source=source,
        sheet=sheet,
        mapping=_mapping(mapping),
        dry_run=dry_run,
        consent_text_version=consent_text_version,
        purpose=purpose,
    )
    try:
        report = await import_file(command, uow)
    except FileError as error:  # a row further on that cannot be read as CSV at all
        raise Rejected([str(error)], "file") from None
    return _report_out(report)


@router.get(
    "/exports/{kind}.{fmt}",
    summary="The centrale's volunteers, organisations, tasks or hours as CSV or Excel, in the columns imports read.",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}
    },
)
async def export_file(
    centrale_id: str,
    kind: Kind,
    fmt: Literal["csv", "xlsx"],
    caller: CallerDep,
    uow: RegistryUowDep,
    purpose: Annotated[
        AccessPurpose, Query(description="Why the volunteers' records are read (the audit trail).")
    ] = AccessPurpose.OTHER,
) -> Response:
    _staff(caller, centrale_id)
    export = await export_records(ExportRecords(centrale_id, kind, purpose), uow)
    name = f"{centrale_id}-{kind.value}-{datetime.now(UTC):%Y%m%d}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"}
    if fmt == "xlsx":
        return Response(
            write_xlsx(export.headers, export.rows, kind.value),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=headers,
        )
    return StreamingResponse(
        write_csv(export.headers, export.rows), media_type="text/csv; charset=utf-8", headers=headers
    )
