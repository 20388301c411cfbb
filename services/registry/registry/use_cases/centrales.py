"""Centrales (tenants) of the region."""

from __future__ import annotations

from dataclasses import dataclass

from common.errors import Conflict
from registry.repositories import Centrale
from registry.unit_of_work import RegistryUnitOfWork

__all__ = ["CreateCentrale", "ListCentrales", "create_centrale", "list_centrales"]


@dataclass(frozen=True)
class CreateCentrale:
    """Add a centrale (tenant) to the region."""

    centrale_id: str
    name: str
    municipality_code: str


@dataclass(frozen=True)
class ListCentrales:
    """Every centrale of the region."""


async def create_centrale(cmd: CreateCentrale, uow: RegistryUnitOfWork) -> None:
    """Add the centrale; Conflict when the id is taken."""
    added = await uow.centrales.add(Centrale(cmd.centrale_id, cmd.name, cmd.municipality_code, uow.now()))
    if not added:
        raise Conflict(f"centrale {cmd.centrale_id} already exists")


async def list_centrales(query: ListCentrales, uow: RegistryUnitOfWork) -> list[dict[str, str]]:
    """Every centrale: id, name and municipality."""
    return [{"id": c.id, "name": c.name, "municipality_code": c.municipality_code} for c in await uow.centrales.all()]
