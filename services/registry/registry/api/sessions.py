"""Routes for logging in and out: sessions, which every service accepts like API credentials."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from common.auth import CallerDep
from common.errors import NotFound
from registry.api._accounts import AccountPolicyDep, ClientAddress, account_of, throttled_response
from registry.api._plumbing import RegistryUowDep
from registry.api.account_models import (
    CurrentSessionOut,
    EnrolmentIn,
    LoginIn,
    SessionStartedOut,
    SwitchIn,
    TotpEnrolmentOut,
)
from registry.use_cases import sessions
from registry.use_cases.throttle import Throttled

router = APIRouter(prefix="/v1/sessions", tags=["sessions"])

_REFUSALS = {
    "credentials": (401, "wrong e-mail address or password"),
    "totp_required": (401, "enter the code from your authenticator app"),
    "totp_wrong": (401, "the code from your authenticator app is not right"),
    "membership": (422, "you cannot act as this membership"),
}


def _started(started: sessions.SessionStarted) -> JSONResponse:
    body = SessionStartedOut.model_validate({"token": started.token, "session": started.session})
    return JSONResponse(body.model_dump(mode="json"), status_code=status.HTTP_201_CREATED)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionStartedOut,
    responses={
        200: {"model": TotpEnrolmentOut, "description": "Staff and ops must enable the second factor first."},
        401: {"description": "Wrong e-mail or password (`reason`: credentials), or the TOTP code is missing or wrong."},
        422: {"description": "Bad input, or a membership the account does not have."},
        429: {"description": "Too many attempts: wait `Retry-After` seconds."},
    },
    summary="Log in: e-mail, password and (when on) a TOTP code; the answer's token is the session.",
)
async def log_in(body: LoginIn, uow: RegistryUowDep, policy: AccountPolicyDep, address: ClientAddress) -> JSONResponse:
    cmd = sessions.Login(
        str(body.email), body.password, body.totp_code, body.membership_id, body.label, address, policy
    )
    outcome = await sessions.login(cmd, uow)
    if isinstance(outcome, Throttled):
        return throttled_response(outcome)
    if isinstance(outcome, sessions.LoginRefused):
        code, detail = _REFUSALS[outcome.reason]
        headers = {"WWW-Authenticate": "Bearer"} if code == 401 else None
        if code == 422:
            problem: Any = [{"loc": ["body", "membership_id"], "msg": detail, "type": "rejected"}]
            return JSONResponse({"detail": problem}, status_code=code)
        return JSONResponse({"detail": detail, "reason": outcome.reason}, status_code=code, headers=headers)
    if isinstance(outcome, sessions.EnrolmentNeeded):
        enrolment = TotpEnrolmentOut(
            ticket=outcome.ticket,
            secret=outcome.secret,
            otpauth_uri=outcome.otpauth_uri,
            qr_svg=outcome.qr_svg,
            expires_at=outcome.expires_at,
        )
        return JSONResponse(enrolment.model_dump(mode="json"), status_code=status.HTTP_200_OK)
    return _started(outcome)


@router.post(
    "/totp-enrolment",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionStartedOut,
    responses={422: {"description": "The ticket is used up (one try each) or the code is wrong: log in again."}},
    summary="Finish a first login: the login's ticket and a code from the app switch the second factor on.",
)
async def finish_enrolment(body: EnrolmentIn, uow: RegistryUowDep, policy: AccountPolicyDep) -> JSONResponse:
    outcome = await sessions.complete_enrolment(
        sessions.CompleteEnrolment(body.ticket, body.code, body.label, policy), uow
    )
    if isinstance(outcome, sessions.EnrolmentRefused):
        field, message = (
            ("ticket", "this ticket is used up or expired: log in again")
            if outcome.reason == "ticket"
            else ("code", "the code is not right: log in again and try the next code")
        )
        return JSONResponse({"detail": [{"loc": ["body", field], "msg": message, "type": "rejected"}]}, status_code=422)
    return _started(outcome)


@router.get("/current", summary="The session of this request: account, membership, the memberships to switch to.")
async def current(caller: CallerDep, uow: RegistryUowDep, policy: AccountPolicyDep) -> CurrentSessionOut:
    account_of(caller)
    assert caller.credential_id is not None
    return CurrentSessionOut.model_validate(
        await sessions.current_session(sessions.CurrentSession(caller.credential_id, policy), uow)
    )


@router.delete("/current", status_code=204, summary="Log out: the session stops working on every service.")
async def log_out(caller: CallerDep, uow: RegistryUowDep) -> None:
    account_of(caller)
    assert caller.credential_id is not None
    await sessions.logout(sessions.Logout(caller.credential_id), uow)


@router.post(
    "/current/membership",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionStartedOut,
    summary="Act as another of your memberships: a new session replaces this one (same end).",
)
async def switch(body: SwitchIn, caller: CallerDep, uow: RegistryUowDep, policy: AccountPolicyDep) -> JSONResponse:
    account_of(caller)
    if caller.credential_id is None:
        raise NotFound("this request did not come with a session")
    cmd = sessions.SwitchMembership(caller.credential_id, body.membership_id, policy)
    return _started(await sessions.switch_membership(cmd, uow))
