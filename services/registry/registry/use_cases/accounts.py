"""Personal accounts: invitations, passwords from e-mailed links, memberships, the second factor, erasure.

One account per person (e-mail unique whatever its case); what it may act as are its memberships. Who
invites whom:

| Invitee's role | Invited by |
|---|---|
| ``region_ops`` | region ops (the first one: ``python -m registry accounts create-ops``) |
| ``municipality_reader``, ``business_partner`` | region ops |
| ``centrale_staff`` of a centrale | region ops, or staff of that centrale (colleagues) |
| ``organisation`` (a user of an organisation) | staff of its centrale, or the organisation's users |
| ``volunteer`` | staff of the volunteer's centrale (the address in the record); volunteers also register themselves |

A person without a password gets an invitation link; one who has an account already gets a mail that a
role was added. Ending a membership revokes the sessions acting as it; an account without memberships can
no longer log in. Links are single-use, short-lived, kept only as hashes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from common.auth import Caller, Role, hash_token
from common.errors import Conflict, Forbidden, NotFound, Rejected
from registry.account_mail import AccountMail
from registry.authn import AccountPolicy, link_token, new_totp_secret, otpauth_uri, password_problems, qr_svg, totp_step
from registry.domain import AccessPurpose, no_access_reason
from registry.repositories import Account, AccountLink, Membership
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.audit import record_access
from registry.use_cases.credentials import emit_revoked
from registry.use_cases.throttle import Throttled, throttle

__all__ = [
    "TOTP_REQUIRED_FOR",
    "ChangePassword",
    "ConfirmTotp",
    "EndMembership",
    "GetAccount",
    "Invite",
    "Invited",
    "ListMemberships",
    "RemoveTotp",
    "RequestPasswordReset",
    "ResetRequested",
    "SetPassword",
    "StartTotp",
    "TotpEnrolment",
    "change_password",
    "confirm_totp",
    "end_membership",
    "end_organisation_memberships",
    "end_volunteer_memberships",
    "get_account",
    "invite",
    "list_memberships",
    "membership_view",
    "remove_totp",
    "request_password_reset",
    "revoke_sessions",
    "set_password",
    "start_totp",
]

# Roles whose people must log in with a second factor (an account with any of them needs it always).
TOTP_REQUIRED_FOR = frozenset({Role.CENTRALE_STAFF, Role.REGION_OPS})
_REGION_ROLES = frozenset({Role.REGION_OPS, Role.BUSINESS_PARTNER})
_SUBJECT_ROLES = frozenset({Role.ORGANISATION, Role.VOLUNTEER, Role.BUSINESS_PARTNER})
_PASSWORD_LINKS = ("invitation", "password_reset")
_INVALID_LINK = "this link does not work (any more): it was used, it expired, or it is unknown; ask for a new one"


@dataclass(frozen=True)
class Invite:
    """Invite a person to act in a role (bound to a centrale and record where the role has them)."""

    role: Role
    centrale_id: str | None
    subject_id: UUID | None
    email: str | None
    name: str | None
    by: Caller | None
    """Who invites; None only for the bootstrap of the region's first ops account."""
    policy: AccountPolicy


@dataclass(frozen=True)
class Invited:
    """The invitation's account and membership, and the e-mail to send once it is stored."""

    account_id: UUID
    membership_id: UUID
    mail: AccountMail


@dataclass(frozen=True)
class SetPassword:
    """Set a password with an e-mailed link (an invitation's first password, or a reset)."""

    token: str
    password: str
    policy: AccountPolicy


@dataclass(frozen=True)
class RequestPasswordReset:
    """Ask for a reset link by e-mail (the answer never says whether the address has an account)."""

    email: str
    client_address: str
    policy: AccountPolicy


@dataclass(frozen=True)
class ResetRequested:
    """The request was taken; ``mail`` is what to send (None when the address has no usable account)."""

    mail: AccountMail | None


@dataclass(frozen=True)
class GetAccount:
    """The caller's own account: name, address, second factor, memberships."""

    account_id: UUID


@dataclass(frozen=True)
class ChangePassword:
    """Change one's password knowing the current one; every other session of the account ends."""

    account_id: UUID
    current_password: str
    new_password: str
    keep_session: UUID | None
    policy: AccountPolicy


@dataclass(frozen=True)
class StartTotp:
    """Begin enabling the second factor: a new secret to scan, not in force until a code confirms it."""

    account_id: UUID
    policy: AccountPolicy


@dataclass(frozen=True)
class TotpEnrolment:
    """A secret to put in an authenticator app: typed in, or scanned from the QR code (inline SVG)."""

    secret: str
    otpauth_uri: str
    qr_svg: str


@dataclass(frozen=True)
class ConfirmTotp:
    """Enable the second factor with a first code from the app."""

    account_id: UUID
    code: str


@dataclass(frozen=True)
class RemoveTotp:
    """Switch the second factor off (not for accounts that must have it), confirmed with a current code."""

    account_id: UUID
    code: str


@dataclass(frozen=True)
class ListMemberships:
    """The people who may act for a centrale (or one of its organisations), with their accounts."""

    by: Caller
    centrale_id: str | None
    organisation_id: UUID | None = None
    roles: tuple[Role, ...] = ()
    partner_id: UUID | None = None


@dataclass(frozen=True)
class EndMembership:
    """End what an account may act as (a colleague leaves; a user of an organisation stops); its sessions end."""

    membership_id: UUID
    by: Caller


async def invite(cmd: Invite, uow: RegistryUnitOfWork) -> Invited:
    """Create the account if the address has none, add the membership, and say which e-mail to send."""
    where, email, name = await _authorised_invitation(cmd, uow)
    if email is None:
        raise Rejected(["an e-mail address is needed to invite someone"], field="email")
    now = uow.now()
    actor = _actor(uow)
    account = await uow.accounts.by_email(email, lock=True)
    if account is None:
        if not name:
            raise Rejected(["a name is needed for a new account"], field="name")
        account = Account(id=uuid4(), email=email, name=name, created_at=now, created_by=actor)
        if not await uow.accounts.add(account):
            # Invited at the same moment by someone else: theirs is the account.
            account = await uow.accounts.by_email(email, lock=True)
            assert account is not None
    membership = await uow.memberships.find_active(account.id, cmd.role.value, cmd.centrale_id, cmd.subject_id)
    if membership is not None and account.password_hash is not None:
        raise Conflict("this person already has this role here")
    if membership is None:
        membership = Membership(uuid4(), account.id, cmd.role.value, cmd.centrale_id, cmd.subject_id, now, actor)
        await uow.memberships.add(membership)
    if cmd.role is Role.VOLUNTEER and cmd.subject_id is not None and cmd.centrale_id is not None:
        await record_access(uow, cmd.subject_id, cmd.centrale_id, "change", "account", AccessPurpose.ACCOUNT_SUPPORT)
    if account.password_hash is not None:
        mail = AccountMail(account.email or email, account.name, "membership_added", cmd.role, where)
        return Invited(account.id, membership.id, mail)
    token = await _new_link(uow, account.id, "invitation", cmd.policy.invitation_lifetime)
    mail = AccountMail(
        account.email or email, account.name, "invitation", cmd.role, where, token, now + cmd.policy.invitation_lifetime
    )
    return Invited(account.id, membership.id, mail)


async def set_password(cmd: SetPassword, uow: RegistryUnitOfWork) -> UUID:
    """Use the link once to set the password; every session of the account ends (a password change)."""
    now = uow.now()
    link = await uow.account_links.redeem(hash_token(cmd.token), _PASSWORD_LINKS, now)
    account = await uow.accounts.get(link.account_id, lock=True) if link else None
    if account is None or account.erased_at is not None:
        raise Rejected([_INVALID_LINK], field="token")
    # Refused before anything is written: the transaction rolls back and the link still works.
    if problems := password_problems(cmd.password, account.email):
        raise Rejected(problems, field="password")
    hashed = await cmd.policy.passwords.hash(cmd.password)
    await uow.accounts.save(replace(account, password_hash=hashed, password_changed_at=now))
    await uow.account_links.discard(account.id, _PASSWORD_LINKS, now)
    await revoke_sessions(uow, account.id)
    return account.id


async def request_password_reset(cmd: RequestPasswordReset, uow: RegistryUnitOfWork) -> ResetRequested | Throttled:
    """Count the request, and make a reset link when the address has an account that can log in."""
    email = cmd.email.strip()
    limits = cmd.policy.limits
    throttled = await throttle(
        uow,
        [
            ("reset:address", cmd.client_address, limits.resets_per_address),
            ("reset:account", email.lower(), limits.resets_per_account),
        ],
        limits.reset_window,
    )
    if throttled is not None:
        return throttled
    account = await uow.accounts.by_email(email, lock=True)
    if account is None or account.erased_at is not None or not await uow.memberships.active_of(account.id):
        return ResetRequested(None)
    token = await _new_link(uow, account.id, "password_reset", cmd.policy.reset_lifetime)
    mail = AccountMail(
        account.email or email,
        account.name,
        "password_reset",
        Role(await _first_role(uow, account.id)),
        None,
        token,
        uow.now() + cmd.policy.reset_lifetime,
    )
    return ResetRequested(mail)


async def get_account(query: GetAccount, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The account as its owner sees it, with every membership it may act as."""
    account = await _live_account(uow, query.account_id)
    memberships = await uow.memberships.active_of(account.id)
    return {
        "id": account.id,
        "email": account.email,
        "name": account.name,
        "password_set": account.password_hash is not None,
        "totp_enabled": account.totp_secret is not None,
        "totp_required": any(Role(m.role) in TOTP_REQUIRED_FOR for m in memberships),
        "last_login_at": account.last_login_at,
        "memberships": [await membership_view(m, uow) for m in memberships],
    }


async def change_password(cmd: ChangePassword, uow: RegistryUnitOfWork) -> None:
    """Check the current password, set the new one, end every other session and outstanding reset link."""
    account = await _live_account(uow, cmd.account_id, lock=True)
    if not await cmd.policy.passwords.verify(account.password_hash, cmd.current_password):
        raise Rejected(["the current password is not right"], field="current_password")
    if problems := password_problems(cmd.new_password, account.email):
        raise Rejected(problems, field="new_password")
    now = uow.now()
    hashed = await cmd.policy.passwords.hash(cmd.new_password)
    await uow.accounts.save(replace(account, password_hash=hashed, password_changed_at=now))
    await uow.account_links.discard(account.id, _PASSWORD_LINKS, now)
    await revoke_sessions(uow, account.id, keep=cmd.keep_session)


async def start_totp(cmd: StartTotp, uow: RegistryUnitOfWork) -> TotpEnrolment:
    """A fresh secret to scan; Conflict when the second factor is on already."""
    account = await _live_account(uow, cmd.account_id, lock=True)
    if account.totp_secret is not None:
        raise Conflict("the second factor is on already; switch it off first to use another app")
    secret = new_totp_secret()
    await uow.accounts.save(replace(account, totp_pending_secret=secret))
    uri = otpauth_uri(secret, account.email or str(account.id), cmd.policy.totp_issuer)
    return TotpEnrolment(secret, uri, qr_svg(uri))


async def confirm_totp(cmd: ConfirmTotp, uow: RegistryUnitOfWork) -> None:
    """Put the pending secret in force once a code from it is right."""
    account = await _live_account(uow, cmd.account_id, lock=True)
    if account.totp_pending_secret is None:
        raise Conflict("start enabling the second factor first")
    step = totp_step(account.totp_pending_secret, cmd.code, uow.now(), None)
    if step is None:
        raise Rejected(["this code is not right; check the app's clock and try the next code"], field="code")
    await uow.accounts.save(
        replace(account, totp_secret=account.totp_pending_secret, totp_pending_secret=None, totp_last_step=step)
    )


async def remove_totp(cmd: RemoveTotp, uow: RegistryUnitOfWork) -> None:
    """Switch the second factor off; Forbidden for staff and ops, who must keep it."""
    account = await _live_account(uow, cmd.account_id, lock=True)
    memberships = await uow.memberships.active_of(account.id)
    if any(Role(m.role) in TOTP_REQUIRED_FOR for m in memberships):
        raise Forbidden("centrale staff and region ops must keep the second factor")
    if account.totp_secret is None:
        raise Conflict("the second factor is off already")
    step = totp_step(account.totp_secret, cmd.code, uow.now(), account.totp_last_step)
    if step is None:
        raise Rejected(["this code is not right"], field="code")
    await uow.accounts.save(replace(account, totp_secret=None, totp_pending_secret=None, totp_last_step=step))


async def list_memberships(query: ListMemberships, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """Memberships with their accounts (name, address, whether they set a password and the second factor)."""
    by = query.by
    roles = [role.value for role in query.roles]
    if query.centrale_id is None:
        if by.role is not Role.REGION_OPS:
            raise Forbidden(f"role {by.role} may not list the region's accounts")
        memberships = await uow.memberships.active_listing(roles=roles, subject_id=query.partner_id)
    elif query.organisation_id is not None:
        _may_manage_organisation(by, query.centrale_id, query.organisation_id)
        if await uow.organisations.get(query.organisation_id, query.centrale_id) is None:
            raise NotFound(f"organisation {query.organisation_id} not found")
        memberships = await uow.memberships.active_listing(
            centrale_id=query.centrale_id, roles=[Role.ORGANISATION.value], subject_id=query.organisation_id
        )
    else:
        _may_manage_centrale(by, query.centrale_id)
        if not await uow.centrales.exists(query.centrale_id):
            raise NotFound(f"centrale {query.centrale_id} not found")
        memberships = await uow.memberships.active_listing(centrale_id=query.centrale_id, roles=roles)
    accounts = await uow.accounts.get_many({m.account_id for m in memberships})
    rows = []
    for membership in memberships:
        account = accounts[membership.account_id]
        rows.append(
            {
                **(await membership_view(membership, uow)),
                "account_id": account.id,
                "name": account.name,
                "email": account.email,
                "password_set": account.password_hash is not None,
                "totp_enabled": account.totp_secret is not None,
                "last_login_at": account.last_login_at,
            }
        )
    return rows


async def end_membership(cmd: EndMembership, uow: RegistryUnitOfWork) -> int:
    """End the membership and revoke the sessions acting as it; how many sessions ended."""
    membership = await uow.memberships.get(cmd.membership_id, lock=True)
    if membership is None or membership.ended_at is not None:
        raise NotFound(f"membership {cmd.membership_id} not found")
    _may_end(cmd.by, membership)
    now = uow.now()
    await uow.memberships.end(membership.id, now, _actor(uow))
    revoked = await uow.credentials.revoke_sessions(membership_id=membership.id, at=now)
    for session in revoked:
        await emit_revoked(session, uow)
    return len(revoked)


async def end_volunteer_memberships(uow: RegistryUnitOfWork, volunteer_id: UUID) -> int:
    """A step of a volunteer's erasure: end the memberships acting as them, and erase accounts left without any.

    The sessions acting as the volunteer are revoked with their other credentials (by subject); an account
    that also works for an organisation or a centrale stays, without the volunteer's role. How many accounts
    were erased.
    """
    now = uow.now()
    erased = 0
    for membership in await uow.memberships.active_listing(roles=[Role.VOLUNTEER.value], subject_id=volunteer_id):
        await uow.memberships.end(membership.id, now, _actor(uow))
        if await uow.memberships.active_of(membership.account_id):
            continue
        account = await uow.accounts.get(membership.account_id, lock=True)
        assert account is not None
        await revoke_sessions(uow, account.id)
        await uow.account_links.discard(account.id, (*_PASSWORD_LINKS, "totp_enrolment"), now)
        await uow.personal_data.erase_account(account.id)
        erased_account = await uow.accounts.get(account.id)
        assert erased_account is not None
        await uow.accounts.save(replace(erased_account, totp_last_step=None, erased_at=now))
        erased += 1
    return erased


async def end_organisation_memberships(uow: RegistryUnitOfWork, organisation_id: UUID, centrale_id: str) -> int:
    """A step of an organisation's refusal: end every membership acting as it; how many.

    Their sessions are revoked with the organisation's other credentials (by subject); the accounts stay (a
    person may act for others too, and the audit trail names them), without this role.
    """
    memberships = await uow.memberships.active_listing(
        centrale_id=centrale_id, roles=[Role.ORGANISATION.value], subject_id=organisation_id
    )
    for membership in memberships:
        await uow.memberships.end(membership.id, uow.now(), _actor(uow))
    return len(memberships)


async def revoke_sessions(uow: RegistryUnitOfWork, account_id: UUID, *, keep: UUID | None = None) -> int:
    """Revoke the account's sessions (all but ``keep``) and queue ``CredentialRevoked`` for each; how many."""
    revoked = await uow.credentials.revoke_sessions(account_id=account_id, at=uow.now(), keep=keep)
    for session in revoked:
        await emit_revoked(session, uow)
    return len(revoked)


async def membership_view(membership: Membership, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """A membership as people read it: role, centrale and the record it acts as, by id and name."""
    centrale = await uow.centrales.get(membership.centrale_id) if membership.centrale_id else None
    subject_name = None
    if membership.subject_id is not None:
        if membership.role == Role.ORGANISATION.value and membership.centrale_id:
            organisation = await uow.organisations.get(membership.subject_id, membership.centrale_id)
            subject_name = organisation.name if organisation else None
        elif membership.role == Role.BUSINESS_PARTNER.value:
            partner = await uow.partners.get(membership.subject_id)
            subject_name = partner.name if partner else None
    return {
        "membership_id": membership.id,
        "role": membership.role,
        "centrale_id": membership.centrale_id,
        "centrale_name": centrale.name if centrale else None,
        "subject_id": membership.subject_id,
        "subject_name": subject_name,
        "since": membership.created_at,
    }


# -- helpers -------------------------------------------------------------------------------------------


def _actor(uow: RegistryUnitOfWork) -> str:
    return uow.origin.actor or "unknown"


async def _new_link(uow: RegistryUnitOfWork, account_id: UUID, purpose: str, lifetime: timedelta) -> str:
    """A new single-use link token (earlier ones of the same purpose stop working); returns the token."""
    now = uow.now()
    await uow.account_links.discard(account_id, (purpose,), now)
    token = link_token()
    await uow.account_links.add(AccountLink(hash_token(token), account_id, purpose, now, now + lifetime))
    return token


async def _first_role(uow: RegistryUnitOfWork, account_id: UUID) -> str:
    memberships = await uow.memberships.active_of(account_id)
    return memberships[0].role


async def _live_account(uow: RegistryUnitOfWork, account_id: UUID, *, lock: bool = False) -> Account:
    account = await uow.accounts.get(account_id, lock=lock)
    if account is None or account.erased_at is not None:
        raise NotFound(f"account {account_id} not found")
    return account


def _may_manage_centrale(by: Caller, centrale_id: str) -> None:
    """Region ops, or staff of ``centrale_id`` (another centrale's staff: NotFound)."""
    if by.role is Role.REGION_OPS:
        return
    if by.role is not Role.CENTRALE_STAFF:
        raise Forbidden(f"role {by.role} may not manage a centrale's people")
    if by.centrale_id != centrale_id:
        raise NotFound("not found")


def _may_manage_organisation(by: Caller, centrale_id: str, organisation_id: UUID) -> None:
    """Staff of the centrale, or the organisation's own users."""
    if by.role is Role.ORGANISATION:
        if by.centrale_id != centrale_id or by.subject_id != organisation_id:
            raise NotFound("not found")
        return
    if by.role is Role.REGION_OPS:
        raise Forbidden("an organisation's users are managed by its centrale")
    _may_manage_centrale(by, centrale_id)


def _may_end(by: Caller, membership: Membership) -> None:
    """Region ops end any; staff those of their centrale (but readers'); an organisation's users each other's."""
    role = Role(membership.role)
    if by.role is Role.REGION_OPS:
        return
    if membership.centrale_id is None:
        raise Forbidden("region ops manage region-wide accounts")
    if role is Role.ORGANISATION and by.role is Role.ORGANISATION:
        _may_manage_organisation(by, membership.centrale_id, membership.subject_id or uuid4())
        return
    _may_manage_centrale(by, membership.centrale_id)
    if role is Role.MUNICIPALITY_READER:
        raise Forbidden("region ops manage municipality readers")


async def _authorised_invitation(cmd: Invite, uow: RegistryUnitOfWork) -> tuple[str | None, str | None, str | None]:
    """Check who may invite whom and that what the role is bound to exists; returns (where, e-mail, name)."""
    role, centrale_id, subject_id, by = cmd.role, cmd.centrale_id, cmd.subject_id, cmd.by
    if by is None:
        if role is not Role.REGION_OPS:
            raise Forbidden("only the region's first ops account is created without an inviter")
    elif role in (Role.REGION_OPS, Role.MUNICIPALITY_READER, Role.BUSINESS_PARTNER):
        if by.role is not Role.REGION_OPS:
            raise Forbidden(f"region ops invite {role.value} accounts")
    elif role is Role.CENTRALE_STAFF:
        _may_manage_centrale(by, centrale_id or "")
    elif role is Role.ORGANISATION:
        _may_manage_organisation(by, centrale_id or "", subject_id or uuid4())
    else:
        if by.role is not Role.CENTRALE_STAFF:
            raise Forbidden("staff of the volunteer's centrale invite a volunteer")
        _may_manage_centrale(by, centrale_id or "")
    if role in _REGION_ROLES and centrale_id is not None:
        raise Rejected([f"a {role.value} account is not bound to a centrale"], field="centrale_id")
    if role not in _REGION_ROLES and centrale_id is None:
        raise Rejected([f"a {role.value} account is bound to a centrale"], field="centrale_id")
    if (role in _SUBJECT_ROLES) != (subject_id is not None):
        needs = "needs" if role in _SUBJECT_ROLES else "takes no"
        raise Rejected([f"a {role.value} account {needs} the record it acts as"], field="subject_id")
    where = None
    if centrale_id is not None:
        centrale = await uow.centrales.get(centrale_id)
        if centrale is None:
            raise NotFound(f"centrale {centrale_id} not found")
        where = centrale.name
    email, name = cmd.email, cmd.name
    if role is Role.ORGANISATION:
        assert subject_id is not None
        assert centrale_id is not None
        organisation = await uow.organisations.get(subject_id, centrale_id)
        if organisation is None:
            raise NotFound(f"organisation {subject_id} not found")
        if reason := no_access_reason(organisation.status):
            raise Conflict(reason)
        where = f"{organisation.name} ({where})"
    elif role is Role.BUSINESS_PARTNER:
        assert subject_id is not None
        partner = await uow.partners.get(subject_id)
        if partner is None:
            raise NotFound(f"business partner {subject_id} not found")
        where = partner.name
    elif role is Role.VOLUNTEER:
        assert subject_id is not None
        assert centrale_id is not None
        volunteer = await uow.volunteers.get_active(subject_id, centrale_id)
        if volunteer is None:
            raise NotFound(f"volunteer {subject_id} not found")
        if cmd.email is not None:
            raise Rejected(["a volunteer's account uses the e-mail address in their record"], field="email")
        if volunteer.email is None:
            raise Rejected(["the volunteer's record has no e-mail address: add one first"], field="subject_id")
        email, name = volunteer.email, volunteer.name
    return where, email, name
