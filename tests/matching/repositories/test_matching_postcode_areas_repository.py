"""PostcodeAreaRepository behaviour, on the fake and on PostgreSQL."""

from __future__ import annotations

from matching.domain.geo import Centroid
from matching.unit_of_work import MatchingUnitOfWork
from tests.matching.builders import AREAS


async def test_loaded_centroids_are_where_distances_are_measured_from(uow: MatchingUnitOfWork) -> None:
    assert await uow.postcode_areas.load(AREAS) == len(AREAS)

    assert await uow.postcode_areas.coordinates("3701") == (52.0894, 5.2330)
    assert await uow.postcode_areas.coordinates("9999") is None


async def test_loading_an_area_again_moves_its_centroid(uow: MatchingUnitOfWork) -> None:
    await uow.postcode_areas.load([Centroid("3511", 52.0, 5.0)])
    await uow.postcode_areas.load([Centroid("3511", 52.1, 5.1)])

    assert await uow.postcode_areas.coordinates("3511") == (52.1, 5.1)
