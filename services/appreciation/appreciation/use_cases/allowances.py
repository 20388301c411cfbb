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

import asyncpg

from appreciation import domain
from appreciation.domain import AllowanceCheck, AllowanceLimits
from appreciation.use_cases._shared import Conflict, NotFound
from common.db import Connection

__all__ = ["Payment", "check_payment", "evaluation", "list_allowances", "record_payment"]


@dataclass(frozen=True)
class Payment:
    """An allowance an organisation pays (or is about to pay) a volunteer."""

    volunteer_id: UUID
    paid_on: date
    amount: Decimal
    hours: Decimal | None = None


async def _volunteer_of(conn: Connection, organisation_id: UUID, centrale_id: str, volunteer_id: UUID) -> str | None:
    """Lock the volunteer (one payment checked at a time) and return the age band; NotFound unless served.

    An organisation may only ask about volunteers it has a match with: otherwise anyone could probe
    any volunteer id for their allowance totals.
    """
    organisation_centrale = await conn.fetchval("SELECT centrale_id FROM organisations WHERE id = $1", organisation_id)
    if organisation_centrale != centrale_id:
        raise NotFound(f"organisation {organisation_id} not found")
    serves = await conn.fetchval(
        "SELECT true FROM matches WHERE organisation_id = $1 AND volunteer_id = $2 LIMIT 1",
        organisation_id,
        volunteer_id,
    )
    volunteer = await conn.fetchrow("SELECT age_band FROM volunteers WHERE id = $1 FOR UPDATE", volunteer_id)
    if not serves or volunteer is None:
        raise NotFound(f"volunteer {volunteer_id} not found among this organisation's matches")
    age_band: str | None = volunteer["age_band"]
    return age_band


async def _check(
    conn: Connection,
    payment: Payment,
    age_band: str | None,
    limits: dict[int, AllowanceLimits],
    exclude: UUID | None = None,
) -> AllowanceCheck:
    month_start = payment.paid_on.replace(day=1)
    totals = await conn.fetchrow(
        "SELECT coalesce(sum(amount) FILTER (WHERE paid_on >= $3 AND paid_on < $4), 0) AS month,"
        " coalesce(sum(amount), 0) AS year FROM allowances"
        " WHERE volunteer_id = $1 AND paid_on >= $2 AND paid_on < $5 AND id IS DISTINCT FROM $6",
        payment.volunteer_id,
        date(payment.paid_on.year, 1, 1),
        month_start,
        domain.add_months(month_start, 1),
        date(payment.paid_on.year + 1, 1, 1),
        exclude,
    )
    assert totals is not None
    return domain.check_allowance(
        amount=payment.amount,
        hours=payment.hours,
        paid_on=payment.paid_on,
        age_band=age_band,
        month_total_before=totals["month"],
        year_total_before=totals["year"],
        limits_by_year=limits,
    )


async def check_payment(
    conn: Connection, organisation_id: UUID, centrale_id: str, payment: Payment, limits: dict[int, AllowanceLimits]
) -> AllowanceCheck:
    """What recording ``payment`` would mean, without recording it (ask before paying)."""
    async with conn.transaction():
        age_band = await _volunteer_of(conn, organisation_id, centrale_id, payment.volunteer_id)
        return await _check(conn, payment, age_band, limits)


async def record_payment(
    conn: Connection,
    organisation_id: UUID,
    centrale_id: str,
    payment: Payment,
    reference: str,
    recorded_by: str,
    limits: dict[int, AllowanceLimits],
) -> tuple[bool, UUID, AllowanceCheck]:
    """Record a payment made, with the warnings it earns; a retry with the same reference returns the first.

    Returns whether it was created, its id, and the check (against the totals without this payment).
    """
    async with conn.transaction():
        age_band = await _volunteer_of(conn, organisation_id, centrale_id, payment.volunteer_id)
        existing = await conn.fetchrow(
            "SELECT * FROM allowances WHERE organisation_id = $1 AND reference = $2", organisation_id, reference
        )
        if existing is not None:
            same = (existing["volunteer_id"], existing["paid_on"], existing["amount"], existing["hours"]) == (
                payment.volunteer_id, payment.paid_on, payment.amount, payment.hours,
            )  # fmt: skip
            if not same:
                raise Conflict(f"reference {reference!r} was used for another payment")
            return False, existing["id"], await _check(conn, payment, age_band, limits, exclude=existing["id"])
        check = await _check(conn, payment, age_band, limits)
        allowance_id = uuid4()
        try:
            await conn.execute(
                "INSERT INTO allowances (id, organisation_id, centrale_id, volunteer_id, reference, paid_on, amount,"
                " hours, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                allowance_id, organisation_id, centrale_id, payment.volunteer_id, reference, payment.paid_on,
                payment.amount, payment.hours, recorded_by,
            )  # fmt: skip
        except asyncpg.UniqueViolationError as error:
            raise Conflict(f"reference {reference!r} was used for another payment") from error
        return True, allowance_id, check


async def list_allowances(conn: Connection, organisation_id: UUID, centrale_id: str, year: int) -> list[dict[str, Any]]:
    """The organisation's own entries of ``year``."""
    rows = await conn.fetch(
        "SELECT id, volunteer_id, reference, paid_on, amount, hours, recorded_at FROM allowances"
        " WHERE organisation_id = $1 AND centrale_id = $2 AND paid_on >= $3 AND paid_on < $4 ORDER BY paid_on, id",
        organisation_id,
        centrale_id,
        date(year, 1, 1),
        date(year + 1, 1, 1),
    )
    return [dict(row) for row in rows]


def evaluation(check: AllowanceCheck) -> dict[str, Any]:
    """The check as the API shows it."""
    return {
        "within_limits": check.within_limits,
        "warnings": [
            {"limit": w.limit, "message": w.message, "limit_amount": w.limit_amount, "excess": w.excess}
            for w in check.warnings
        ],
        "limits_year": check.limits_year,
        "limits": check.limits.model_dump(),
        "month_room_before": check.month_room_before,
        "year_room_before": check.year_room_before,
    }
