"""CentraleRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import a_centrale


async def test_a_centrale_reads_back_as_stored(uow: RegistryUnitOfWork) -> None:
    centrale = a_centrale()
    assert await uow.centrales.add(centrale) is True
    assert await uow.centrales.get(centrale.id) == centrale
    assert await uow.centrales.exists(centrale.id) is True
    assert await uow.centrales.exists("vc-nowhere") is False
    assert await uow.centrales.get("vc-nowhere") is None


async def test_a_taken_id_is_refused_and_the_first_centrale_stays(uow: RegistryUnitOfWork) -> None:
    first = a_centrale()
    await uow.centrales.add(first)
    assert await uow.centrales.add(a_centrale(id=first.id, name="Tweede")) is False
    assert await uow.centrales.get(first.id) == first


async def test_all_centrales_come_by_id(uow: RegistryUnitOfWork) -> None:
    for slug in ("vc-zeist", "vc-amersfoort", "vc-utrecht"):
        await uow.centrales.add(a_centrale(id=slug))
    assert [c.id for c in await uow.centrales.all()] == ["vc-amersfoort", "vc-utrecht", "vc-zeist"]
