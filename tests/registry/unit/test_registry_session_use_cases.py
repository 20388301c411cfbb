"""Sessions on the fakes: logging in (password, second factor, enrolment), lockout that ends, the idle timeout,
switching, logging out, expiry; and a volunteer's self-registration with a password."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pyotp
import pytest

from common.auth import Role, hash_token
from common.clock import ManualClock
from common.errors import Conflict, NotFound, Rejected
from contracts.events import CredentialIssued, CredentialRevoked
from registry.use_cases.credentials import IssueCredential, issue_credential
from registry.use_cases.sessions import (
    CompleteEnrolment,
    CurrentSession,
    EnrolmentNeeded,
    EnrolmentRefused,
    ExpireCredentials,
    ListSessions,
    Login,
    LoginRefused,
    Logout,
    RevokeSession,
    SessionStarted,
    SwitchMembership,
    TouchSession,
    complete_enrolment,
    current_session,
    expire_credentials,
    list_sessions,
    login,
    logout,
    revoke_session,
    switch_membership,
    touch_session,
)
from registry.use_cases.throttle import Throttled
from registry.use_cases.volunteers import RegisterVolunteer, SelfRegister, self_register
from tests.registry.builders import NOW, a_membership, a_policy, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork
from tests.registry.unit.accounts_steps import PASSWORD, code_at, person, session_of, with_centrale

POLICY = a_policy()


def _login(email: str | None, password: str = PASSWORD, *, address: str = "10.0.0.1", **fields: object) -> Login:
    values: dict[str, object] = {
        "email": email or "",
        "password": password,
        "totp_code": None,
        "membership_id": None,
        "label": "Firefox op Linux",
        "client_address": address,
        "policy": POLICY,
    }
    return Login(**(values | fields))  # type: ignore[arg-type]


async def test_a_volunteer_logs_in_and_the_session_is_published_with_its_kind_expiry_and_account(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    volunteer_id = uuid4()
    account, membership = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=volunteer_id)
    assert account.email is not None

    started = await login(_login(account.email.upper()), uow)

    assert isinstance(started, SessionStarted)
    stored = uow.tables.credentials[started.session["id"]]
    assert stored.token_hash == hash_token(started.token)
    assert (stored.kind, stored.role, stored.centrale_id, stored.subject_id, stored.membership_id) == (
        "session",
        "volunteer",
        centrale.id,
        volunteer_id,
        membership.id,
    )
    assert (stored.expires_at, stored.last_used_at, stored.label) == (
        NOW + timedelta(hours=12),
        NOW,
        "Firefox op Linux",
    )
    [issued] = uow.emitted
    assert isinstance(issued.event, CredentialIssued)
    assert (issued.event.kind, issued.event.expires_at, issued.event.account_id, issued.tenant) == (
        "session",
        NOW + timedelta(hours=12),
        account.id,
        centrale.id,
    )
    assert uow.tables.accounts[account.id].last_login_at == NOW


async def test_a_wrong_password_an_unknown_address_and_an_account_without_roles_are_refused_alike(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    account, membership = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    invited, _ = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4(), password=None)

    wrong = await login(_login(account.email, "not my password"), uow)
    unknown = await login(_login("nobody@vc.example"), uow)
    not_set = await login(_login(invited.email, ""), uow)
    await uow.memberships.end(membership.id, NOW, "test")
    ended = await login(_login(account.email), uow)

    assert wrong == unknown == not_set == ended == LoginRefused("credentials")
    assert uow.tables.credentials == {}
    assert uow.emitted == []


async def test_staff_without_a_second_factor_scan_a_code_and_confirm_it_before_their_first_session(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    centrale = await with_centrale(uow)
    account, _ = await person(uow, Role.CENTRALE_STAFF, centrale.id)

    needed = await login(_login(account.email), uow)
    assert isinstance(needed, EnrolmentNeeded)
    assert needed.qr_svg.startswith("<svg")
    assert uow.tables.credentials == {}, "no session before the second factor is on"
    again = await login(_login(account.email), uow)
    assert isinstance(again, EnrolmentNeeded)
    assert again.secret == needed.secret, "logging in again shows the same secret: no need to scan again"
    assert await complete_enrolment(CompleteEnrolment(needed.ticket, "000000", None, POLICY), uow) == (
        EnrolmentRefused("ticket")
    ), "a newer ticket replaced it"

    wrong = await complete_enrolment(CompleteEnrolment(again.ticket, "000000", None, POLICY), uow)
    assert wrong == EnrolmentRefused("code")
    retry = await complete_enrolment(
        CompleteEnrolment(again.ticket, pyotp.TOTP(again.secret).at(NOW), None, POLICY), uow
    )
    assert retry == EnrolmentRefused("ticket"), "a ticket is good for one try"

    third = await login(_login(account.email), uow)
    assert isinstance(third, EnrolmentNeeded)
    started = await complete_enrolment(
        CompleteEnrolment(third.ticket, pyotp.TOTP(third.secret).at(NOW), "werkplek", POLICY), uow
    )
    assert isinstance(started, SessionStarted)
    assert uow.tables.accounts[account.id].totp_secret == third.secret
    assert started.session["role"] == "centrale_staff"

    clock.advance(timedelta(minutes=11))
    uow.renew()
    late = await login(_login(account.email, totp_code=code_at(uow.tables.accounts[account.id], uow)), uow)
    assert isinstance(late, SessionStarted), "with the second factor on, a login needs no ticket"


async def test_with_the_second_factor_on_a_code_is_needed_and_each_code_works_once(uow: FakeRegistryUnitOfWork) -> None:
    centrale = await with_centrale(uow)
    account, _ = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4(), totp=True)

    assert await login(_login(account.email), uow) == LoginRefused("totp_required")
    assert await login(_login(account.email, totp_code="123 456"), uow) == LoginRefused("totp_wrong")
    code = code_at(account, uow)
    assert isinstance(await login(_login(account.email, totp_code=code), uow), SessionStarted)
    assert await login(_login(account.email, totp_code=code), uow) == LoginRefused("totp_wrong"), "no replay"
    next_code = code_at(account, uow, steps_later=1)
    assert isinstance(await login(_login(account.email, totp_code=next_code), uow), SessionStarted), "clock drift"


async def test_repeated_attempts_lock_an_account_from_that_address_until_the_window_ends_and_no_longer(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    centrale = await with_centrale(uow)
    account, _ = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    attacker = "203.0.113.9"

    outcomes = [await login(_login(account.email, "guess", address=attacker), uow) for _ in range(5)]
    assert outcomes == [LoginRefused("credentials")] * 5
    assert await login(_login(account.email, address=attacker), uow) == Throttled(15 * 60), "even the right one"

    clock.advance(timedelta(minutes=10))
    uow.renew()
    for _ in range(10):  # trying on during the lockout does not push its end out
        assert await login(_login(account.email, "guess", address=attacker), uow) == Throttled(5 * 60)
    assert isinstance(await login(_login(account.email, address="192.0.2.7"), uow), SessionStarted), (
        "the person, from their own address, is not locked out"
    )

    clock.advance(timedelta(minutes=5))
    uow.renew()
    assert isinstance(await login(_login(account.email, address=attacker), uow), SessionStarted), "window over"


async def test_many_addresses_together_lock_the_account_for_one_window_at_most(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    centrale = await with_centrale(uow)
    account, _ = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    for i in range(20):
        assert await login(_login(account.email, "guess", address=f"198.51.100.{i}"), uow) == LoginRefused(
            "credentials"
        )
    assert await login(_login(account.email, address="192.0.2.7"), uow) == Throttled(15 * 60)
    clock.advance(timedelta(minutes=15))
    uow.renew()
    assert isinstance(await login(_login(account.email, address="192.0.2.7"), uow), SessionStarted)


async def test_one_address_trying_many_accounts_is_throttled(uow: FakeRegistryUnitOfWork) -> None:
    outcomes = [await login(_login(f"guess{i}@vc.example", "guess"), uow) for i in range(31)]
    assert outcomes[:30] == [LoginRefused("credentials")] * 30
    assert outcomes[30] == Throttled(15 * 60)


async def test_a_successful_login_forgets_the_accounts_failed_attempts(uow: FakeRegistryUnitOfWork) -> None:
    centrale = await with_centrale(uow)
    account, _ = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    for _ in range(4):
        await login(_login(account.email, "typo"), uow)
    assert isinstance(await login(_login(account.email), uow), SessionStarted)
    for _ in range(4):
        assert await login(_login(account.email, "typo"), uow) == LoginRefused("credentials")
    assert isinstance(await login(_login(account.email), uow), SessionStarted)


async def test_a_person_with_several_roles_chooses_one_and_switches_to_another(uow: FakeRegistryUnitOfWork) -> None:
    centrale = await with_centrale(uow)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    account, as_volunteer = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    as_coordinator = a_membership(
        account.id, "organisation", centrale.id, subject_id=organisation.id, created_at=NOW + timedelta(seconds=1)
    )
    await uow.memberships.add(as_coordinator)

    default = await login(_login(account.email), uow)
    chosen = await login(_login(account.email, membership_id=as_coordinator.id), uow)
    unknown = await login(_login(account.email, membership_id=uuid4()), uow)

    assert isinstance(default, SessionStarted)
    assert isinstance(chosen, SessionStarted)
    assert default.session["membership_id"] == as_volunteer.id, "the oldest when none is chosen"
    assert (chosen.session["role"], chosen.session["subject_id"]) == ("organisation", organisation.id)
    assert unknown == LoginRefused("membership")

    switched = await switch_membership(SwitchMembership(default.session["id"], as_coordinator.id, POLICY), uow)
    assert switched.session["membership_id"] == as_coordinator.id
    assert switched.session["expires_at"] == default.session["expires_at"], "switching does not extend a session"
    assert uow.tables.credentials[default.session["id"]].revoked_at == NOW
    with pytest.raises(NotFound):
        await switch_membership(SwitchMembership(switched.session["id"], uuid4(), POLICY), uow)


async def test_the_owner_sees_the_current_session_lists_their_sessions_and_ends_them(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    account, membership = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    someone, theirs = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    here = await session_of(uow, account, membership)
    phone = await session_of(uow, account, membership)
    other = await session_of(uow, someone, theirs)

    current = await current_session(CurrentSession(here.session["id"], POLICY), uow)
    assert current["account"] == {"id": account.id, "name": account.name, "email": account.email, "totp_enabled": False}
    assert current["membership"]["membership_id"] == membership.id
    assert current["session"]["idle_expires_at"] == NOW + timedelta(minutes=30)
    listed = await list_sessions(ListSessions(account.id, here.session["id"], POLICY), uow)
    assert {(s["id"], s["current"]) for s in listed} == {(here.session["id"], True), (phone.session["id"], False)}

    with pytest.raises(NotFound):
        await revoke_session(RevokeSession(account.id, other.session["id"]), uow)
    await revoke_session(RevokeSession(account.id, phone.session["id"]), uow)
    await logout(Logout(here.session["id"]), uow)

    assert await list_sessions(ListSessions(account.id, None, POLICY), uow) == []
    revoked = [e.event.credential_id for e in uow.emitted if isinstance(e.event, CredentialRevoked)]
    assert revoked == [phone.session["id"], here.session["id"]]
    with pytest.raises(NotFound):
        await current_session(CurrentSession(here.session["id"], POLICY), uow)


async def test_a_session_in_use_stays_and_one_left_idle_ends(uow: FakeRegistryUnitOfWork, clock: ManualClock) -> None:
    centrale = await with_centrale(uow)
    account, membership = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    started = await session_of(uow, account, membership)
    session_id = started.session["id"]

    clock.advance(timedelta(seconds=30))
    uow.renew()
    assert await touch_session(TouchSession(session_id, POLICY), uow)
    assert uow.tables.credentials[session_id].last_used_at == NOW, "written at most once a minute"
    clock.advance(timedelta(minutes=29))
    uow.renew()
    assert await touch_session(TouchSession(session_id, POLICY), uow)
    assert uow.tables.credentials[session_id].last_used_at == NOW + timedelta(minutes=29, seconds=30)

    clock.advance(timedelta(minutes=30))
    uow.renew()
    assert not await touch_session(TouchSession(session_id, POLICY), uow), "idle for 30 minutes"
    assert await touch_session(TouchSession(uuid4(), POLICY), uow), "not a session: nothing to say"


async def test_the_job_revokes_idle_and_expired_sessions_and_expired_api_credentials(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    centrale = await with_centrale(uow)
    account, membership = await person(uow, Role.VOLUNTEER, centrale.id, subject_id=uuid4())
    idle = await session_of(uow, account, membership)
    short_lived = await issue_credential(
        IssueCredential(Role.CENTRALE_STAFF, centrale.id, "script", lifetime=timedelta(minutes=45)), uow
    )
    forever = await issue_credential(IssueCredential(Role.CENTRALE_STAFF, centrale.id, "old desk"), uow)
    clock.advance(timedelta(minutes=25))
    uow.renew()
    busy = await session_of(uow, account, membership)

    clock.advance(timedelta(minutes=10))
    uow.renew()
    uow.emitted.clear()
    assert await expire_credentials(ExpireCredentials(POLICY), uow) == {"sessions": 1, "api_credentials": 0}
    clock.advance(timedelta(minutes=10))
    uow.renew()
    assert await expire_credentials(ExpireCredentials(POLICY, batch=1), uow) == {"sessions": 0, "api_credentials": 1}

    revoked = [e.event.credential_id for e in uow.emitted if isinstance(e.event, CredentialRevoked)]
    assert revoked == [idle.session["id"], short_lived.id]
    assert uow.tables.credentials[busy.session["id"]].revoked_at is None
    assert uow.tables.credentials[forever.id].revoked_at is None, "credentials from before expiry keep working"
    clock.advance(timedelta(hours=12))
    uow.renew()
    assert await expire_credentials(ExpireCredentials(POLICY), uow) == {"sessions": 1, "api_credentials": 0}


async def test_a_volunteer_registering_with_a_password_gets_an_account_and_a_session(
    uow: FakeRegistryUnitOfWork,
) -> None:
    centrale = await with_centrale(uow)
    registration = RegisterVolunteer(
        centrale_id=centrale.id, name="Sanne", registered_by="self", recorded_by="self", email="sanne@example.nl"
    )

    issued = await self_register(SelfRegister(registration, PASSWORD, POLICY), uow)

    assert (issued.kind, issued.role, issued.expires_at) == ("session", Role.VOLUNTEER, NOW + timedelta(hours=12))
    [account] = uow.tables.accounts.values()
    assert (account.email, account.name, account.created_by) == ("sanne@example.nl", "Sanne", "self")
    [membership] = uow.tables.memberships.values()
    assert (membership.role, membership.subject_id) == ("volunteer", issued.subject_id)
    assert uow.tables.credentials[issued.id].token_hash == hash_token(issued.token)

    with pytest.raises(Conflict, match="has an account already"):
        async with uow.transaction():
            await self_register(SelfRegister(registration, PASSWORD, POLICY), uow)
    with pytest.raises(Rejected) as weak:
        await self_register(SelfRegister(registration, "kort", POLICY), uow)
    assert weak.value.field == "password"
    no_email = RegisterVolunteer(centrale_id=centrale.id, name="Piet", registered_by="self", recorded_by="self")
    with pytest.raises(Rejected) as missing:
        await self_register(SelfRegister(no_email, PASSWORD, POLICY), uow)
    assert missing.value.field == "email"
    assert len(uow.tables.volunteers) == 1, "refused registrations left nothing"
