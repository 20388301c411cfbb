"""Allowance guardrail: organisations record allowances paid; totals across all organisations meet the fiscal limits.

An organisation sees only its own entries. What it learns of the others is only what the guardrail needs
to say: whether (and by how much) a payment would pass a limit, and the room left before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from appreciation import domain
from appreciation.domain import Allowance, AllowanceCheck, AllowanceLimits
from appreciation.unit_of_work import AppreciationUnitOfWork
from common.errors import Conflict, NotFound

__all__ = [
    "CheckPayment",
    "ListAllowances",
    "Payment",
    "RecordPayment",
    "check_payment",
    "evaluation",
    "list_allowances",
    "record_payment",
]


@dataclass(frozen=True)
class Payment:
    """An allowance an organisation pays (or is about to pay) a volunteer."""

    volunteer_id: UUID
    paid_on: date
    amount: Decimal
    hours: Decimal | None = None


@dataclass(frozen=True)
class CheckPayment:
    """Ask before paying: what would ``payment`` mean against the limits?"""

    organisation_id: UUID
    centrale_id: str
    payment: Payment
    limits: dict[int, AllowanceLimits]


@dataclass(frozen=True)
class RecordPayment:
    """A payment made, under the organisation's own ``reference``."""

    organisation_id: UUID
    centrale_id: str
    payment: Payment
    reference: str
    recorded_by: str
    limits: dict[int, AllowanceLimits]


@dataclass(frozen=True)
class ListAllowances:
    """The organisation's own entries of ``year``."""

    organisation_id: UUID
    centrale_id: str
    year: int


async def _age_band_of_served(
    uow: AppreciationUnitOfWork, organisation_id: UUID, centrale_id: str, volunteer_id: UUID
) -> str | None:
    """Lock the volunteer (one payment checked at a time) and return the age band; NotFound unless served.

    An organisation may only ask about volunteers it has a match with: otherwise anyone could probe
    any volunteer id for their allowance totals.
    """
    organisation = await uow.organisations.get(organisation_id)
    if organisation is None or organisation.centrale_id != centrale_id:
        raise NotFound(f"organisation {organisation_id} not found")
    serves = await uow.matches.exists(organisation_id, volunteer_id)
    volunteer = await uow.volunteers.get(volunteer_id, lock=True)
    if not serves or volunteer is None:
        raise NotFound(f"volunteer {volunteer_id} not found among this organisation's matches")
    return volunteer.age_band


async def _check(
    uow: AppreciationUnitOfWork,
    payment: Payment,
    age_band: str | None,
    limits: dict[int, AllowanceLimits],
    excluding: UUID | None = None,
) -> AllowanceCheck:
    year = payment.paid_on.year
    paid = await uow.allowances.paid_to(
        payment.volunteer_id, date(year, 1, 1), date(year + 1, 1, 1), excluding=excluding
    )
    month_start, next_month = domain.month_bounds(payment.paid_on)
    return domain.check_allowance(
        amount=payment.amount,
        hours=payment.hours,
        paid_on=payment.paid_on,
        age_band=age_band,
        month_total_before=sum((amount for day, amount in paid if month_start <= day < next_month), Decimal(0)),
        year_total_before=sum((amount for _, amount in paid), Decimal(0)),
        limits_by_year=limits,
    )


async def check_payment(command: CheckPayment, uow: AppreciationUnitOfWork) -> AllowanceCheck:
    """What recording the payment would mean, without recording it (ask before paying)."""
    age_band = await _age_band_of_served(
        uow, command.organisation_id, command.centrale_id, command.payment.volunteer_id
    )
    return await _check(uow, command.payment, age_band, command.limits)


async def record_payment(command: RecordPayment, uow: AppreciationUnitOfWork) -> tuple[bool, UUID, AllowanceCheck]:
    """Record a payment made, with the warnings it earns; a retry with the same reference returns the first.

    Returns whether it was created, its id, and the check (against the totals without this payment).
    """
    payment = command.payment
    age_band = await _age_band_of_served(uow, command.organisation_id, command.centrale_id, payment.volunteer_id)
    existing = await uow.allowances.by_reference(command.organisation_id, command.reference)
    if existing is not None:
        same = (existing.volunteer_id, existing.paid_on, existing.amount, existing.hours) == (
            payment.volunteer_id,
            payment.paid_on,
            payment.amount,
            payment.hours,
        )
        if not same:
            raise Conflict(f"reference {command.reference!r} was used for another payment")
        return False, existing.id, await _check(uow, payment, age_band, command.limits, excluding=existing.id)
    check = await _check(uow, payment, age_band, command.limits)
    allowance = Allowance(
        id=uuid4(),
        organisation_id=command.organisation_id,
        centrale_id=command.centrale_id,
        volunteer_id=payment.volunteer_id,
        reference=command.reference,
        paid_on=payment.paid_on,
        amount=payment.amount,
        hours=payment.hours,
        recorded_by=command.recorded_by,
        recorded_at=uow.now(),
    )
    if not await uow.allowances.add(allowance):
        # Another request recorded this reference meanwhile (it committed while this one waited).
        raise Conflict(f"reference {command.reference!r} was used for another payment")
    return True, allowance.id, check


async def list_allowances(query: ListAllowances, uow: AppreciationUnitOfWork) -> list[dict[str, Any]]:
    """The organisation's own entries of the year; NotFound for an organisation of another centrale (no oracle)."""
    organisation = await uow.organisations.get(query.organisation_id)
    if organisation is None or organisation.centrale_id != query.centrale_id:
        raise NotFound("no such organisation in this centrale")
    entries = await uow.allowances.of_organisation(
        query.organisation_id, query.centrale_id, date(query.year, 1, 1), date(query.year + 1, 1, 1)
    )
    return [
        {
            "id": a.id,
            "volunteer_id": a.volunteer_id,
            "reference": a.reference,
            "paid_on": a.paid_on,
            "amount": a.amount,
            "hours": a.hours,
            "recorded_at": a.recorded_at,
        }
        for a in entries
    ]


def evaluation(check: AllowanceCheck) -> dict[str, Any]:
    """The check as the API shows it."""
    return {
        "within_limits": check.within_limits,
        "warnings": [
            {"limit": w.limit, "message": w.message, "limit_amount": w.limit_amount, "excess": w.excess}
            for w in check.warnings
        ],
        "limits_year": check.limits_year,
        "limits_configured": check.limits is not None,
        "limits": None if check.limits is None else check.limits.model_dump(),
        "month_room_before": check.month_room_before,
        "year_room_before": check.year_room_before,
    }
