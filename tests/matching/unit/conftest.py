"""Matching's use cases on the fakes: a unit of work with the test's PC4 centroids loaded."""

from __future__ import annotations

import pytest

from tests.matching.builders import AREAS
from tests.matching.fakes import FakeMatchingUnitOfWork


@pytest.fixture
def uow() -> FakeMatchingUnitOfWork:
    """A fake unit of work at NOW, default policy, the test areas loaded."""
    fake = FakeMatchingUnitOfWork()
    fake.postcode_areas.areas.update({area.pc4: (area.lat, area.lon) for area in AREAS})
    return fake
