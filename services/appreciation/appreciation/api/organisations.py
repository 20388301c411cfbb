"""Routes for organisations (and staff on their behalf): the allowance guardrail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from appreciation.api._plumbing import AppreciationUowDep, SettingsDep
from appreciation.api.models import PaymentCheckIn, PaymentIn, Record
from appreciation.use_cases import allowances
from common.auth import Caller, CallerDep, Role, require_centrale_access, require_subject

router = APIRouter(
    prefix="/v1/centrales/{centrale_id}/organisations/{organisation_id}/allowances",
    tags=["organisations"],
)


def _organisation(caller: Caller, centrale_id: str, organisation_id: UUID) -> None:
    """The organisation itself, or staff of its centrale; anyone else gets 403 or 404."""
    if caller.role is Role.ORGANISATION:
        require_subject(caller, centrale_id, organisation_id, Role.ORGANISATION)
    else:
        require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)


def _payment(body: PaymentCheckIn) -> allowances.Payment:
    return allowances.Payment(
        volunteer_id=body.volunteer_id, paid_on=body.paid_on, amount=body.amount, hours=body.hours
    )


@router.post("/check", summary="Before paying: would this allowance break a fiscal limit, across all organisations?")
async def check_allowance(
    centrale_id: str,
    organisation_id: UUID,
    body: PaymentCheckIn,
    caller: CallerDep,
    uow: AppreciationUowDep,
    settings: SettingsDep,
) -> Record:
    _organisation(caller, centrale_id, organisation_id)
    command = allowances.CheckPayment(organisation_id, centrale_id, _payment(body), settings.allowance_limits)
    return allowances.evaluation(await allowances.check_payment(command, uow))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Record an allowance paid; the answer warns when it broke a limit. Same reference again: 200.",
)
async def record_allowance(
    centrale_id: str,
    organisation_id: UUID,
    body: PaymentIn,
    caller: CallerDep,
    uow: AppreciationUowDep,
    settings: SettingsDep,
) -> Any:
    _organisation(caller, centrale_id, organisation_id)
    command = allowances.RecordPayment(
        organisation_id, centrale_id, _payment(body), body.reference, caller.key, settings.allowance_limits
    )
    created, allowance_id, check = await allowances.record_payment(command, uow)
    return JSONResponse(
        jsonable_encoder({"id": allowance_id, **allowances.evaluation(check)}), status_code=201 if created else 200
    )


@router.get("", summary="The organisation's own allowance entries of a year.")
async def list_allowances(
    centrale_id: str,
    organisation_id: UUID,
    caller: CallerDep,
    uow: AppreciationUowDep,
    year: int = Query(default_factory=lambda: datetime.now(UTC).year, ge=2000, le=2100),
) -> list[Record]:
    _organisation(caller, centrale_id, organisation_id)
    return await allowances.list_allowances(allowances.ListAllowances(organisation_id, centrale_id, year), uow)
