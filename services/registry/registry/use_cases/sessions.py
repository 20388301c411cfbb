"""Sessions: a person logs in with e-mail, password and (for staff and ops, or when they enabled it) a TOTP code.

A session is a credential: stored in ``credentials`` (kind ``session``, the account, the membership it acts
as, an absolute expiry) and published as ``CredentialIssued``, so every service accepts its token with the
same role and tenant rules as an API credential. It ends when the person logs out, after
``session_idle`` without use (the registry sees each use; the ``expire-credentials`` job revokes idle and
expired ones every minute), at its absolute expiry (every service checks that itself), and when its
password changes, its membership ends, its volunteer is erased or its organisation refused. A membership of an
organisation not admitted (one from before admission was required) starts no session.

Login outcomes are returned, not raised, so the attempt counters commit with a refusal too:
``SessionStarted``, ``EnrolmentNeeded`` (staff and ops without a second factor scan a QR code first and
confirm a code with the ticket), ``LoginRefused`` or ``Throttled``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from common.auth import CredentialKind, Role, hash_token
from common.errors import Conflict, NotFound
from registry.authn import AccountPolicy, link_token, new_totp_secret, otpauth_uri, qr_svg, session_token, totp_step
from registry.domain import no_access_reason
from registry.repositories import Account, AccountLink, Credential, Membership
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.accounts import TOTP_REQUIRED_FOR, membership_view
from registry.use_cases.credentials import emit_issued, emit_revoked, revoke_and_emit
from registry.use_cases.throttle import Throttled, clear_throttle, throttle

__all__ = [
    "CompleteEnrolment",
    "CurrentSession",
    "EnrolmentNeeded",
    "EnrolmentRefused",
    "ExpireCredentials",
    "ListSessions",
    "Login",
    "LoginRefused",
    "Logout",
    "RevokeSession",
    "SessionStarted",
    "SwitchMembership",
    "TouchSession",
    "complete_enrolment",
    "current_session",
    "expire_credentials",
    "list_sessions",
    "login",
    "logout",
    "revoke_session",
    "start_session",
    "switch_membership",
    "touch_session",
]


@dataclass(frozen=True)
class Login:
    """Log in as the account with this e-mail address, acting as one of its memberships (the first if not said)."""

    email: str
    password: str
    totp_code: str | None
    membership_id: UUID | None
    label: str | None
    """The device, as the client names it (shown in the person's list of sessions)."""
    client_address: str
    policy: AccountPolicy


@dataclass(frozen=True)
class SessionStarted:
    """A new session: its token (shown this once) and what it is."""

    token: str
    session: dict[str, Any]


@dataclass(frozen=True)
class EnrolmentNeeded:
    """The account must enable the second factor before its first session: scan this, then confirm a code."""

    ticket: str
    secret: str
    otpauth_uri: str
    qr_svg: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginRefused:
    """Why a login did not start a session (``credentials`` never says whether the address has an account)."""

    reason: Literal["credentials", "totp_required", "totp_wrong", "membership"]


@dataclass(frozen=True)
class CompleteEnrolment:
    """Confirm the second factor with a login's enrolment ticket and a first code; starts the session."""

    ticket: str
    code: str
    label: str | None
    policy: AccountPolicy


@dataclass(frozen=True)
class EnrolmentRefused:
    """The ticket is used up (each is good for one try) or the code was wrong: log in again."""

    reason: Literal["ticket", "code"]


@dataclass(frozen=True)
class CurrentSession:
    """The session a request came with: the account, the membership it acts as, the others it could."""

    credential_id: UUID
    policy: AccountPolicy


@dataclass(frozen=True)
class Logout:
    """End the session a request came with."""

    credential_id: UUID


@dataclass(frozen=True)
class ListSessions:
    """An account's live sessions, newest first."""

    account_id: UUID
    current: UUID | None
    policy: AccountPolicy


@dataclass(frozen=True)
class RevokeSession:
    """End one of the account's own sessions (a lost phone, a shared computer)."""

    account_id: UUID
    session_id: UUID


@dataclass(frozen=True)
class SwitchMembership:
    """Act as another of the account's memberships: a new session in place of the current one."""

    credential_id: UUID
    membership_id: UUID
    policy: AccountPolicy


@dataclass(frozen=True)
class TouchSession:
    """The registry saw the session in a request: refresh its last use, or say it went idle."""

    credential_id: UUID
    policy: AccountPolicy


@dataclass(frozen=True)
class ExpireCredentials:
    """Revoke idle and expired sessions and expired API credentials (the ``expire-credentials`` job)."""

    policy: AccountPolicy
    batch: int = 500


async def login(cmd: Login, uow: RegistryUnitOfWork) -> SessionStarted | EnrolmentNeeded | LoginRefused | Throttled:
    """Count the attempt, check the password and second factor, and start a session."""
    email = cmd.email.strip().lower()
    limits = cmd.policy.limits
    throttled = await throttle(
        uow,
        [
            ("login:address", cmd.client_address, limits.attempts_per_address),
            ("login:account-address", f"{email}\x00{cmd.client_address}", limits.attempts_per_account_and_address),
            ("login:account", email, limits.attempts_per_account),
        ],
        limits.window,
    )
    if throttled is not None:
        return throttled
    found = await uow.accounts.by_email(email, lock=True)
    account = found if found is not None and found.erased_at is None else None
    # Verified even without an account (against a dummy hash), so the time taken says nothing.
    if not await cmd.policy.passwords.verify(account.password_hash if account else None, cmd.password):
        return LoginRefused("credentials")
    assert account is not None
    password_hash = account.password_hash
    assert password_hash is not None
    memberships = await _acting(uow, await uow.memberships.active_of(account.id))
    if not memberships:
        return LoginRefused("credentials")  # deactivated: told apart from a wrong password to nobody
    chosen = _chosen(memberships, cmd.membership_id)
    if chosen is None:
        return LoginRefused("membership")
    if account.totp_secret is not None:
        if not cmd.totp_code:
            return LoginRefused("totp_required")
        step = totp_step(account.totp_secret, cmd.totp_code, uow.now(), account.totp_last_step)
        if step is None:
            return LoginRefused("totp_wrong")
        account = replace(account, totp_last_step=step)
    elif any(Role(m.role) in TOTP_REQUIRED_FOR for m in memberships):
        return await _enrolment_needed(uow, account, chosen, cmd.policy)
    await clear_throttle(uow, "login:account-address", f"{email}\x00{cmd.client_address}")
    await clear_throttle(uow, "login:account", email)
    if cmd.policy.passwords.needs_rehash(password_hash):  # a changed cost applies from the next login
        account = replace(account, password_hash=await cmd.policy.passwords.hash(cmd.password))
    await uow.accounts.save(replace(account, last_login_at=uow.now()))
    return await start_session(uow, account.id, chosen, cmd.label, cmd.policy)


async def complete_enrolment(cmd: CompleteEnrolment, uow: RegistryUnitOfWork) -> SessionStarted | EnrolmentRefused:
    """Put the second factor in force and start the session the login asked for; the ticket is used either way."""
    now = uow.now()
    ticket = await uow.account_links.redeem(hash_token(cmd.ticket), ("totp_enrolment",), now)
    account = await uow.accounts.get(ticket.account_id, lock=True) if ticket else None
    if ticket is None or account is None or account.erased_at is not None or account.totp_pending_secret is None:
        return EnrolmentRefused("ticket")
    step = totp_step(account.totp_pending_secret, cmd.code, now, None)
    if step is None:
        return EnrolmentRefused("code")
    memberships = await _acting(uow, await uow.memberships.active_of(account.id))
    chosen = _chosen(memberships, ticket.membership_id) or _chosen(memberships, None)
    if chosen is None:
        return EnrolmentRefused("ticket")
    await uow.accounts.save(
        replace(
            account,
            totp_secret=account.totp_pending_secret,
            totp_pending_secret=None,
            totp_last_step=step,
            last_login_at=now,
        )
    )
    return await start_session(uow, account.id, chosen, cmd.label, cmd.policy)


async def current_session(query: CurrentSession, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The session with its account and memberships; NotFound for an API credential."""
    session = await _live_session(uow, query.credential_id)
    assert session.account_id is not None
    account = await uow.accounts.get(session.account_id)
    assert account is not None
    memberships = await uow.memberships.active_of(account.id)
    membership = next((m for m in memberships if m.id == session.membership_id), None)
    return {
        "session": _view(session, query.policy),
        "account": {
            "id": account.id,
            "name": account.name,
            "email": account.email,
            "totp_enabled": account.totp_secret is not None,
        },
        "membership": await membership_view(membership, uow) if membership else None,
        "memberships": [await membership_view(m, uow) for m in memberships],
    }


async def logout(cmd: Logout, uow: RegistryUnitOfWork) -> None:
    """Revoke the session and queue ``CredentialRevoked``."""
    session = await _live_session(uow, cmd.credential_id)
    await revoke_and_emit(session, uow)


async def list_sessions(query: ListSessions, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The account's live sessions, newest first, the current one marked."""
    return [
        {**_view(session, query.policy), "current": session.id == query.current}
        for session in await uow.credentials.sessions_of(query.account_id)
    ]


async def revoke_session(cmd: RevokeSession, uow: RegistryUnitOfWork) -> None:
    """Revoke one of the account's sessions; NotFound for anyone else's."""
    session = await uow.credentials.get(cmd.session_id, lock=True)
    if (
        session is None
        or session.kind != CredentialKind.SESSION
        or session.account_id != cmd.account_id
        or session.revoked_at is not None
    ):
        raise NotFound(f"session {cmd.session_id} not found")
    await revoke_and_emit(session, uow)


async def switch_membership(cmd: SwitchMembership, uow: RegistryUnitOfWork) -> SessionStarted:
    """A session acting as another membership, ending when the current one would; the current one ends now."""
    session = await _live_session(uow, cmd.credential_id)
    assert session.account_id is not None
    membership = await uow.memberships.get(cmd.membership_id)
    if membership is None or membership.account_id != session.account_id or membership.ended_at is not None:
        raise NotFound(f"membership {cmd.membership_id} not found")
    if reason := await _no_access(uow, membership):
        raise Conflict(reason)
    await revoke_and_emit(session, uow)
    return await start_session(
        uow, session.account_id, membership, session.label, cmd.policy, expires_at=session.expires_at
    )


async def touch_session(cmd: TouchSession, uow: RegistryUnitOfWork) -> bool:
    """Refresh the session's last use (at most once a minute); False when it went idle (the caller gets 401)."""
    session = await uow.credentials.get(cmd.credential_id)
    if session is None or session.kind != CredentialKind.SESSION:
        return True
    now = uow.now()
    if session.last_used_at is not None and session.last_used_at + cmd.policy.session_idle <= now:
        return False  # the expire-credentials job revokes it and tells the other services
    await uow.credentials.touch(session.id, now, unless_after=now - cmd.policy.touch_every)
    return True


async def expire_credentials(cmd: ExpireCredentials, uow: RegistryUnitOfWork) -> dict[str, int]:
    """Revoke what is due and queue ``CredentialRevoked`` for each; counts of sessions and API credentials."""
    now = uow.now()
    counts = {"sessions": 0, "api_credentials": 0}
    while True:
        due = await uow.credentials.due_for_revocation(now, now - cmd.policy.session_idle, cmd.batch)
        for credential in due:
            await uow.credentials.revoke(credential.id, now)
            await emit_revoked(credential, uow)
            counts["sessions" if credential.kind == CredentialKind.SESSION else "api_credentials"] += 1
        if len(due) < cmd.batch:
            return counts


async def start_session(
    uow: RegistryUnitOfWork,
    account_id: UUID,
    membership: Membership,
    label: str | None,
    policy: AccountPolicy,
    *,
    expires_at: datetime | None = None,
) -> SessionStarted:
    """Store a session acting as ``membership`` and queue ``CredentialIssued`` (kind session, expiry, account)."""
    token = session_token()
    now = uow.now()
    session = Credential(
        id=uuid4(),
        token_hash=hash_token(token),
        role=membership.role,
        centrale_id=membership.centrale_id,
        subject_id=membership.subject_id,
        label=label,
        created_at=now,
        kind=CredentialKind.SESSION.value,
        expires_at=expires_at or now + policy.session_max_age,
        account_id=account_id,
        membership_id=membership.id,
        last_used_at=now,
    )
    await uow.credentials.add(session)
    await emit_issued(session, uow)
    return SessionStarted(token, _view(session, policy))


async def _no_access(uow: RegistryUnitOfWork, membership: Membership) -> str | None:
    """Why no session may act as ``membership``: its organisation is not admitted (None: it may)."""
    if membership.role != Role.ORGANISATION.value or membership.subject_id is None or membership.centrale_id is None:
        return None
    organisation = await uow.organisations.get(membership.subject_id, membership.centrale_id)
    return no_access_reason(organisation.status) if organisation is not None else "the organisation is gone"


async def _acting(uow: RegistryUnitOfWork, memberships: list[Membership]) -> list[Membership]:
    """The memberships a session may act as (an organisation's only while it is admitted), in their order."""
    return [membership for membership in memberships if await _no_access(uow, membership) is None]


def _chosen(memberships: list[Membership], membership_id: UUID | None) -> Membership | None:
    """The membership asked for, or the oldest when none was; None when the one asked for is not live."""
    if membership_id is None:
        return memberships[0] if memberships else None
    return next((m for m in memberships if m.id == membership_id), None)


async def _enrolment_needed(
    uow: RegistryUnitOfWork, account: Account, membership: Membership, policy: AccountPolicy
) -> EnrolmentNeeded:
    """A ticket for confirming the second factor; the secret stays the same until confirmed (rescan not needed)."""
    now = uow.now()
    secret = account.totp_pending_secret or new_totp_secret()
    await uow.accounts.save(replace(account, totp_pending_secret=secret))
    await uow.account_links.discard(account.id, ("totp_enrolment",), now)
    ticket = link_token()
    expires_at = now + policy.enrolment_lifetime
    await uow.account_links.add(
        AccountLink(hash_token(ticket), account.id, "totp_enrolment", now, expires_at, membership_id=membership.id)
    )
    uri = otpauth_uri(secret, account.email or str(account.id), policy.totp_issuer)
    return EnrolmentNeeded(ticket, secret, uri, qr_svg(uri), expires_at)


async def _live_session(uow: RegistryUnitOfWork, credential_id: UUID) -> Credential:
    session = await uow.credentials.get(credential_id, lock=True)
    if session is None or session.kind != CredentialKind.SESSION or session.revoked_at is not None:
        raise NotFound("this request did not come with a session")
    return session


def _view(session: Credential, policy: AccountPolicy) -> dict[str, Any]:
    """A session as its owner sees it (never its token)."""
    idle_expires_at = session.last_used_at + policy.session_idle if session.last_used_at else None
    return {
        "id": session.id,
        "role": session.role,
        "centrale_id": session.centrale_id,
        "subject_id": session.subject_id,
        "membership_id": session.membership_id,
        "label": session.label,
        "created_at": session.created_at,
        "last_used_at": session.last_used_at,
        "expires_at": session.expires_at,
        "idle_expires_at": idle_expires_at,
    }
