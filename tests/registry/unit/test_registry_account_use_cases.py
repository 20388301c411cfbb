"""Personal accounts on the fakes: invitations and who may send them, passwords from links, the second factor,
memberships and their end, erasure."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pyotp
import pytest

from common.auth import Caller, CredentialKind, Role, hash_token
from common.clock import ManualClock
from common.errors import Conflict, Forbidden, NotFound, Rejected
from contracts.events import CredentialRevoked
from registry.domain import AccessPurpose
from registry.use_cases.accounts import (
    ChangePassword,
    ConfirmTotp,
    EndMembership,
    GetAccount,
    Invite,
    ListMemberships,
    RemoveTotp,
    RequestPasswordReset,
    ResetRequested,
    SetPassword,
    StartTotp,
    change_password,
    confirm_totp,
    end_membership,
    get_account,
    invite,
    list_memberships,
    remove_totp,
    request_password_reset,
    set_password,
    start_totp,
)
from registry.use_cases.throttle import PurgeAttemptCounters, Throttled, purge_attempt_counters
from registry.use_cases.volunteers import EraseVolunteer, erase_volunteer
from tests.registry.builders import (
    FAST_PASSWORDS,
    NOW,
    a_membership,
    a_partner,
    a_policy,
    a_volunteer,
    an_organisation,
)
from tests.registry.fakes import FakeRegistryUnitOfWork
from tests.registry.unit.accounts_steps import PASSWORD, acting, ops, person, session_of, staff_of, with_centrale

POLICY = a_policy()
NEW_PASSWORD = "a new passphrase of mine"


def _revoked(uow: FakeRegistryUnitOfWork) -> list[UUID]:
    return [e.credential_id for e in uow.events(CredentialRevoked) if isinstance(e, CredentialRevoked)]


def _invite(role: Role, centrale_id: str | None, by: Caller | None, **fields: object) -> Invite:
    values: dict[str, object] = {
        "role": role,
        "centrale_id": centrale_id,
        "subject_id": None,
        "email": "kees@vc.example",
        "name": "Kees de Vries",
        "by": by,
        "policy": POLICY,
    }
    return Invite(**(values | fields))  # type: ignore[arg-type]


async def test_staff_invite_a_colleague_who_gets_an_account_a_membership_and_a_single_use_link(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    inviter, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    by = staff_of(centrale.id, inviter.id)

    invited = await invite(_invite(Role.CENTRALE_STAFF, centrale.id, by), acting(uow, by))

    account = uow.tables.accounts[invited.account_id]
    assert (account.email, account.name, account.password_hash) == ("kees@vc.example", "Kees de Vries", None)
    assert account.created_by == f"account:{inviter.id}"
    membership = uow.tables.memberships[invited.membership_id]
    assert (membership.role, membership.centrale_id) == ("centrale_staff", centrale.id)
    mail = invited.mail
    assert (mail.kind, mail.to, mail.where, mail.expires_at) == (
        "invitation",
        "kees@vc.example",
        centrale.name,
        NOW + timedelta(hours=72),
    )
    assert mail.token is not None
    [link] = uow.tables.account_links.values()
    assert (link.token_hash, link.purpose, link.used_at) == (hash_token(mail.token), "invitation", None)
    assert mail.token not in repr(uow.tables), "only the token's hash is kept"


async def test_the_link_sets_a_password_once_and_every_session_of_the_account_ends(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    centrale = await with_centrale(uow)
    invited = await invite(_invite(Role.CENTRALE_STAFF, centrale.id, ops()), acting(uow, ops()))
    account = uow.tables.accounts[invited.account_id]
    membership = uow.tables.memberships[invited.membership_id]
    await session_of(uow, account, membership)  # e.g. a session from before a reset
    uow.emitted.clear()
    assert invited.mail.token is not None

    clock.advance(timedelta(hours=71))
    uow.renew()
    assert await set_password(SetPassword(invited.mail.token, NEW_PASSWORD, POLICY), uow) == account.id

    stored = uow.tables.accounts[account.id]
    assert stored.password_hash is not None
    assert await FAST_PASSWORDS.verify(stored.password_hash, NEW_PASSWORD)
    assert stored.password_changed_at == NOW + timedelta(hours=71)
    assert [type(e.event) for e in uow.emitted] == [CredentialRevoked]
    with pytest.raises(Rejected, match="used, it expired, or it is unknown") as refused:
        await set_password(SetPassword(invited.mail.token, "another passphrase here", POLICY), uow)
    assert refused.value.field == "token"


async def test_a_link_stops_working_when_it_expires_or_a_newer_one_is_sent(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    centrale = await with_centrale(uow)
    first = await invite(_invite(Role.CENTRALE_STAFF, centrale.id, ops()), acting(uow, ops()))
    second = await invite(_invite(Role.CENTRALE_STAFF, centrale.id, ops()), acting(uow, ops()))
    assert second.membership_id == first.membership_id, "invited again: the same membership, a new link"
    assert first.mail.token is not None
    assert second.mail.token is not None
    with pytest.raises(Rejected):
        await set_password(SetPassword(first.mail.token, NEW_PASSWORD, POLICY), uow)

    clock.advance(timedelta(hours=72))
    uow.renew()
    with pytest.raises(Rejected):
        await set_password(SetPassword(second.mail.token, NEW_PASSWORD, POLICY), uow)


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12 characters"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("Wachtwoord1234", "too easy to guess"),
        ("kees@vc.example", "e-mail address"),
    ],
)
async def test_a_weak_password_is_refused_at_its_field_and_the_link_still_works(
    uow: FakeRegistryUnitOfWork, password: str, problem: str
) -> None:
    centrale = await with_centrale(uow)
    invited = await invite(_invite(Role.CENTRALE_STAFF, centrale.id, ops()), acting(uow, ops()))
    assert invited.mail.token is not None

    with pytest.raises(Rejected, match=problem) as refused:
        async with uow.transaction():  # as the request's transaction rolls back
            await set_password(SetPassword(invited.mail.token, password, POLICY), uow)
    assert refused.value.field == "password"
    assert password not in str(refused.value), "a refusal never echoes the password"

    await set_password(SetPassword(invited.mail.token, NEW_PASSWORD, POLICY), uow)


async def test_inviting_a_person_who_has_an_account_adds_the_role_and_says_so(uow: FakeRegistryUnitOfWork) -> None:
    centrale, other = await with_centrale(uow), await with_centrale(uow)
    account, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    assert account.email is not None

    invited = await invite(
        _invite(Role.CENTRALE_STAFF, other.id, ops(), email=account.email.upper(), name="ignored"), acting(uow, ops())
    )

    assert invited.account_id == account.id, "the address is the same whatever its case"
    assert (invited.mail.kind, invited.mail.token, invited.mail.where) == ("membership_added", None, other.name)
    assert {m.centrale_id for m in await uow.memberships.active_of(account.id)} == {centrale.id, other.id}
    with pytest.raises(Conflict, match="already has this role"):
        await invite(_invite(Role.CENTRALE_STAFF, other.id, ops(), email=account.email), acting(uow, ops()))


async def test_who_may_invite_whom(uow: FakeRegistryUnitOfWork) -> None:
    centrale, other = await with_centrale(uow), await with_centrale(uow)
    organisation, elsewhere = an_organisation(centrale.id), an_organisation(centrale.id)
    for o in (organisation, elsewhere):
        await uow.organisations.add(o)
    partner = a_partner()
    await uow.partners.add(partner)
    staff = staff_of(centrale.id, uuid4())
    coordinator = Caller(uuid4(), Role.ORGANISATION, centrale.id, organisation.id, uuid4(), CredentialKind.SESSION)
    allowed = [
        (Role.CENTRALE_STAFF, centrale.id, None, staff),
        (Role.ORGANISATION, centrale.id, organisation.id, staff),
        (Role.ORGANISATION, centrale.id, organisation.id, coordinator),
        (Role.MUNICIPALITY_READER, centrale.id, None, ops()),
        (Role.BUSINESS_PARTNER, None, partner.id, ops()),
        (Role.REGION_OPS, None, None, ops()),
        (Role.REGION_OPS, None, None, None),
    ]
    for i, (role, centrale_id, subject, by) in enumerate(allowed):
        invited = await invite(
            _invite(role, centrale_id, by, subject_id=subject, email=f"p{i}@vc.example"), acting(uow, by or ops())
        )
        assert uow.tables.memberships[invited.membership_id].role == role.value

    refused: list[tuple[Role, str | None, UUID | None, Caller | None, type[Exception]]] = [
        (Role.CENTRALE_STAFF, other.id, None, staff, NotFound),  # another centrale: not even its existence
        (Role.CENTRALE_STAFF, centrale.id, None, coordinator, Forbidden),
        (Role.ORGANISATION, centrale.id, elsewhere.id, coordinator, NotFound),
        (Role.MUNICIPALITY_READER, centrale.id, None, staff, Forbidden),
        (Role.REGION_OPS, None, None, staff, Forbidden),
        (Role.CENTRALE_STAFF, centrale.id, None, None, Forbidden),  # no inviter: only the first ops account
        (Role.ORGANISATION, centrale.id, uuid4(), staff, NotFound),
        (Role.CENTRALE_STAFF, "vc-nowhere", None, ops(), NotFound),
        (Role.BUSINESS_PARTNER, centrale.id, partner.id, ops(), Rejected),  # a partner is regional
        (Role.ORGANISATION, centrale.id, None, staff, Rejected),  # which organisation?
    ]
    before = dict(uow.tables.memberships)
    for role, centrale_id, subject, by, error in refused:
        with pytest.raises(error):
            await invite(_invite(role, centrale_id, by, subject_id=subject, email="x@vc.example"), acting(uow, ops()))
    assert uow.tables.memberships == before


async def test_a_volunteer_is_invited_at_the_address_in_their_record_and_the_trail_says_who(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    volunteer = a_volunteer(centrale.id)
    await uow.volunteers.add(volunteer)
    consulent, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    by = staff_of(centrale.id, consulent.id)

    with pytest.raises(Rejected, match="the e-mail address in their record"):
        await invite(_invite(Role.VOLUNTEER, centrale.id, by, subject_id=volunteer.id), acting(uow, by))
    invited = await invite(
        _invite(Role.VOLUNTEER, centrale.id, by, subject_id=volunteer.id, email=None, name=None), acting(uow, by)
    )

    account = uow.tables.accounts[invited.account_id]
    assert (account.email, account.name) == (volunteer.email, volunteer.name)
    [access] = uow.tables.personal_data_access.values()
    assert (access.volunteer_id, access.account_id, access.action, access.what, access.purpose) == (
        volunteer.id,
        consulent.id,
        "change",
        "account",
        AccessPurpose.ACCOUNT_SUPPORT,
    )


async def test_a_reset_link_is_made_only_for_an_account_that_can_log_in(uow: FakeRegistryUnitOfWork) -> None:
    centrale = await with_centrale(uow)
    account, membership = await person(uow, Role.ORGANISATION, centrale.id, subject_id=uuid4())
    assert account.email is not None

    unknown = await request_password_reset(RequestPasswordReset("nobody@vc.example", "10.0.0.1", POLICY), uow)
    known = await request_password_reset(RequestPasswordReset(account.email, "10.0.0.1", POLICY), uow)

    assert unknown == ResetRequested(None)
    assert isinstance(known, ResetRequested)
    assert known.mail is not None
    assert (known.mail.kind, known.mail.to, known.mail.expires_at) == (
        "password_reset",
        account.email,
        NOW + timedelta(minutes=30),
    )
    assert known.mail.token is not None
    await set_password(SetPassword(known.mail.token, NEW_PASSWORD, POLICY), uow)

    await uow.memberships.end(membership.id, NOW, "test")
    assert await request_password_reset(RequestPasswordReset(account.email, "10.0.0.2", POLICY), uow) == (
        ResetRequested(None)
    ), "an account without memberships gets no link"


async def test_reset_requests_are_throttled_per_address_and_per_account_until_the_window_ends(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    policy = a_policy(limits={"resets_per_address": 4, "resets_per_account": 2})
    asks = [await request_password_reset(RequestPasswordReset("a@vc.example", "10.0.0.1", policy), uow) for _ in "abc"]
    assert [type(a) for a in asks] == [ResetRequested, ResetRequested, Throttled]
    assert asks[2] == Throttled(3600)

    other_account = await request_password_reset(RequestPasswordReset("b@vc.example", "10.0.0.1", policy), uow)
    assert isinstance(other_account, ResetRequested)
    clock.advance(timedelta(minutes=20))
    uow.renew()
    address_spent = await request_password_reset(RequestPasswordReset("c@vc.example", "10.0.0.1", policy), uow)
    assert address_spent == Throttled(40 * 60)

    clock.advance(timedelta(minutes=40))
    uow.renew()
    again = await request_password_reset(RequestPasswordReset("a@vc.example", "10.0.0.1", policy), uow)
    assert isinstance(again, ResetRequested), "a new window"
    # The address, a and b: c was not counted, the address was throttled before its account came up.
    assert len(uow.tables.rate_limits) == 3
    assert await purge_attempt_counters(PurgeAttemptCounters(timedelta(hours=1)), uow) == 0
    clock.advance(timedelta(hours=2))
    uow.renew()
    assert await purge_attempt_counters(PurgeAttemptCounters(timedelta(hours=1)), uow) == 3


async def test_the_owner_sees_their_account_and_every_role_it_has(uow: FakeRegistryUnitOfWork) -> None:
    centrale = await with_centrale(uow)
    partner = a_partner()
    await uow.partners.add(partner)
    account, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id, totp=True)
    await invite(
        _invite(Role.BUSINESS_PARTNER, None, ops(), subject_id=partner.id, email=account.email), acting(uow, ops())
    )

    seen = await get_account(GetAccount(account.id), uow)

    assert (seen["email"], seen["password_set"], seen["totp_enabled"], seen["totp_required"]) == (
        account.email,
        True,
        True,
        True,
    )
    assert {(m["role"], m["centrale_name"], m["subject_name"]) for m in seen["memberships"]} == {
        ("centrale_staff", centrale.name, None),
        ("business_partner", None, partner.name),
    }


async def test_changing_the_password_needs_the_current_one_and_ends_every_other_session(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    account, membership = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    here = await session_of(uow, account, membership)
    elsewhere = await session_of(uow, account, membership)

    with pytest.raises(Rejected, match="current password") as refused:
        await change_password(
            ChangePassword(account.id, "not it at all", NEW_PASSWORD, here.session["id"], POLICY), uow
        )
    assert refused.value.field == "current_password"
    uow.emitted.clear()

    await change_password(ChangePassword(account.id, PASSWORD, NEW_PASSWORD, here.session["id"], POLICY), uow)

    assert await FAST_PASSWORDS.verify(uow.tables.accounts[account.id].password_hash, NEW_PASSWORD)
    assert uow.tables.credentials[here.session["id"]].revoked_at is None
    assert uow.tables.credentials[elsewhere.session["id"]].revoked_at == NOW
    assert [type(e.event) for e in uow.emitted] == [CredentialRevoked]
    assert _revoked(uow) == [elsewhere.session["id"]]


async def test_the_second_factor_is_on_only_once_a_code_from_the_new_secret_is_right(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    account, _ = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())

    enrolment = await start_totp(StartTotp(account.id, POLICY), uow)
    assert enrolment.otpauth_uri.startswith("otpauth://totp/Regio-platform%20testregio:")
    assert enrolment.qr_svg.startswith("<svg")
    assert uow.tables.accounts[account.id].totp_secret is None, "not in force before a code confirms it"
    with pytest.raises(Rejected) as wrong:
        await confirm_totp(ConfirmTotp(account.id, "000000"), uow)
    assert wrong.value.field == "code"

    await confirm_totp(ConfirmTotp(account.id, pyotp.TOTP(enrolment.secret).at(NOW)), uow)

    stored = uow.tables.accounts[account.id]
    assert (stored.totp_secret, stored.totp_pending_secret) == (enrolment.secret, None)
    with pytest.raises(Conflict):
        await start_totp(StartTotp(account.id, POLICY), uow)
    with pytest.raises(Rejected):  # the code just used works once
        await remove_totp(RemoveTotp(account.id, pyotp.TOTP(enrolment.secret).at(NOW)), uow)
    await remove_totp(RemoveTotp(account.id, pyotp.TOTP(enrolment.secret).at(NOW.timestamp() + 30)), uow)
    assert uow.tables.accounts[account.id].totp_secret is None


async def test_staff_and_ops_cannot_switch_the_second_factor_off(uow: FakeRegistryUnitOfWork) -> None:
    centrale = await with_centrale(uow)
    account, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id, totp=True)
    with pytest.raises(Forbidden, match="must keep the second factor"):
        await remove_totp(RemoveTotp(account.id, "123456"), uow)


async def test_staff_list_their_centrales_people_and_an_organisation_its_users(uow: FakeRegistryUnitOfWork) -> None:
    centrale, other = await with_centrale(uow), await with_centrale(uow)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    colleague, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)
    coordinator, _ = await person(uow, Role.ORGANISATION, centrale.id, subject_id=organisation.id)
    await person(uow, Role.CENTRALE_STAFF, other.id)
    by = staff_of(centrale.id)

    everyone = await list_memberships(ListMemberships(by, centrale.id), uow)
    staff_only = await list_memberships(ListMemberships(by, centrale.id, roles=(Role.CENTRALE_STAFF,)), uow)
    as_coordinator = Caller(uuid4(), Role.ORGANISATION, centrale.id, organisation.id)
    users = await list_memberships(ListMemberships(as_coordinator, centrale.id, organisation.id), uow)

    assert {m["account_id"] for m in everyone} == {colleague.id, coordinator.id}
    assert [(m["name"], m["password_set"], m["totp_enabled"]) for m in staff_only] == [(colleague.name, True, False)]
    assert [(m["account_id"], m["subject_name"]) for m in users] == [(coordinator.id, organisation.name)]
    with pytest.raises(NotFound):
        await list_memberships(ListMemberships(by, other.id), uow)
    with pytest.raises(Forbidden):
        await list_memberships(ListMemberships(as_coordinator, centrale.id), uow)
    with pytest.raises(Forbidden):
        await list_memberships(ListMemberships(by, None), uow)
    region = await list_memberships(ListMemberships(ops(), None, roles=(Role.CENTRALE_STAFF,)), uow)
    assert len(region) == 2


async def test_ending_a_membership_ends_its_sessions_and_only_its_centrale_may(uow: FakeRegistryUnitOfWork) -> None:
    centrale, other = await with_centrale(uow), await with_centrale(uow)
    leaving, membership = await person(uow, Role.CENTRALE_STAFF, centrale.id, totp=True)
    started = await session_of(uow, leaving, membership)
    reader, reader_membership = await person(uow, Role.MUNICIPALITY_READER, centrale.id)
    uow.emitted.clear()

    with pytest.raises(NotFound):
        await end_membership(EndMembership(membership.id, staff_of(other.id)), acting(uow, staff_of(other.id)))
    with pytest.raises(Forbidden, match="region ops manage municipality readers"):
        await end_membership(EndMembership(reader_membership.id, staff_of(centrale.id)), uow)
    by = staff_of(centrale.id, uuid4())
    assert await end_membership(EndMembership(membership.id, by), acting(uow, by)) == 1

    assert uow.tables.memberships[membership.id].ended_by == by.actor
    assert uow.tables.credentials[started.session["id"]].revoked_at == NOW
    assert _revoked(uow) == [started.session["id"]]
    assert await uow.memberships.active_of(leaving.id) == []
    with pytest.raises(NotFound):
        await end_membership(EndMembership(membership.id, by), uow)
    assert reader.id in {m.account_id for m in await uow.memberships.active_listing(centrale_id=centrale.id)}


async def test_erasing_a_volunteer_erases_their_account_unless_it_has_another_role(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    only, also = a_volunteer(centrale.id), a_volunteer(centrale.id)
    for v in (only, also):
        await uow.volunteers.add(v)
    solo, solo_membership = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=only.id)
    started = await session_of(uow, solo, solo_membership)
    busy, _ = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=also.id)
    await uow.memberships.add(a_membership(busy.id, Role.ORGANISATION.value, centrale.id, subject_id=organisation.id))

    await erase_volunteer(EraseVolunteer(only.id, centrale.id), uow)
    await erase_volunteer(EraseVolunteer(also.id, centrale.id), uow)

    gone = uow.tables.accounts[solo.id]
    assert (gone.email, gone.name, gone.password_hash, gone.totp_secret, gone.erased_at) == (
        None,
        None,
        None,
        None,
        NOW,
    )
    assert uow.tables.credentials[started.session["id"]].revoked_at == NOW
    assert uow.tables.credentials[started.session["id"]].label is None
    kept = uow.tables.accounts[busy.id]
    assert (kept.email, kept.erased_at) == (busy.email, None)
    assert [m.role for m in await uow.memberships.active_of(busy.id)] == ["organisation"]
