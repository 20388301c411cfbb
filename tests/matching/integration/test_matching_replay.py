"""Replaying matching's volunteer read model (the ops tool) rebuilds it without the erased and proposes nobody again.

Registry and matching run in-process on real Kafka and PostgreSQL. Two volunteers fit a task and are proposed;
one is erased. Matching stops, ``python -m common.ops replay matching``'s function resets its group on the
profile stream and empties ``volunteers``, and matching starts again: every profile since the stream began comes
back through the same handler, history stored without proposing (the replay horizon), so the kept volunteer's
row and open commitments are as before, the erased one stays gone, and no proposal is made twice. A task posted
after the replay is proposed as always.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import httpx
import pytest

from common.localinfra.postgres import create_database
from common.ops.groups import end_offsets, wait_until_caught_up
from common.ops.replay import replay_projection
from matching.config import Settings
from matching.main import build_spec, create_app
from tests.matching.integration.conftest import AREAS, TUESDAY_MORNING, World, eventually
from tests.support.registry_client import Registry, running_registry

pytestmark = pytest.mark.integration

PROFILES = "registry.volunteers.v1"
# The centrale's own rows: the replay brings back every profile on the stream, other tests' centrales' too.
VOLUNTEERS = (
    "SELECT volunteer_id, postcode_area, skills, open_commitments FROM volunteers WHERE centrale_id = $1"
    " ORDER BY volunteer_id"
)
PROPOSALS = "SELECT match_id, volunteer_id, status FROM proposals WHERE centrale_id = $1 ORDER BY match_id"


@asynccontextmanager
async def _matching(registry: Registry, settings: Settings) -> AsyncIterator[World]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://matching", timeout=30) as http,
    ):
        ops = {"Authorization": f"Bearer {settings.ops_token.get_secret_value()}"}
        assert (await http.put("/v1/postcode-areas", json=AREAS, headers=ops)).status_code == 200
        yield World(registry=registry, app=app, matching=http, matching_pool=app.state.runtime.pool, ops=ops)


async def _profile_stream_applied(bootstrap: str) -> None:
    """Until matching's group committed the end of every partition of the profile stream."""
    await wait_until_caught_up(bootstrap, "matching", await end_offsets(bootstrap, [PROFILES]), timeout=120)


async def _volunteer(world: World, centrale_id: str, staff: dict[str, str]) -> UUID:
    body = {"skills": ["koken"], "interests": ["zorg"], "availability": TUESDAY_MORNING, "postcode": "3512 AB",
            "max_distance_km": 10}  # fmt: skip
    volunteer_id = await world.registry.register_volunteer(centrale_id, staff, **body)
    await world.volunteer_in_matching(volunteer_id)
    return volunteer_id


async def test_a_replay_rebuilds_the_volunteers_without_the_erased_and_proposes_nobody_again(
    kafka_bootstrap: str, postgres_server_dsn: str
) -> None:
    ops_token = secrets.token_urlsafe(24)
    dsn = await create_database(postgres_server_dsn, f"matching_replay_{secrets.token_hex(5)}")
    settings = Settings(kafka_bootstrap_servers=kafka_bootstrap, region="testregio", database_url=dsn,
                        ops_token=ops_token, consumer_retry_backoff_s=0.05, outbox_poll_interval_s=0.2)  # fmt: skip
    async with running_registry(kafka_bootstrap, postgres_server_dsn, ops_token) as registry:
        async with _matching(registry, settings) as world:
            centrale_id, staff = await registry.new_centrale()
            organisation_id, organisation = await registry.new_organisation(centrale_id, staff)
            kept = await _volunteer(world, centrale_id, staff)
            erased = await _volunteer(world, centrale_id, staff)
            task_id = await registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
            await world.proposals(task_id, minimum=2)
            assert (await registry.http.delete(f"/v1/centrales/{centrale_id}/volunteers/{erased}",
                                               headers=staff)).status_code == 204  # fmt: skip
            await eventually(
                lambda: world.matching_pool.fetchval("SELECT 1 FROM erased_volunteers WHERE volunteer_id = $1", erased),
                "the erasure in matching",
            )
            await _profile_stream_applied(kafka_bootstrap)
            pool = world.matching_pool
            before = [dict(r) for r in await pool.fetch(VOLUNTEERS, centrale_id)]
            proposals_before = [tuple(r) for r in await pool.fetch(PROPOSALS, centrale_id)]
            outbox_before = await pool.fetchval("SELECT count(*) FROM outbox")
            assert [row["open_commitments"] for row in before if row["volunteer_id"] == kept] == [1]

        result = await replay_projection(kafka_bootstrap, build_spec(settings), dsn, wait_for_empty_s=60)
        assert result.truncated == ("volunteers",)
        assert {tp.topic for tp in result.offsets} == {PROFILES}, "the tasks (with matching's reservations) stay"

        async with _matching(registry, settings) as world:
            pool = world.matching_pool
            await _profile_stream_applied(kafka_bootstrap)
            after = [dict(r) for r in await pool.fetch(VOLUNTEERS, centrale_id)]
            assert after == before, "rebuilt as it was: the kept volunteer with their open proposal, the erased gone"
            assert erased not in {row["volunteer_id"] for row in after}
            assert [tuple(r) for r in await pool.fetch(PROPOSALS, centrale_id)] == proposals_before
            assert await pool.fetchval("SELECT count(*) FROM outbox") == outbox_before, "nothing published again"

            # After the replay matching decides as always: a new task is proposed to the kept volunteer.
            later = await registry.published_task(centrale_id, organisation_id, organisation, vog_required=False)
            [proposal] = await world.proposals(later)
            assert proposal["volunteer_id"] == kept
