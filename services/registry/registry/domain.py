"""Pure registry rules: deriving the coarse, shareable facts from personal data. No I/O."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["age_band", "postcode_area"]

_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s?([A-Za-z]{2})?\s*$")

_BANDS = ((12, 17, "12-17"), (18, 20, "18-20"), (21, 29, "21-29"), (30, 49, "30-49"), (50, 66, "50-66"))


def postcode_area(postcode: str) -> str:
    """The PC4 area of a Dutch postcode ('3511 AB' → '3511'); ValueError when it is not one."""
    match = _POSTCODE.match(postcode)
    if match is None:
        raise ValueError("not a Dutch postcode like '3511 AB'")
    return match.group(1)


def age_band(birth_date: date, today: date) -> str:
    """The age band published instead of a birth date; under-12s cannot register."""
    age = today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
    if age < 12:
        raise ValueError("volunteers must be at least 12 years old")
    for low, high, band in _BANDS:
        if low <= age <= high:
            return band
    return "67+"
