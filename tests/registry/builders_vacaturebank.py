"""Builders for vacaturebank tests: PC4 areas around Utrecht and published tasks (``a_published_task(...)``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from registry.repositories import PostcodeArea, Task
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_task, an_organisation

__all__ = ["AREAS", "a_published_task", "a_region"]

# Real-ish centroids: distances from 3511 (Utrecht centre) are about 0.6 km (3512), 3.7 km (3584),
# 7.4 km (3431 Nieuwegein), 7.6 km (3701 Zeist) and 19.5 km (3811 Amersfoort).
AREAS = (
    PostcodeArea("3511", 52.0907, 5.1214, "Utrecht", "Binnenstad"),
    PostcodeArea("3512", 52.0860, 5.1260, "Utrecht", "Binnenstad"),
    PostcodeArea("3584", 52.0850, 5.1750, "Utrecht", "Oost"),
    PostcodeArea("3431", 52.0292, 5.0806, "Nieuwegein", None),
    PostcodeArea("3701", 52.0894, 5.2330, "Zeist", "Centrum"),
    PostcodeArea("3811", 52.1561, 5.3878, "Amersfoort", None),
)


async def a_region(uow: RegistryUnitOfWork, *, organisation: str = "Voedselbank Utrecht") -> tuple[str, UUID]:
    """A centrale with an admitted organisation, and the PC4 areas loaded; their ids."""
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    org = an_organisation(centrale.id, name=organisation)
    await uow.organisations.add(org)
    await uow.postcode_areas.load(AREAS)
    return centrale.id, org.id


def a_published_task(centrale_id: str, organisation_id: UUID, *, minutes_ago: int = 0, **overrides: Any) -> Task:
    """A task published ``minutes_ago`` before NOW (the title and text of ``a_task`` unless overridden)."""
    values: dict[str, Any] = {"status": "published", "published_at": NOW - timedelta(minutes=minutes_ago)}
    return a_task(centrale_id, organisation_id, **(values | overrides))
