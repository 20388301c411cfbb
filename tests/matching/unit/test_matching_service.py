"""What the matching service declares: its daily jobs, its unit of work, its settings as a policy."""

from __future__ import annotations

from datetime import time, timedelta
from uuid import uuid4

from common.clock import SystemClock
from common.jobs import DailyAt
from common.uow import Origin
from matching.config import Settings
from matching.jobs import JOBS
from matching.main import SPEC, build_spec, policy_of
from matching.unit_of_work import PostgresMatchingUnitOfWork


def test_the_service_declares_both_jobs_daily_expiry_first() -> None:
    assert [(job.name, job.schedule) for job in SPEC.jobs] == [
        ("expire-proposals", DailyAt(time(3, 0))),
        ("overflow", DailyAt(time(3, 15))),
    ]
    assert SPEC.jobs == JOBS
    assert all(job.description for job in JOBS)


def test_the_policy_follows_the_settings() -> None:
    settings = Settings.model_construct(proposal_ttl_days=3, overflow_after_days=9, proposals_per_task=2)

    policy = policy_of(settings)

    assert (policy.proposal_ttl, policy.overflow_after, policy.proposals_per_task) == (
        timedelta(days=3),
        timedelta(days=9),
        2,
    )


def test_units_of_work_of_one_instance_share_its_candidate_index() -> None:
    spec = build_spec(Settings.model_construct())
    origin = Origin(source="/regions/test/matching", region="test", correlation_id=uuid4())
    # No connection is used to build one; the repositories only hold it.
    first = spec.unit_of_work(None, origin, SystemClock(), None)  # type: ignore[arg-type]
    second = spec.unit_of_work(None, origin, SystemClock(), None)  # type: ignore[arg-type]
    other_instance = build_spec(Settings.model_construct()).unit_of_work(None, origin, SystemClock(), None)  # type: ignore[arg-type]

    assert isinstance(first, PostgresMatchingUnitOfWork)
    assert isinstance(second, PostgresMatchingUnitOfWork)
    assert isinstance(other_instance, PostgresMatchingUnitOfWork)
    assert first.candidates.cache is second.candidates.cache
    assert first.candidates.cache is not other_instance.candidates.cache


def test_the_api_keeps_its_routes() -> None:
    routes = {(method, route.path) for router in SPEC.routers for route in router.routes for method in route.methods}

    assert routes == {
        ("GET", "/v1/centrales/{centrale_id}/tasks/{task_id}/proposals"),
        ("GET", "/v1/centrales/{centrale_id}/team-days"),
        ("POST", "/v1/centrales/{centrale_id}/team-days/{day_id}/assign"),
        ("GET", "/v1/centrales/{centrale_id}/proposals"),
        ("GET", "/v1/centrales/{centrale_id}/work-queue"),
        ("POST", "/v1/centrales/{centrale_id}/proposals/{match_id}/approve"),
        ("POST", "/v1/centrales/{centrale_id}/proposals/{match_id}/accept"),
        ("POST", "/v1/centrales/{centrale_id}/proposals/{match_id}/agree"),
        ("GET", "/v1/centrales/{centrale_id}/proposals/{match_id}/mediation"),
        ("POST", "/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/responses"),
        ("POST", "/v1/centrales/{centrale_id}/proposals/{match_id}/decline"),
        ("POST", "/v1/centrales/{centrale_id}/matches/{match_id}/end"),
        ("GET", "/v1/centrales/{centrale_id}/volunteers/{volunteer_id}/proposals"),
        ("GET", "/v1/me/proposals"),
        ("POST", "/v1/me/interests"),
        ("POST", "/v1/me/proposals/{match_id}/decline"),
        ("POST", "/v1/me/proposals/{match_id}/agree"),
        ("POST", "/v1/me/matches/{match_id}/end"),
        ("PUT", "/v1/postcode-areas"),
        ("POST", "/v1/maintenance/run"),
    }
