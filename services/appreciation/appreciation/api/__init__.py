"""Appreciation HTTP API: one router per kind of client; routes only translate requests into use cases."""

from appreciation.api import ops, organisations, public, staff, volunteers

ROUTERS = (staff.router, volunteers.router, organisations.router, public.router, ops.router)

__all__ = ["ROUTERS"]
