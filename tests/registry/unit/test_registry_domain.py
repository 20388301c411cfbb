"""Coarse facts the registry shares instead of personal data."""

from __future__ import annotations

from datetime import date

import pytest

from registry.domain import age_band, postcode_area


@pytest.mark.parametrize(("postcode", "area"), [("3511 AB", "3511"), ("3511ab", "3511"), (" 1012 ", "1012")])
def test_postcode_area_is_the_pc4_part(postcode: str, area: str) -> None:
    assert postcode_area(postcode) == area


@pytest.mark.parametrize("postcode", ["0123 AB", "35111", "AB 3511", ""])
def test_postcode_area_refuses_non_dutch_postcodes(postcode: str) -> None:
    with pytest.raises(ValueError, match="Dutch postcode"):
        postcode_area(postcode)


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2014, 3, 1), "12-17"),
        (date(2005, 11, 23), "18-20"),
        (date(2005, 11, 22), "21-29"),
        (date(1990, 1, 1), "30-49"),
        (date(1960, 1, 1), "50-66"),
        (date(1950, 1, 1), "67+"),
    ],
)
def test_age_band_on_the_22nd_of_november_2026(born: date, band: str) -> None:
    assert age_band(born, date(2026, 11, 22)) == band


def test_children_under_twelve_cannot_register() -> None:
    with pytest.raises(ValueError, match="at least 12"):
        age_band(date(2016, 1, 1), date(2026, 11, 22))
