"""HTTP plumbing of accounts and sessions: the mailer, the client's address, the answers to throttling."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import BackgroundTasks, Depends, Request, status
from fastapi.responses import JSONResponse

from common.auth import Caller
from common.errors import Forbidden
from registry.account_mail import AccountMail, AccountMailer
from registry.api._plumbing import AccountPolicyDep, settings_of
from registry.use_cases.throttle import Throttled

__all__ = [
    "AccountPolicyDep",
    "ClientAddress",
    "MailerDep",
    "account_of",
    "send_after_commit",
    "throttled_response",
]


def _mailer(request: Request) -> AccountMailer:
    return AccountMailer(settings_of(request))


def _client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: uvicorn's forwarded-allow-ips decides)."""
    return request.client.host if request.client else "unknown"


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
