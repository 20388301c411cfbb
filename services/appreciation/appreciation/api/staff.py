"""Routes for centrale staff: rules, the centrale's awards, volunteers' records and certificates."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from appreciation.api._plumbing import PDF_RESPONSES, AppreciationUowDep, SettingsDep, pdf_response
from appreciation.api.models import CertificateIn, DisplayNameIn, Record, RuleIn, RuleOut, RulePatch
from appreciation.use_cases import certificates, records, rules
from common.auth import Caller, CallerDep, Role, require_centrale_access
from common.bounds import FIRST_DAY, LAST_DAY
from common.errors import Rejected

router = APIRouter(prefix="/v1/centrales/{centrale_id}", tags=["centrale staff"])

# A longer period is a report, not a page: reporting serves those.
_MAX_PERIOD_DAYS = 366 * 5


def _staff(caller: Caller, centrale_id: str) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)


@router.get("/rules", summary="The centrale's appreciation rules (the defaults until staff change them).")
async def list_rules(centrale_id: str, caller: CallerDep, uow: AppreciationUowDep) -> list[RuleOut]:
    _staff(caller, centrale_id)
    return [RuleOut(**rule) for rule in await rules.list_rules(rules.ListRules(centrale_id), uow)]


@router.post("/rules", status_code=status.HTTP_201_CREATED, summary="Add a rule.")
async def add_rule(centrale_id: str, body: RuleIn, caller: CallerDep, uow: AppreciationUowDep) -> RuleOut:
    _staff(caller, centrale_id)
    command = rules.AddRule(centrale_id, body.rule_id, body.kind, body.title, body.params, body.active)
    return RuleOut(**await rules.add_rule(command, uow))


@router.patch("/rules/{rule_id}", summary="Change a rule, or switch it off (awards already given stay).")
async def change_rule(
    centrale_id: str, rule_id: str, body: RulePatch, caller: CallerDep, uow: AppreciationUowDep
) -> RuleOut:
    _staff(caller, centrale_id)
    command = rules.ChangeRule(centrale_id, rule_id, title=body.title, params=body.params, active=body.active)
    return RuleOut(**await rules.change_rule(command, uow))


@router.put("/settings", status_code=204, summary="How certificates name the centrale.")
async def set_display_name(centrale_id: str, body: DisplayNameIn, caller: CallerDep, uow: AppreciationUowDep) -> None:
    _staff(caller, centrale_id)
    await rules.set_display_name(rules.SetDisplayName(centrale_id, body.display_name), uow)


@router.get("/awards", summary="The centrale's awards in a period (inclusive), with counts per rule.")
async def list_awards(
    centrale_id: str,
    caller: CallerDep,
    uow: AppreciationUowDep,
    start: Annotated[date, Query(alias="from", ge=FIRST_DAY, le=LAST_DAY, description="First day (UTC).")],
    end: Annotated[date, Query(alias="to", ge=FIRST_DAY, le=LAST_DAY, description="Last day (UTC), inclusive.")],
) -> Record:
    _staff(caller, centrale_id)
    if end < start:
        raise Rejected(["'to' lies before 'from'"], field="to", location="query")
    if (end - start).days > _MAX_PERIOD_DAYS:
        raise Rejected([f"a period spans at most {_MAX_PERIOD_DAYS} days"], field="to", location="query")
    return await records.centrale_awards(records.ListCentraleAwards(centrale_id, start, end), uow)


@router.get("/volunteers/{volunteer_id}/appreciation", summary="A volunteer's appreciation record.")
async def volunteer_record(centrale_id: str, volunteer_id: UUID, caller: CallerDep, uow: AppreciationUowDep) -> Record:
    _staff(caller, centrale_id)
    return await records.volunteer_record(records.ShowVolunteerRecord(volunteer_id, centrale_id), uow)


@router.post(
    "/volunteers/{volunteer_id}/certificates",
    status_code=201,
    response_class=Response,
    responses=PDF_RESPONSES,
    summary="Issue a volunteer's certificate (PDF) on their behalf; the name in the request is not kept.",
)
async def issue_certificate(
    centrale_id: str,
    volunteer_id: UUID,
    body: CertificateIn,
    caller: CallerDep,
    uow: AppreciationUowDep,
    settings: SettingsDep,
) -> Any:
    _staff(caller, centrale_id)
    command = certificates.IssueCertificate(
        volunteer_id, centrale_id, body.name, public_url=settings.public_url, font=settings.certificate_font
    )
    certificate_id, pdf = await certificates.issue_certificate(command, uow)
    return pdf_response(certificate_id, pdf)
