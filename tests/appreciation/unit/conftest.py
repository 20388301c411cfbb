"""Use cases on fakes: appreciation's unit of work in memory, its clock standing still until a test moves it."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from common.clock import ManualClock
from common.uow import Origin
from tests.appreciation.fakes import FakeAppreciationUnitOfWork

NOW = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    """The service's clock."""
    return ManualClock(NOW)


@pytest.fixture
def uow(clock: ManualClock) -> FakeAppreciationUnitOfWork:
    """A fresh unit of work on empty fake repositories."""
    origin = Origin(source="/regions/test/appreciation", region="test", correlation_id=uuid4())
    return FakeAppreciationUnitOfWork(origin, clock)
