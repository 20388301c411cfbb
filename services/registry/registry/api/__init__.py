"""Registry HTTP API: one router per kind of client; routes only translate requests into use cases."""

from registry.api import access_log, accounts, credentials, ops, organisations, partners, sessions, staff, volunteers

ROUTERS = (
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

__all__ = ["ROUTERS"]
