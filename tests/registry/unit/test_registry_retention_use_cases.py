"""Retention use cases on the fakes: re-confirmation asked, answered or unanswered (erased), purges counted."""

from __future__ import annotations

from datetime import timedelta

import pytest

from common.auth import hash_token
from common.clock import ManualClock
from common.errors import NotFound
from contracts.events import VolunteerErased
from registry.use_cases.retention import (
    AskToReconfirm,
    EraseUnconfirmed,
    PurgeClosedTaskTexts,
    PurgeOrganisationContacts,
    Reconfirm,
    ask_to_reconfirm,
    erase_unconfirmed,
    purge_closed_task_texts,
    purge_organisation_contacts,
    reconfirm,
)
from tests.registry.builders import NOW, a_centrale, a_task, a_volunteer, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork

TWO_YEARS = timedelta(days=730)
WINDOW = timedelta(days=30)
ASK = AskToReconfirm(TWO_YEARS, WINDOW)


async def _inactive_volunteers(uow: FakeRegistryUnitOfWork) -> tuple[str, list[str]]:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    old = NOW - TWO_YEARS - timedelta(days=1)
    quiet = a_volunteer(centrale.id, registered_at=old)
    no_email = a_volunteer(centrale.id, registered_at=old, email=None)
    active = a_volunteer(centrale.id, registered_at=NOW - timedelta(days=100))
    for volunteer in (quiet, no_email, active):
        await uow.volunteers.add(volunteer)
    return centrale.name, [str(quiet.id), str(no_email.id), str(active.id)]


async def test_inactive_volunteers_are_asked_once_with_a_deadline_and_a_link(uow: FakeRegistryUnitOfWork) -> None:
    centrale_name, (quiet, no_email, active) = await _inactive_volunteers(uow)

    asked = await ask_to_reconfirm(ASK, uow)

    [mail] = asked.mails
    assert (mail.kind, mail.centrale, mail.expires_at, asked.without_email) == (
        "reconfirm",
        centrale_name,
        NOW + WINDOW,
        1,
    )
    stored = {str(v.id): v for v in uow.tables.volunteers.values()}
    assert stored[quiet].email == mail.to
    assert stored[quiet].reconfirm_token_hash == hash_token(mail.token)
    assert stored[no_email].reconfirm_deadline == NOW + WINDOW
    assert stored[active].reconfirm_asked_at is None
    again = await ask_to_reconfirm(ASK, uow)
    assert (again.mails, again.without_email) == ([], 0)


async def test_a_volunteer_who_reconfirms_stays_and_the_others_are_erased_after_the_deadline(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    _, (quiet, no_email, _active) = await _inactive_volunteers(uow)
    [mail] = (await ask_to_reconfirm(ASK, uow)).mails
    clock.advance(timedelta(days=10))
    uow.renew()
    await reconfirm(Reconfirm(mail.token), uow)
    with pytest.raises(NotFound):
        await reconfirm(Reconfirm(mail.token), uow)
    assert await erase_unconfirmed(EraseUnconfirmed(), uow) == 0  # no deadline passed yet

    clock.advance(WINDOW)
    uow.renew()
    assert await erase_unconfirmed(EraseUnconfirmed(), uow) == 1

    erased = [e for e in uow.events() if isinstance(e, VolunteerErased)]
    assert [str(e.volunteer_id) for e in erased] == [no_email]
    kept = {str(v.id): v for v in uow.tables.volunteers.values()}
    assert kept[quiet].erased_at is None
    assert kept[no_email].name is None


async def test_purges_count_closed_tasks_and_dormant_organisations(uow: FakeRegistryUnitOfWork) -> None:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    long_ago = NOW - timedelta(days=800)
    organisation = an_organisation(centrale.id, vetted_at=long_ago, registered_at=long_ago)
    await uow.organisations.add(organisation)
    closed = NOW - timedelta(days=400)
    await uow.tasks.add(a_task(centrale.id, organisation.id, status="closed", closed_at=closed, created_at=long_ago))

    assert await purge_closed_task_texts(PurgeClosedTaskTexts(timedelta(days=365)), uow) == 1
    # The task closed 400 days ago: within a 450-day window the organisation is not dormant yet.
    assert await purge_organisation_contacts(PurgeOrganisationContacts(timedelta(days=450)), uow) == 0
    assert await purge_organisation_contacts(PurgeOrganisationContacts(timedelta(days=365)), uow) == 1
