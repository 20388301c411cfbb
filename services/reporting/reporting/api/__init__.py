"""Reporting HTTP API: figures per scope and role, accountability reports, ops configuration and rebuilds."""

from reporting.api import figures, ops, programmes, reports

ROUTERS = (figures.router, reports.router, ops.router, programmes.router)

__all__ = ["ROUTERS"]
