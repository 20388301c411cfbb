"""Registry HTTP API: one router per kind of client; routes only translate requests into use cases."""

from registry.api import calendar, ops, organisations, partners, staff, vacaturebank, volunteers

ROUTERS = (
    ops.router,
    staff.router,
    organisations.router,
    volunteers.router,
    partners.router,
    vacaturebank.router,
    calendar.router,
)

__all__ = ["ROUTERS"]
