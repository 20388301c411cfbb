"""Centrale repository: the same behaviour in memory and on PostgreSQL."""

from __future__ import annotations

from appreciation.unit_of_work import AppreciationUnitOfWork


async def test_a_centrale_is_new_once_and_named_after_it_was_added(uow: AppreciationUnitOfWork) -> None:
    assert await uow.centrales.add_new(["vc-b", "vc-a", "vc-a"]) == ["vc-a", "vc-b"]
    assert await uow.centrales.add_new(["vc-b", "vc-c"]) == ["vc-c"]
    assert await uow.centrales.display_name("vc-a") is None

    await uow.centrales.set_display_name("vc-a", "Vrijwilligerscentrale A")
    await uow.centrales.set_display_name("vc-unknown", "Nergens")

    assert await uow.centrales.display_name("vc-a") == "Vrijwilligerscentrale A"
    assert await uow.centrales.display_name("vc-unknown") is None
