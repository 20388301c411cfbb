"""Retention queries (inactive volunteers, overdue re-confirmations, closed tasks' text, dormant organisations'
contacts): the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from common.auth import hash_token
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import (
    NOW,
    a_centrale,
    a_match,
    a_membership,
    a_task,
    a_volunteer,
    an_account,
    an_organisation,
    some_hours,
)

YEAR = timedelta(days=365)


async def _centrale(uow: RegistryUnitOfWork) -> str:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    return centrale.id


async def test_inactive_volunteers_are_those_without_registration_change_match_hours_or_login_since(
    uow: RegistryUnitOfWork,
) -> None:
    centrale = await _centrale(uow)
    long_ago = NOW - 3 * YEAR
    quiet = a_volunteer(centrale, registered_at=long_ago)
    changed = a_volunteer(centrale, registered_at=long_ago, updated_at=NOW - timedelta(days=10))
    matched = a_volunteer(centrale, registered_at=long_ago)
    worked = a_volunteer(centrale, registered_at=long_ago)
    logged_in = a_volunteer(centrale, registered_at=long_ago)
    erased = a_volunteer(centrale, registered_at=long_ago)
    asked = a_volunteer(centrale, registered_at=long_ago, reconfirm_asked_at=NOW - timedelta(days=5))
    for volunteer in (quiet, changed, matched, worked, logged_in, erased, asked):
        await uow.volunteers.add(volunteer)
    await uow.volunteers.mark_erased(erased.id, long_ago)
    organisation = an_organisation(centrale)
    await uow.organisations.add(organisation)
    task = a_task(centrale, organisation.id)
    await uow.tasks.add(task)
    await uow.matches.add(a_match(task, matched.id, made_at=NOW - timedelta(days=30)))
    old_match = a_match(task, worked.id, made_at=long_ago)
    await uow.matches.add(old_match)
    await uow.hours.add(some_hours(old_match, logged_at=NOW - timedelta(days=40)))
    account = an_account(last_login_at=NOW - timedelta(days=2))
    await uow.accounts.add(account)
    await uow.memberships.add(a_membership(account.id, "volunteer", centrale, subject_id=logged_in.id))

    found = await uow.volunteers.inactive(NOW - 2 * YEAR, 100)

    assert [v.id for v in found] == [quiet.id]


async def test_an_overdue_reconfirmation_is_one_past_its_deadline_without_activity_since_asked(
    uow: RegistryUnitOfWork,
) -> None:
    centrale = await _centrale(uow)
    asked_at = NOW - timedelta(days=31)
    base = {"registered_at": NOW - 3 * YEAR, "reconfirm_asked_at": asked_at}
    overdue = a_volunteer(centrale, **base, reconfirm_deadline=NOW - timedelta(days=1))
    waiting = a_volunteer(centrale, **base, reconfirm_deadline=NOW + timedelta(days=1))
    answered = a_volunteer(
        centrale, **base, reconfirm_deadline=NOW - timedelta(days=1), updated_at=NOW - timedelta(days=3)
    )
    token = replace(
        a_volunteer(centrale, registered_at=NOW),
        reconfirm_token_hash=hash_token("the-token"),
        reconfirm_deadline=NOW + timedelta(days=1),
    )
    for volunteer in (overdue, waiting, answered, token):
        await uow.volunteers.add(volunteer)

    assert [v.id for v in await uow.volunteers.reconfirm_overdue(NOW)] == [overdue.id]
    found = await uow.volunteers.by_reconfirm_token(hash_token("the-token"))
    assert found is not None
    assert found.id == token.id
    assert await uow.volunteers.by_reconfirm_token(hash_token("another")) is None


async def test_closed_tasks_lose_their_free_text_after_the_window_and_are_counted_once(
    uow: RegistryUnitOfWork,
) -> None:
    centrale = await _centrale(uow)
    organisation = an_organisation(centrale)
    await uow.organisations.add(organisation)
    old = {"status": "closed", "closed_at": NOW - 2 * YEAR, "offer": "Een onkostenvergoeding"}
    closed_long_ago = a_task(centrale, organisation.id, **old)
    expired_long_ago = a_task(centrale, organisation.id, **(old | {"status": "expired"}))
    closed_recently = a_task(centrale, organisation.id, **(old | {"closed_at": NOW - timedelta(days=10)}))
    published = a_task(centrale, organisation.id, status="published")
    for task in (closed_long_ago, expired_long_ago, closed_recently, published):
        await uow.tasks.add(task)

    assert await uow.tasks.purge_closed_texts(NOW - YEAR, NOW) == 2
    assert await uow.tasks.purge_closed_texts(NOW - YEAR, NOW) == 0

    purged = await uow.tasks.get(closed_long_ago.id, centrale)
    assert purged is not None
    assert (purged.title, purged.description, purged.offer) == (closed_long_ago.title, "", None)
    kept = await uow.tasks.get(closed_recently.id, centrale)
    assert kept is not None
    assert kept.description == closed_recently.description


async def test_dormant_and_refused_organisations_lose_their_contact_person_once(uow: RegistryUnitOfWork) -> None:
    centrale = await _centrale(uow)
    long_ago = NOW - 3 * YEAR
    refused = an_organisation(centrale, status="refused", vetted_at=long_ago, registered_at=long_ago)
    dormant = an_organisation(centrale, vetted_at=long_ago, registered_at=long_ago)
    with_old_closed_task = an_organisation(centrale, vetted_at=long_ago, registered_at=long_ago)
    with_open_task = an_organisation(centrale, vetted_at=long_ago, registered_at=long_ago)
    new = an_organisation(centrale, status="refused", vetted_at=NOW - timedelta(days=3))
    for organisation in (refused, dormant, with_old_closed_task, with_open_task, new):
        await uow.organisations.add(organisation)
    await uow.tasks.add(
        a_task(centrale, with_old_closed_task.id, created_at=long_ago, status="closed", closed_at=long_ago)
    )
    await uow.tasks.add(a_task(centrale, with_open_task.id, created_at=long_ago, status="published"))

    assert await uow.organisations.purge_dormant_contacts(NOW - 2 * YEAR) == 3
    assert await uow.organisations.purge_dormant_contacts(NOW - 2 * YEAR) == 0

    for organisation, contact in (
        (refused, None),
        (dormant, None),
        (with_old_closed_task, None),
        (with_open_task, "Anna de Boer"),
        (new, "Anna de Boer"),
    ):
        stored = await uow.organisations.get(organisation.id, centrale)
        assert stored is not None
        assert (stored.contact_name, stored.contact_email is None) == (contact, contact is None)
