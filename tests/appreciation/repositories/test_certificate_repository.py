"""Certificate repository: kept for third parties to verify, anonymised on erasure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from appreciation.domain import Certificate
from appreciation.unit_of_work import AppreciationUnitOfWork

AT = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)


def _certificate(volunteer_id: UUID, issued_at: datetime = AT) -> Certificate:
    return Certificate(uuid4(), volunteer_id, "vc-a", "ab" * 32, Decimal("14.75"), 2, date(2026, 2, 3), None, issued_at)


async def test_certificates_are_found_by_id_and_per_volunteer_and_stay_after_erasure(
    uow: AppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    later, earlier = _certificate(volunteer_id, AT + timedelta(days=1)), _certificate(volunteer_id)
    await uow.certificates.add(later)
    await uow.certificates.add(earlier)

    assert await uow.certificates.get(earlier.id) == earlier
    assert await uow.certificates.get(uuid4()) is None
    assert await uow.certificates.of_volunteer(volunteer_id) == [earlier, later]

    await uow.certificates.anonymise(volunteer_id)

    assert await uow.certificates.of_volunteer(volunteer_id) == []
    assert await uow.certificates.get(earlier.id) == replace(earlier, volunteer_id=None)
