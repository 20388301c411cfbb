"""Registry HTTP API: one router per kind of client; routes only translate requests into use cases."""

from registry.api import (
    access_log,
    accounts,
    beursvloer,
    calendar,
    conversation,
    credentials,
    follow_up,
    guardians,
    imports,
    ops,
    organisations,
    partners,
    sessions,
    shifts,
    staff,
    trainings,
    vacaturebank,
    volunteers,
    webhooks,
)

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
    vacaturebank.router,
    calendar.router,
    conversation.router,
    follow_up.router,
    imports.router,
    webhooks.router,
    guardians.router,
    beursvloer.router,
    trainings.router,
    shifts.router,
)

__all__ = ["ROUTERS"]
