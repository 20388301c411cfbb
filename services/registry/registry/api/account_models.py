"""Request and response bodies of accounts, sessions, credentials and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from common.auth import Role

__all__ = [
    "AccessEntryOut",
    "AccountOut",
    "ActorOut",
    "ApiCredentialOut",
    "ChangePasswordIn",
    "CurrentSessionOut",
    "EnrolmentIn",
    "InvitationIn",
    "InvitationOut",
    "LoginIn",
    "MemberOut",
    "MembershipOut",
    "PasswordIn",
    "ResetIn",
    "SessionOut",
    "SessionStartedOut",
    "SwitchIn",
    "TotpCodeIn",
    "TotpEnrolmentOut",
]

Password = Field(min_length=1, max_length=256, description="At least 12 characters; a passphrase is best.")
TotpCode = Field(min_length=6, max_length=7, pattern=r"^[0-9]{3} ?[0-9]{3}$", examples=["123456"])
DeviceLabel = Field(
    None, min_length=1, max_length=100, description="The device, as you want to see it in your list of sessions."
)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InvitationIn(_Request):
    """Invite a person to a role; an account is made for an e-mail address that has none."""

    role: Role
    centrale_id: str | None = Field(None, description="The centrale of a centrale-bound role.", examples=["vc-utrecht"])
    subject_id: UUID | None = Field(
        None, description="The organisation, volunteer or business partner the role acts as (where it has one)."
    )
    email: EmailStr | None = Field(None, description="Not for volunteers: their record's address is used.")
    name: str | None = Field(None, min_length=1, max_length=200, description="For a new account.")


class InvitationOut(BaseModel):
    """The invited account and membership; the e-mail goes out once this answer is sent."""

    account_id: UUID
    membership_id: UUID
    mail: Literal["invitation", "membership_added"] = Field(
        description="`invitation` (a link to choose a password) or `membership_added` (the account had one)."
    )
    development_link_token: str | None = Field(
        None, description="Only with DEVELOPMENT=true and no SMTP server: the link's token, for the local demo."
    )


class PasswordIn(_Request):
    """A password chosen with an e-mailed link (invitation or reset)."""

    token: str = Field(min_length=20, max_length=100, description="The token from the link.")
    password: str = Password


class ResetIn(_Request):
    """Ask for a password-reset e-mail."""

    email: EmailStr


class LoginIn(_Request):
    """Log in; the membership to act as when the account has several (default: the oldest)."""

    email: EmailStr
    password: str = Field(min_length=1, max_length=256)
    totp_code: str | None = Field(
        None, min_length=6, max_length=7, pattern=r"^[0-9]{3} ?[0-9]{3}$", description="When the second factor is on."
    )
    membership_id: UUID | None = None
    label: str | None = DeviceLabel


class EnrolmentIn(_Request):
    """Confirm the second factor during a first login: the login's ticket and a code from the app."""

    ticket: str = Field(min_length=20, max_length=100)
    code: str = TotpCode
    label: str | None = DeviceLabel


class SwitchIn(_Request):
    """Act as another of your memberships."""

    membership_id: UUID


class ChangePasswordIn(_Request):
    """A new password, confirmed with the current one."""

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Password


class TotpCodeIn(_Request):
    """A code from the authenticator app."""

    code: str = TotpCode


class SessionOut(BaseModel):
    """A session (never its token)."""

    id: UUID
    role: Role
    centrale_id: str | None
    subject_id: UUID | None
    membership_id: UUID | None
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None = Field(description="The absolute end.")
    idle_expires_at: datetime | None = Field(description="When it ends unless used before.")
    current: bool | None = Field(None, description="In a list of your sessions: the one of this request.")


class SessionStartedOut(BaseModel):
    """A new session: send `token` as `Authorization: Bearer <token>` to every service."""

    token: str
    session: SessionOut


class TotpEnrolmentOut(BaseModel):
    """Put this in an authenticator app (scan the QR code or type the secret), then confirm with a code."""

    totp_enrolment_required: bool = Field(True, description="Always true: tells this answer from a session.")
    ticket: str | None = Field(None, description="During a first login: send it with a code to finish logging in.")
    secret: str
    otpauth_uri: str
    qr_svg: str = Field(description="The QR code as an inline SVG element.")
    expires_at: datetime | None = Field(None, description="When the ticket stops working.")


class MembershipOut(BaseModel):
    """What an account may act as."""

    membership_id: UUID
    role: Role
    centrale_id: str | None
    centrale_name: str | None
    subject_id: UUID | None
    subject_name: str | None = Field(description="The organisation's or partner's name.")
    since: datetime


class MemberOut(MembershipOut):
    """A membership with its person: who may act for the centrale or organisation."""

    account_id: UUID
    name: str | None
    email: str | None
    password_set: bool = Field(description="False while the invitation is open.")
    totp_enabled: bool
    last_login_at: datetime | None


class AccountSummary(BaseModel):
    """The account behind a session."""

    id: UUID
    name: str | None
    email: str | None
    totp_enabled: bool


class CurrentSessionOut(BaseModel):
    """The session of this request, its account, the membership it acts as, and the others it could."""

    session: SessionOut
    account: AccountSummary
    membership: MembershipOut | None
    memberships: list[MembershipOut]


class AccountOut(BaseModel):
    """Your account."""

    id: UUID
    email: str | None
    name: str | None
    password_set: bool
    totp_enabled: bool
    totp_required: bool = Field(description="Centrale staff and region ops must keep the second factor on.")
    last_login_at: datetime | None
    memberships: list[MembershipOut]


class ApiCredentialOut(BaseModel):
    """An API credential (never its token)."""

    id: UUID
    role: Role
    centrale_id: str | None
    subject_id: UUID | None
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class ActorOut(BaseModel):
    """Who accessed a record: a person's account (with their name), a credential (its label), or a role."""

    kind: str = Field(description="`account`, `credential`, or a role such as `region_ops`.")
    account_id: UUID | None = None
    name: str | None = Field(None, description="The person's name (null once their account was erased).")
    credential_id: UUID | None = None
    label: str | None = None


class CentraleRef(BaseModel):
    """A centrale by id and name."""

    id: str
    name: str


class AccessEntryOut(BaseModel):
    """One access to a volunteer's record: when, what, why, by whom, for which centrale."""

    volunteer_id: UUID | None = Field(None, description="In a centrale's trail: whose record.")
    at: datetime
    action: Literal["read", "export", "change", "erase", "create"]
    what: str = Field(description="`record`, `export`, `profile`, `consent`, `vog`, `credential` or `account`.")
    purpose: str
    by: ActorOut
    centrale: CentraleRef | None
