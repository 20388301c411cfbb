"""Matching's HTTP API for staff, consulenten, organisations, volunteers and region ops; same auth as the registry.

Routes check the caller's role and the centrale in the path, build a command and call one use case with
the request's unit of work (committed when the route returns); they hold no SQL and no record checks.
"""

from fastapi import APIRouter

from matching.api.ops import router as ops_router
from matching.api.proposals import router as proposals_router

__all__ = ["router"]

router = APIRouter(prefix="/v1")
router.include_router(proposals_router)
router.include_router(ops_router)
