"""AccountRepository, MembershipRepository, AccountLinkRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

from common.auth import hash_token
from registry.repositories import AccountLink
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_credential, a_membership, an_account


async def test_an_address_has_one_account_whatever_its_case(uow: RegistryUnitOfWork) -> None:
    account = an_account(email="Kees.de.Vries@VC.example")
    assert await uow.accounts.add(account)
    assert not await uow.accounts.add(an_account(email="kees.de.vries@vc.example"))

    assert await uow.accounts.by_email("KEES.DE.VRIES@vc.EXAMPLE") == account
    assert await uow.accounts.by_email("someone@vc.example") is None
    assert await uow.accounts.get(account.id) == account
    other = an_account()
    assert await uow.accounts.add(other)
    assert await uow.accounts.get_many([account.id, other.id, uuid4()]) == {account.id: account, other.id: other}


async def test_saving_an_account_writes_every_column_but_its_origin(uow: RegistryUnitOfWork) -> None:
    account = an_account()
    await uow.accounts.add(account)
    changed = replace(
        account,
        email="nieuw@vc.example",
        name="Nieuwe Naam",
        password_hash="$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
        password_changed_at=NOW,
        totp_secret="JBSWY3DPEHPK3PXP",
        totp_pending_secret="KRSXG5CTMVRXEZLU",
        totp_last_step=59_000_000,
        last_login_at=NOW,
        erased_at=NOW,
    )
    await uow.accounts.save(replace(changed, created_by="someone else", created_at=NOW + timedelta(days=1)))
    assert await uow.accounts.get(account.id) == changed


async def test_memberships_of_an_account_and_of_a_centrale(uow: RegistryUnitOfWork) -> None:
    centrale, other = a_centrale(), a_centrale()
    for c in (centrale, other):
        await uow.centrales.add(c)
    account, colleague = an_account(), an_account()
    for a in (account, colleague):
        await uow.accounts.add(a)
    organisation_id, partner_id = uuid4(), uuid4()
    staff = a_membership(account.id, "centrale_staff", centrale.id)
    elsewhere = a_membership(account.id, "centrale_staff", other.id, created_at=NOW + timedelta(seconds=1))
    partner = a_membership(account.id, "business_partner", None, subject_id=partner_id, created_at=NOW + timedelta(2))
    coordinator = a_membership(colleague.id, "organisation", centrale.id, subject_id=organisation_id)
    for m in (partner, coordinator, elsewhere, staff):
        await uow.memberships.add(m)

    assert await uow.memberships.active_of(account.id) == [staff, elsewhere, partner]
    assert await uow.memberships.find_active(account.id, "business_partner", None, partner_id) == partner
    assert await uow.memberships.find_active(account.id, "business_partner", None, uuid4()) is None
    assert await uow.memberships.find_active(account.id, "centrale_staff", other.id, None) == elsewhere
    listed = await uow.memberships.active_listing(centrale_id=centrale.id)
    assert sorted(m.id for m in listed) == sorted([staff.id, coordinator.id])
    assert await uow.memberships.active_listing(roles=["business_partner"]) == [partner]
    assert await uow.memberships.active_listing(centrale_id=centrale.id, roles=["organisation"]) == [coordinator]
    assert await uow.memberships.active_listing(subject_id=organisation_id) == [coordinator]

    await uow.memberships.end(elsewhere.id, NOW, "account:x")
    assert await uow.memberships.active_of(account.id) == [staff, partner]
    assert await uow.memberships.get(elsewhere.id) == replace(elsewhere, ended_at=NOW, ended_by="account:x")
    await uow.memberships.end(elsewhere.id, NOW + timedelta(1), "account:y")  # ended once
    assert await uow.memberships.get(elsewhere.id) == replace(elsewhere, ended_at=NOW, ended_by="account:x")
    assert await uow.memberships.find_active(account.id, "centrale_staff", other.id, None) is None


async def test_a_link_works_once_for_its_purpose_until_it_expires(uow: RegistryUnitOfWork) -> None:
    account = an_account()
    await uow.accounts.add(account)
    invitation = AccountLink(hash_token("invite-token"), account.id, "invitation", NOW, NOW + timedelta(hours=72))
    expiring = AccountLink(hash_token("reset-token"), account.id, "password_reset", NOW, NOW + timedelta(minutes=30))
    for link in (invitation, expiring):
        await uow.account_links.add(link)

    assert await uow.account_links.redeem(invitation.token_hash, ["totp_enrolment"], NOW) is None
    assert await uow.account_links.redeem(invitation.token_hash, ["invitation"], NOW) == replace(
        invitation, used_at=NOW
    )
    assert await uow.account_links.redeem(invitation.token_hash, ["invitation"], NOW) is None
    assert await uow.account_links.redeem(expiring.token_hash, ["password_reset"], NOW + timedelta(minutes=30)) is None
    assert await uow.account_links.redeem(hash_token("unknown"), ["invitation"], NOW) is None


async def test_discarding_uses_up_the_accounts_outstanding_links_of_those_purposes(uow: RegistryUnitOfWork) -> None:
    account, other = an_account(), an_account()
    for a in (account, other):
        await uow.accounts.add(a)
    links = [
        AccountLink(hash_token("a"), account.id, "invitation", NOW, NOW + timedelta(hours=1)),
        AccountLink(hash_token("b"), account.id, "password_reset", NOW, NOW + timedelta(hours=1)),
        AccountLink(hash_token("c"), account.id, "totp_enrolment", NOW, NOW + timedelta(hours=1)),
        AccountLink(hash_token("d"), other.id, "invitation", NOW, NOW + timedelta(hours=1)),
    ]
    for link in links:
        await uow.account_links.add(link)

    assert await uow.account_links.discard(account.id, ["invitation", "password_reset"], NOW) == 2

    assert await uow.account_links.redeem(hash_token("a"), ["invitation"], NOW) is None
    assert await uow.account_links.redeem(hash_token("b"), ["password_reset"], NOW) is None
    assert await uow.account_links.redeem(hash_token("c"), ["totp_enrolment"], NOW) is not None
    assert await uow.account_links.redeem(hash_token("d"), ["invitation"], NOW) is not None


async def test_erasing_an_account_blanks_its_personal_columns_and_its_sessions_labels(uow: RegistryUnitOfWork) -> None:
    account, kept = an_account(password_hash="hash", totp_secret="SECRET"), an_account(password_hash="hash")
    for a in (account, kept):
        await uow.accounts.add(a)
    session = a_credential(None, "vc-x", kind="session", account_id=account.id, label="telefoon van Kees")
    other_session = a_credential(None, "vc-x", kind="session", account_id=kept.id, label="laptop")
    for c in (session, other_session):
        await uow.credentials.add(c)

    await uow.personal_data.erase_account(account.id)

    erased = await uow.accounts.get(account.id)
    assert erased == replace(
        account, email=None, name=None, password_hash=None, totp_secret=None, totp_pending_secret=None
    )
    assert await uow.accounts.get(kept.id) == kept
    erased_session = await uow.credentials.get(session.id)
    assert erased_session is not None
    assert erased_session.label is None
    assert await uow.credentials.get(other_session.id) == other_session
