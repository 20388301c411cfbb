"""Use cases of centrales, on the fakes."""

from __future__ import annotations

import pytest

from common.errors import Conflict
from registry.use_cases.centrales import CreateCentrale, ListCentrales, create_centrale, list_centrales
from tests.registry.fakes import FakeRegistryUnitOfWork


async def test_a_centrale_is_added_once_and_listed_by_id(uow: FakeRegistryUnitOfWork) -> None:
    await create_centrale(CreateCentrale("vc-zeist", "Vrijwilligerscentrale Zeist", "GM0355"), uow)
    await create_centrale(CreateCentrale("vc-utrecht", "Vrijwilligerscentrale Utrecht", "GM0344"), uow)

    with pytest.raises(Conflict, match="vc-zeist already exists"):
        await create_centrale(CreateCentrale("vc-zeist", "Nog een", "GM0355"), uow)

    assert await list_centrales(ListCentrales(), uow) == [
        {"id": "vc-utrecht", "name": "Vrijwilligerscentrale Utrecht", "municipality_code": "GM0344"},
        {"id": "vc-zeist", "name": "Vrijwilligerscentrale Zeist", "municipality_code": "GM0355"},
    ]
    assert uow.emitted == []  # centrales are region configuration, not events
