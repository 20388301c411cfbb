"""Steps the account, session and audit-trail tests share: callers, acting as them, people with accounts."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID, uuid4

import pyotp

from common.auth import Caller, CredentialKind, Role
from common.uow import Origin
from registry.repositories import Account, Centrale, Membership
from registry.use_cases.sessions import SessionStarted, start_session
from tests.registry.builders import FAST_PASSWORDS, a_centrale, a_membership, a_policy, an_account
from tests.registry.fakes import FakeRegistryUnitOfWork

__all__ = [
    "OPS",
    "PASSWORD",
    "acting",
    "code_at",
    "ops",
    "person",
    "session_of",
    "staff_of",
    "with_centrale",
]

PASSWORD = "correct horse battery staple"
OPS = Caller(credential_id=None, role=Role.REGION_OPS, centrale_id=None)


def ops() -> Caller:
    """The region's ops token."""
    return OPS


def staff_of(centrale_id: str, account_id: UUID | None = None) -> Caller:
    """A staff member of ``centrale_id`` on a session of their account (or a desk credential without one)."""
    return Caller(
        credential_id=uuid4(),
        role=Role.CENTRALE_STAFF,
        centrale_id=centrale_id,
        account_id=account_id,
        kind=CredentialKind.SESSION if account_id else CredentialKind.API,
    )


def acting(uow: FakeRegistryUnitOfWork, caller: Caller) -> FakeRegistryUnitOfWork:
    """The next command comes from ``caller`` (its actor and centrale on the unit of work's origin)."""
    uow.renew(
        Origin(
            source="/regions/testregio/registry",
            region="testregio",
            correlation_id=uuid4(),
            tenant=caller.centrale_id,
            actor=caller.actor,
        )
    )
    return uow


async def with_centrale(uow: FakeRegistryUnitOfWork) -> Centrale:
    """A stored centrale."""
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    return centrale


async def person(
    uow: FakeRegistryUnitOfWork,
    role: Role,
    centrale_id: str | None,
    *,
    subject_id: UUID | None = None,
    password: str | None = PASSWORD,
    totp: bool = False,
) -> tuple[Account, Membership]:
    """A stored account with a password (and a second factor when asked) and one live membership."""
    account = an_account(
        password_hash=await FAST_PASSWORDS.hash(password) if password else None,
        totp_secret=pyotp.random_base32() if totp else None,
    )
    assert await uow.accounts.add(account)
    membership = a_membership(account.id, role.value, centrale_id, subject_id=subject_id)
    await uow.memberships.add(membership)
    return account, membership


async def session_of(uow: FakeRegistryUnitOfWork, account: Account, membership: Membership) -> SessionStarted:
    """A live session of the account acting as the membership."""
    return await start_session(uow, account.id, membership, "test", a_policy())


def code_at(account: Account, uow: FakeRegistryUnitOfWork, *, steps_later: int = 0) -> str:
    """The TOTP code of the account's second factor at the unit of work's moment (or a step or more later)."""
    assert account.totp_secret is not None
    return pyotp.TOTP(account.totp_secret).at(uow.now().timestamp() + 30 * steps_later)


def erased(account: Account) -> Account:
    """The account as erasure leaves it (for comparisons)."""
    return replace(account, email=None, name=None, password_hash=None, totp_secret=None, totp_pending_secret=None)
