"""Only admitted organisations act on the platform (issue 19): no credentials, accounts or sessions while an
organisation is vetted or after it was refused, and a refusal takes back what it had; on the fakes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from common.auth import Role
from common.errors import Conflict
from contracts.events import CredentialRevoked, OrganisationRefused
from registry.repositories import Organisation
from registry.use_cases.accounts import Invite, invite
from registry.use_cases.credentials import IssueCredential, RotateCredential, issue_credential, rotate_credential
from registry.use_cases.organisations import RefuseOrganisation, refuse_organisation
from registry.use_cases.sessions import Login, LoginRefused, SessionStarted, SwitchMembership, login, switch_membership
from registry.use_cases.tasks import CreateTask, TaskFields, create_task
from tests.registry.builders import a_credential, a_membership, a_policy, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork
from tests.registry.unit.accounts_steps import OPS, PASSWORD, acting, person, session_of, staff_of, with_centrale

PENDING = "the organisation is still being vetted: admit it first, then give it credentials or accounts"
REFUSED = "the organisation was refused: it gets no credentials or accounts"


async def _organisation(uow: FakeRegistryUnitOfWork, status: str) -> Organisation:
    centrale = await with_centrale(uow)
    organisation = an_organisation(centrale.id, status=status)
    await uow.organisations.add(organisation)
    return organisation


def _credential_for(organisation: Organisation) -> IssueCredential:
    return IssueCredential(Role.ORGANISATION, organisation.centrale_id, "coördinator", organisation.id)


def _invitation(organisation: Organisation) -> Invite:
    return Invite(
        role=Role.ORGANISATION,
        centrale_id=organisation.centrale_id,
        subject_id=organisation.id,
        email="anna@buurthuis.example",
        name="Anna de Boer",
        by=staff_of(organisation.centrale_id),
        policy=a_policy(),
    )


@pytest.mark.parametrize(("status", "reason"), [("pending", PENDING), ("refused", REFUSED)])
async def test_an_organisation_not_admitted_gets_no_credential_and_no_user_with_the_reason(
    uow: FakeRegistryUnitOfWork, status: str, reason: str
) -> None:
    organisation = await _organisation(uow, status)

    with pytest.raises(Conflict) as credential:
        await issue_credential(_credential_for(organisation), uow)
    with pytest.raises(Conflict) as invitation:
        await invite(_invitation(organisation), acting(uow, staff_of(organisation.centrale_id)))

    assert (str(credential.value), str(invitation.value)) == (reason, reason)
    assert (uow.tables.credentials, uow.tables.accounts, uow.events()) == ({}, {}, [])


async def test_an_admitted_organisation_gets_both(uow: FakeRegistryUnitOfWork) -> None:
    organisation = await _organisation(uow, "admitted")
    issued = await issue_credential(_credential_for(organisation), uow)
    invited = await invite(_invitation(organisation), acting(uow, staff_of(organisation.centrale_id)))
    assert issued.subject_id == organisation.id
    assert uow.tables.memberships[invited.membership_id].subject_id == organisation.id


async def test_refusing_revokes_its_credentials_and_sessions_and_ends_its_memberships_with_an_event_each(
    uow: FakeRegistryUnitOfWork,
) -> None:
    organisation = await _organisation(uow, "pending")
    # What a pending organisation could still hold from before admission was required: a credential, a user.
    legacy = a_credential(organisation.id, organisation.centrale_id, role="organisation", label="coördinator")
    await uow.credentials.add(legacy)
    account, membership = await person(uow, Role.ORGANISATION, organisation.centrale_id, subject_id=organisation.id)
    session = await session_of(uow, account, membership)
    staff, desk = await person(uow, Role.CENTRALE_STAFF, organisation.centrale_id)
    staff_session = await session_of(uow, staff, desk)  # someone else's: untouched
    before = len(uow.events())

    refused = await refuse_organisation(
        RefuseOrganisation(organisation.id, organisation.centrale_id, "geen vrijwilligerswerk"),
        acting(uow, staff_of(organisation.centrale_id, staff.id)),
    )

    assert (refused.credentials_revoked, refused.memberships_ended) == (2, 1)
    assert [c.id for c in uow.credentials.active()] == [staff_session.session["id"]]
    assert uow.tables.memberships[membership.id].ended_at is not None
    assert uow.tables.memberships[desk.id].ended_at is None
    assert uow.tables.accounts[account.id].erased_at is None  # the person keeps the account, without the role
    refusal, *revocations = uow.events()[before:]
    assert isinstance(refusal, OrganisationRefused)
    assert {e.credential_id for e in revocations if isinstance(e, CredentialRevoked)} == {
        legacy.id,
        session.session["id"],
    }
    assert len(revocations) == 2


async def test_a_user_of_an_organisation_not_admitted_starts_no_session(uow: FakeRegistryUnitOfWork) -> None:
    organisation = await _organisation(uow, "pending")
    account, pending = await person(uow, Role.ORGANISATION, organisation.centrale_id, subject_id=organisation.id)
    assert account.email is not None
    attempt = Login(account.email, PASSWORD, None, None, "laptop", "10.0.0.1", a_policy())

    assert await login(attempt, uow) == LoginRefused("credentials")
    assert [c for c in uow.tables.credentials.values() if c.kind == "session"] == []

    # The same person also acts for an admitted organisation: they log in as that one, and cannot switch back.
    admitted = await _organisation(uow, "admitted")
    await uow.memberships.add(
        a_membership(account.id, Role.ORGANISATION.value, admitted.centrale_id, subject_id=admitted.id)
    )
    started = await login(attempt, uow)
    assert isinstance(started, SessionStarted)
    assert started.session["subject_id"] == admitted.id
    with pytest.raises(Conflict, match="still being vetted"):
        await switch_membership(SwitchMembership(started.session["id"], pending.id, a_policy()), uow)


async def test_a_credential_from_before_admission_was_required_is_not_rotated(uow: FakeRegistryUnitOfWork) -> None:
    organisation = await _organisation(uow, "pending")
    legacy = a_credential(organisation.id, organisation.centrale_id, role="organisation", kind="api")
    await uow.credentials.add(legacy)
    with pytest.raises(Conflict, match="still being vetted"):
        await rotate_credential(RotateCredential(legacy.id, OPS, a_policy().api_credential_lifetime), uow)
    assert uow.credentials.active() == [legacy]


async def test_staff_cannot_save_a_task_for_a_refused_organisation(uow: FakeRegistryUnitOfWork) -> None:
    organisation = await _organisation(uow, "refused")
    fields = TaskFields(
        title="Koken", description="Kook mee in het buurthuis.", theme="zorg", capacity=1,
        hours_per_week=Decimal("2"), vog_required=False,
    )  # fmt: skip
    with pytest.raises(Conflict, match="was refused: it cannot save tasks"):
        await create_task(CreateTask(organisation.centrale_id, organisation.id, fields), uow)
    assert uow.tables.tasks == {}
