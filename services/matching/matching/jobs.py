"""Matching's daily jobs: expire proposals nobody answered, then offer long-open tasks region-wide.

``POST /v1/maintenance/run`` does the same work at once; ``/v1/ops/jobs`` runs either job on demand.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time

from common.jobs import DailyAt, Job, JobContext
from common.uow import PostgresUnitOfWork
from matching.commands import ExpireStaleProposals, OfferOverflow
from matching.unit_of_work import PostgresMatchingUnitOfWork
from matching.use_cases import expire_stale_proposals, offer_overflow

__all__ = ["JOBS"]


def _matching(uow: PostgresUnitOfWork) -> PostgresMatchingUnitOfWork:
    """The job context builds units of work with the service's factory: matching's own."""
    assert isinstance(uow, PostgresMatchingUnitOfWork), "ServiceSpec.unit_of_work builds matching's unit of work"
    return uow


async def expire_proposals(ctx: JobContext) -> Mapping[str, int]:
    """Expire proposals unanswered for longer than ``MATCHING_PROPOSAL_TTL_DAYS``."""
    async with ctx.unit_of_work() as uow:
        expired = await expire_stale_proposals(ExpireStaleProposals(), _matching(uow))
    return {"expired": expired}


async def overflow(ctx: JobContext) -> Mapping[str, int]:
    """Offer tasks open longer than ``MATCHING_OVERFLOW_AFTER_DAYS`` without a match to the other centrales."""
    async with ctx.unit_of_work() as uow:
        offered = await offer_overflow(OfferOverflow(), _matching(uow))
    return {"tasks_offered": len(offered), "proposals": sum(len(ids) for ids in offered.values())}


# Expiry first: the proposals it frees count as open commitments no more when overflow proposes.
JOBS = [
    Job(
        "expire-proposals",
        expire_proposals,
        DailyAt(time(3, 0)),
        description="Proposals unanswered for MATCHING_PROPOSAL_TTL_DAYS expire (MatchExpired).",
    ),
    Job(
        "overflow",
        overflow,
        DailyAt(time(3, 15)),
        description="Tasks open MATCHING_OVERFLOW_AFTER_DAYS without a match are offered to consenting volunteers "
        "of the region's other centrales.",
    ),
]
