"""Registry HTTP API: one router per kind of client; routes only translate requests into use cases."""

from registry.api import conversation, follow_up, ops, organisations, partners, staff, volunteers

ROUTERS = (
    ops.router,
    staff.router,
    organisations.router,
    volunteers.router,
    partners.router,
    conversation.router,
    follow_up.router,
)

__all__ = ["ROUTERS"]
