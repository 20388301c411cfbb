"""HTTP plumbing of accounts and sessions: the account policy, the mailer, the client's address, session use."""

from __future__ import annotations

from typing import Annotated, cast
from uuid import UUID

from fastapi import BackgroundTasks, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse

from common.auth import Caller, CredentialKind, identify
from common.errors import Forbidden
from common.runtime import get_runtime
from registry.account_mail import AccountMail, AccountMailer
from registry.api._plumbing import RegistryUowDep
from registry.authn import AccountPolicy
from registry.config import Settings
from registry.use_cases.sessions import TouchSession, touch_session
from registry.use_cases.throttle import Throttled

__all__ = [
    "AccountPolicyDep",
    "ClientAddress",
    "MailerDep",
    "account_of",
    "send_after_commit",
    "session_in_use",
    "settings_of",
    "throttled_response",
]


def settings_of(request: Request) -> Settings:
    """The registry's settings."""
    return cast(Settings, get_runtime(request).settings)


def _policy(request: Request) -> AccountPolicy:
    """The account policy of the running registry, built once from its settings."""
    extras = get_runtime(request).extras
    policy = extras.get("account_policy")
    if policy is None:
        policy = extras["account_policy"] = AccountPolicy.from_settings(settings_of(request))
    return cast(AccountPolicy, policy)


def _mailer(request: Request) -> AccountMailer:
    return AccountMailer(settings_of(request))


def _client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: uvicorn's forwarded-allow-ips decides)."""
    return request.client.host if request.client else "unknown"


AccountPolicyDep = Annotated[AccountPolicy, Depends(_policy)]
MailerDep = Annotated[AccountMailer, Depends(_mailer)]
ClientAddress = Annotated[str, Depends(_client_address)]


def account_of(caller: Caller) -> UUID:
    """The personal account behind the caller's session; 403 for an API credential or the ops token."""
    if caller.account_id is None:
        raise Forbidden("this needs a person's session (log in with POST /v1/sessions), not an API credential")
    return caller.account_id


def send_after_commit(tasks: BackgroundTasks, mailer: AccountMailer, mail: AccountMail | None) -> None:
    """Send ``mail`` once the response is out, so after the request's transaction committed its link."""
    if mail is not None:
        tasks.add_task(mailer.send, mail)


def throttled_response(throttled: Throttled) -> JSONResponse:
    """429 with ``Retry-After``."""
    return JSONResponse(
        {"detail": "too many attempts; try again later"},
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(throttled.retry_after_s)},
    )


async def session_in_use(
    caller: Annotated[Caller | None, Depends(identify)], uow: RegistryUowDep, policy: AccountPolicyDep
) -> None:
    """Every registry route: a session's use is recorded (idle timeout); an idle one gets 401 at once."""
    if caller is None or caller.kind != CredentialKind.SESSION or caller.credential_id is None:
        return
    if not await touch_session(TouchSession(caller.credential_id, policy), uow):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "session ended (idle)", {"WWW-Authenticate": "Bearer"})
