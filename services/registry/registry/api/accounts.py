"""Routes for personal accounts: invitations, passwords, the second factor, sessions and memberships."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, BackgroundTasks, Query, status
from fastapi.responses import JSONResponse

from common.auth import CallerDep, Role
from registry.api._accounts import (
    AccountPolicyDep,
    ClientAddress,
    MailerDep,
    account_of,
    send_after_commit,
    throttled_response,
)
from registry.api._plumbing import RegistryUowDep
from registry.api.account_models import (
    AccountOut,
    ChangePasswordIn,
    InvitationIn,
    InvitationOut,
    MemberOut,
    PasswordIn,
    ResetIn,
    SessionOut,
    TotpCodeIn,
    TotpEnrolmentOut,
)
from registry.use_cases import accounts, sessions
from registry.use_cases.throttle import Throttled

router = APIRouter(prefix="/v1", tags=["accounts"])

RolesQuery = Annotated[list[Role] | None, Query(description="Only these roles (repeat the parameter).")]


@router.post(
    "/invitations",
    status_code=status.HTTP_201_CREATED,
    summary="Invite a person to a role (staff: colleagues, organisation users, volunteers; ops: the rest).",
)
async def invite(
    body: InvitationIn,
    caller: CallerDep,
    uow: RegistryUowDep,
    policy: AccountPolicyDep,
    mailer: MailerDep,
    tasks: BackgroundTasks,
) -> InvitationOut:
    cmd = accounts.Invite(
        body.role, body.centrale_id, body.subject_id, str(body.email) if body.email else None, body.name, caller, policy
    )
    invited = await accounts.invite(cmd, uow)
    send_after_commit(tasks, mailer, invited.mail)
    settings = mailer.settings
    # The local demo has no mail server: there the inviter gets the link's token to pass on.
    shown = invited.mail.token if settings.development and settings.smtp_host is None else None
    return InvitationOut(
        account_id=invited.account_id,
        membership_id=invited.membership_id,
        mail="invitation" if invited.mail.kind == "invitation" else "membership_added",
        development_link_token=shown,
    )


@router.post(
    "/passwords",
    status_code=204,
    responses={422: {"description": "The link does not work (used, expired, unknown), or the password is too weak."}},
    summary="Choose a password with an e-mailed link (an invitation or a reset); every session of the account ends.",
)
async def set_password(body: PasswordIn, uow: RegistryUowDep, policy: AccountPolicyDep) -> None:
    await accounts.set_password(accounts.SetPassword(body.token, body.password, policy), uow)


@router.post(
    "/password-resets",
    status_code=status.HTTP_202_ACCEPTED,
    responses={429: {"description": "Too many requests: wait `Retry-After` seconds."}},
    summary="Ask for a password-reset e-mail; the answer is the same whether or not the address has an account.",
)
async def request_reset(
    body: ResetIn,
    uow: RegistryUowDep,
    policy: AccountPolicyDep,
    mailer: MailerDep,
    tasks: BackgroundTasks,
    address: ClientAddress,
) -> JSONResponse:
    outcome = await accounts.request_password_reset(
        accounts.RequestPasswordReset(str(body.email), address, policy), uow
    )
    if isinstance(outcome, Throttled):
        return throttled_response(outcome)
    send_after_commit(tasks, mailer, outcome.mail)
    return JSONResponse({"detail": "if the address has an account, a link is on its way"}, status_code=202)


@router.get("/account", summary="Your account: name, address, second factor, memberships.")
async def my_account(caller: CallerDep, uow: RegistryUowDep) -> AccountOut:
    return AccountOut.model_validate(await accounts.get_account(accounts.GetAccount(account_of(caller)), uow))


@router.put(
    "/account/password",
    status_code=204,
    summary="Change your password (with the current one); your other sessions end.",
)
async def change_password(
    body: ChangePasswordIn, caller: CallerDep, uow: RegistryUowDep, policy: AccountPolicyDep
) -> None:
    cmd = accounts.ChangePassword(
        account_of(caller), body.current_password, body.new_password, caller.credential_id, policy
    )
    await accounts.change_password(cmd, uow)


@router.post(
    "/account/totp",
    status_code=status.HTTP_201_CREATED,
    summary="Start switching the second factor on: a secret and QR code for your app (confirm with a code).",
)
async def start_totp(caller: CallerDep, uow: RegistryUowDep, policy: AccountPolicyDep) -> TotpEnrolmentOut:
    enrolment = await accounts.start_totp(accounts.StartTotp(account_of(caller), policy), uow)
    return TotpEnrolmentOut(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri, qr_svg=enrolment.qr_svg)


@router.post("/account/totp/confirmation", status_code=204, summary="Switch the second factor on with a first code.")
async def confirm_totp(body: TotpCodeIn, caller: CallerDep, uow: RegistryUowDep) -> None:
    await accounts.confirm_totp(accounts.ConfirmTotp(account_of(caller), body.code), uow)


@router.post(
    "/account/totp/removal",
    status_code=204,
    summary="Switch the second factor off with a current code (not for centrale staff and region ops).",
)
async def remove_totp(body: TotpCodeIn, caller: CallerDep, uow: RegistryUowDep) -> None:
    await accounts.remove_totp(accounts.RemoveTotp(account_of(caller), body.code), uow)


@router.get("/account/sessions", summary="Your sessions (devices), newest first.")
async def my_sessions(caller: CallerDep, uow: RegistryUowDep, policy: AccountPolicyDep) -> list[SessionOut]:
    query = sessions.ListSessions(account_of(caller), caller.credential_id, policy)
    return [SessionOut.model_validate(row) for row in await sessions.list_sessions(query, uow)]


@router.delete(
    "/account/sessions/{session_id}", status_code=204, summary="End one of your sessions (a lost phone, say)."
)
async def end_my_session(session_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    await sessions.revoke_session(sessions.RevokeSession(account_of(caller), session_id), uow)


@router.get(
    "/centrales/{centrale_id}/memberships",
    summary="Who may act for the centrale (staff and region ops): colleagues, organisation users, readers, ...",
)
async def centrale_members(
    centrale_id: str,
    caller: CallerDep,
    uow: RegistryUowDep,
    role: RolesQuery = None,
) -> list[MemberOut]:
    query = accounts.ListMemberships(caller, centrale_id, roles=tuple(role or ()))
    return [MemberOut.model_validate(row) for row in await accounts.list_memberships(query, uow)]


@router.get(
    "/centrales/{centrale_id}/organisations/{organisation_id}/memberships",
    summary="The users of an organisation (its centrale's staff, or the organisation's own users).",
)
async def organisation_members(
    centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> list[MemberOut]:
    query = accounts.ListMemberships(caller, centrale_id, organisation_id=organisation_id)
    return [MemberOut.model_validate(row) for row in await accounts.list_memberships(query, uow)]


@router.get("/memberships", summary="Region ops: memberships across the region, by role and record.")
async def region_members(
    caller: CallerDep,
    uow: RegistryUowDep,
    role: RolesQuery = None,
    subject_id: Annotated[
        UUID | None, Query(description="Only those acting as this record (e.g. a business partner).")
    ] = None,
) -> list[MemberOut]:
    query = accounts.ListMemberships(caller, None, roles=tuple(role or ()), partner_id=subject_id)
    return [MemberOut.model_validate(row) for row in await accounts.list_memberships(query, uow)]


@router.delete(
    "/memberships/{membership_id}",
    status_code=204,
    summary="End a membership (a colleague leaves): its sessions stop working on every service within seconds.",
)
async def end_membership(membership_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> None:
    await accounts.end_membership(accounts.EndMembership(membership_id, caller), uow)
