"""Use-case tests on the fakes: a fake registry unit of work at a fixed moment, no Kafka, no PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

import pytest

from common.clock import ManualClock
from common.uow import Origin
from tests.registry.builders import NOW
from tests.registry.fakes import FakeRegistryUnitOfWork


@pytest.fixture
def clock() -> ManualClock:
    """The clock of the fake unit of work, standing at NOW until a test moves it (then ``uow.renew()``)."""
    return ManualClock(NOW)


@pytest.fixture
def uow(clock: ManualClock) -> FakeRegistryUnitOfWork:
    """A fresh fake registry unit of work, as a request of a caller without a centrale would get."""
    origin = Origin(source="/regions/testregio/registry", region="testregio", correlation_id=uuid4())
    return FakeRegistryUnitOfWork(origin, clock)
