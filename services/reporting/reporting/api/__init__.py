"""Reporting HTTP API: figures per scope and role, accountability reports, ops configuration and rebuilds."""

from reporting.api import figures, ops, reports

ROUTERS = (figures.router, reports.router, ops.router)

__all__ = ["ROUTERS"]
