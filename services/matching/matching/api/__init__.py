"""Matching's HTTP API for staff, consulenten, organisations, volunteers and region ops; same auth as the registry.

Routes check the caller's role and the centrale in the path, build a command and call one use case with
the request's unit of work (committed when the route returns); they hold no SQL and no record checks.
"""

from matching.api.ops import router as ops_router
from matching.api.proposals import router as proposals_router
from matching.api.team_days import router as team_days_router

__all__ = ["ROUTERS"]

# Side by side rather than nested, so each router lists its routes with their full paths.
ROUTERS = [proposals_router, team_days_router, ops_router]
