"""The background fold leaves queued hours while the consumer catches up, for at most ``fold_defer_max_s``.

During the NLdoet burst the fold and the ingest shared two cores; now the fold waits until the consumer has
caught up (or has waited its longest), and a read still folds whatever is queued before it answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from uuid import uuid4

import pytest

from reporting.folding import HoursFolder
from tests.reporting.integration.conftest import Reporting, running_reporting
from tests.reporting.integration.test_active_periods import _hours
from tests.support.catching_up import CatchingUpConsumer as _Consumer
from tests.support.catching_up import MovingClock as _Clock

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def reporting(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Reporting]:
    """A reporting service of this module's own without its background fold, which would race the tests' folds."""
    async with running_reporting(kafka_bootstrap, postgres_server_dsn, workers=False) as service:
        yield service


async def _queued(reporting: Reporting) -> int:
    count: int = await reporting.pool.fetchval("SELECT count(*) FROM hours_pending")
    return count


async def test_the_fold_waits_while_the_consumer_catches_up_and_no_longer_than_its_bound(
    reporting: Reporting,
) -> None:
    consumer, clock = _Consumer(), _Clock()
    folder = HoursFolder(reporting.pool, consumer=consumer, defer_max_s=30, clock=clock)
    person = uuid4()
    async with reporting.pool.acquire() as conn:
        for day in (date(2026, 3, 13), date(2026, 3, 14)):
            await _hours(conn, person, day, "2", nldoet=True)
    assert await _queued(reporting) == 2

    assert await folder.round() == 0, "behind: the queue is left for now"
    clock.now += 29
    assert await folder.round() == 0
    assert await _queued(reporting) == 2

    clock.now += 2  # waited longer than fold_defer_max_s: folded although the consumer is still behind
    assert await folder.round() == 2
    assert await _queued(reporting) == 0

    async with reporting.pool.acquire() as conn:
        await _hours(conn, person, date(2026, 3, 20), "1")
    assert await folder.round() == 0, "the wait starts again after a fold"
    consumer.behind = False  # caught up: folded at the next round
    assert await folder.round() == 1
    assert await _queued(reporting) == 0


async def test_without_a_consumer_or_a_bound_the_fold_never_waits(reporting: Reporting) -> None:
    async with reporting.pool.acquire() as conn:
        await _hours(conn, uuid4(), date(2026, 3, 14), "3", nldoet=True)
    assert await HoursFolder(reporting.pool).round() == 1
    async with reporting.pool.acquire() as conn:
        await _hours(conn, uuid4(), date(2026, 3, 14), "3", nldoet=True)
    never = HoursFolder(reporting.pool, consumer=_Consumer(), defer_max_s=0)
    assert await never.round() == 1
