"""AccessLogRepository and RateLimitRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

from registry.repositories import Access, Window
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW


def _access(volunteer_id: UUID, centrale_id: str, at_minutes: int, account_id: UUID | None = None) -> Access:
    return Access(
        id=uuid4(),
        at=NOW + timedelta(minutes=at_minutes),
        volunteer_id=volunteer_id,
        centrale_id=centrale_id,
        actor=f"account:{account_id}" if account_id else "credential:x",
        account_id=account_id,
        acting_centrale_id=centrale_id,
        action="read",
        what="record",
        purpose="mediation",
    )


async def test_the_trail_of_a_volunteer_and_of_a_centrale_newest_first(uow: RegistryUnitOfWork) -> None:
    volunteer, other_volunteer, anna = uuid4(), uuid4(), uuid4()
    rows = [
        _access(volunteer, "vc-a", 0, anna),
        _access(volunteer, "vc-a", 10),
        _access(other_volunteer, "vc-a", 20, anna),
        _access(uuid4(), "vc-b", 30, anna),
    ]
    for row in rows:
        await uow.access_log.add(row)

    assert await uow.access_log.of_volunteer(volunteer, 10) == [rows[1], rows[0]]
    assert await uow.access_log.of_volunteer(volunteer, 1) == [rows[1]]
    until = NOW + timedelta(hours=1)
    assert await uow.access_log.of_centrale("vc-a", NOW, until, None, 10, 0) == [rows[2], rows[1], rows[0]]
    assert await uow.access_log.of_centrale("vc-a", NOW, until, anna, 10, 0) == [rows[2], rows[0]]
    assert await uow.access_log.of_centrale("vc-a", NOW, until, None, 1, 1) == [rows[1]]
    assert await uow.access_log.of_centrale(
        "vc-a", NOW + timedelta(minutes=5), NOW + timedelta(minutes=20), None, 10, 0
    ) == [rows[1]]


async def test_purging_deletes_rows_older_than_the_cutoff_in_batches(uow: RegistryUnitOfWork) -> None:
    volunteer = uuid4()
    rows = [_access(volunteer, "vc-a", minutes) for minutes in (0, 1, 2, 3)]
    for row in rows:
        await uow.access_log.add(row)

    assert await uow.access_log.purge(NOW + timedelta(minutes=3), 2) == 2
    assert await uow.access_log.purge(NOW + timedelta(minutes=3), 2) == 1
    assert await uow.access_log.purge(NOW + timedelta(minutes=3), 2) == 0
    assert await uow.access_log.of_volunteer(volunteer, 10) == [rows[3]]


async def test_an_attempt_counts_in_the_open_window_or_opens_a_new_one(uow: RegistryUnitOfWork) -> None:
    window = timedelta(minutes=15)
    key = uuid4().hex
    assert await uow.rate_limits.hit(key, NOW, window) == Window(NOW, 1)
    assert await uow.rate_limits.hit(key, NOW + timedelta(minutes=14), window) == Window(NOW, 2)
    assert await uow.rate_limits.hit(key, NOW + timedelta(minutes=15), window) == Window(NOW + timedelta(minutes=15), 1)
    other = uuid4().hex
    assert await uow.rate_limits.hit(other, NOW, window) == Window(NOW, 1)

    await uow.rate_limits.clear(key)
    assert await uow.rate_limits.hit(key, NOW + timedelta(minutes=16), window) == Window(NOW + timedelta(minutes=16), 1)
    assert await uow.rate_limits.purge(NOW + timedelta(minutes=1)) == 1  # the other key's window opened at NOW
    assert await uow.rate_limits.hit(other, NOW + timedelta(minutes=2), window) == Window(NOW + timedelta(minutes=2), 1)
