"""The cube cache serves a cube only for the read version and the moments it was built for."""

from __future__ import annotations

from datetime import datetime

from reporting.cube import Cube
from reporting.periods import Period
from reporting.read_cache import CubeCache

YEAR, QUARTER = Period.parse("2026"), Period.parse("2026-Q1")
NOW, LATER = datetime(2026, 6, 1, 10, 0), datetime(2026, 6, 1, 12, 0)


def _cube(period: Period = YEAR) -> Cube:
    return Cube(period, {}, {}, {}, {})


def test_a_cube_is_served_for_its_version_until_its_moment() -> None:
    cache, cube = CubeCache(), _cube()
    cache.put(YEAR, 7, LATER, cube)

    assert cache.get(YEAR, 7, NOW) is cube
    assert cache.get(YEAR, 8, NOW) is None  # something it was built from changed
    assert cache.get(YEAR, 7, LATER) is None  # a match reached its mark, or the month turned
    assert cache.get(QUARTER, 7, NOW) is None


def test_a_read_of_an_older_snapshot_does_not_replace_a_newer_cube() -> None:
    cache, newer, older = CubeCache(), _cube(), _cube()
    cache.put(YEAR, 8, LATER, newer)
    cache.put(YEAR, 7, LATER, older)

    assert cache.get(YEAR, 8, NOW) is newer


def test_the_least_recently_read_period_goes_first() -> None:
    cache = CubeCache(size=2)
    cache.put(YEAR, 1, LATER, _cube())
    cache.put(QUARTER, 1, LATER, _cube(QUARTER))
    assert cache.get(YEAR, 1, NOW) is not None  # read: now the most recent
    cache.put(Period.parse("2026-03"), 1, LATER, _cube())

    assert cache.get(QUARTER, 1, NOW) is None
    assert cache.get(YEAR, 1, NOW) is not None


def test_a_period_has_one_turn_per_version_and_older_turns_go() -> None:
    cache = CubeCache()
    first = cache.turn(YEAR, 7)

    assert cache.turn(YEAR, 7) is first
    newer = cache.turn(YEAR, 8)
    assert newer is not first
    assert cache.turn(QUARTER, 7) is not first  # another period, its own turns
    assert cache.turn(YEAR, 7) is not first  # version 7's unheld turn was let go when 8's came
