"""Registry HTTP API: one router per kind of client; routes only translate requests into use cases.

Every route runs ``session_in_use`` first: a request with a person's session refreshes its last use (the
idle timeout), and a session gone idle is refused at once.
"""

from fastapi import APIRouter, Depends

from registry.api import access_log, accounts, credentials, ops, organisations, partners, sessions, staff, volunteers
from registry.api._accounts import session_in_use

_ROUTERS = (
    ops.router,
    staff.router,
    organisations.router,
    volunteers.router,
    partners.router,
    sessions.router,
    accounts.router,
    credentials.router,
    access_log.router,
)


def with_session_use(router: APIRouter) -> APIRouter:
    """The router with its routes behind ``session_in_use`` (paths unchanged)."""
    wrapped = APIRouter(dependencies=[Depends(session_in_use)])
    wrapped.include_router(router)
    return wrapped


ROUTERS = tuple(with_session_use(router) for router in _ROUTERS)

__all__ = ["ROUTERS", "with_session_use"]
