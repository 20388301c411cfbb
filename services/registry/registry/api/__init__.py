"""Registry HTTP API: one router per kind of client; routes only translate requests into use cases."""

from registry.api import ops, organisations, partners, staff, volunteers

ROUTERS = (ops.router, staff.router, organisations.router, volunteers.router, partners.router)

__all__ = ["ROUTERS"]
