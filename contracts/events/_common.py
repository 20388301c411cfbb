"""Small value types shared by several event payloads."""

from __future__ import annotations

from datetime import time
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = ["AgeBand", "CentraleId", "ImportSource", "Imported", "PostcodeArea", "Weekday", "WeeklySlot"]

CentraleId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$"),
    Field(description="Slug of the centrale (tenant).", examples=["vc-utrecht"]),
]

PostcodeArea = Annotated[
    str,
    StringConstraints(pattern=r"^[1-9][0-9]{3}$"),
    Field(
        description="PC4 postcode area (four digits): coarse location, never a street address.",
        examples=["3511"],
    ),
]

# Strings rather than Enums, so a consumer built before a new value was added still parses the event.
AgeBand = Annotated[
    str,
    Field(
        description="Age band, never an exact birth date. Known values: 12-17, 18-20, 21-29, 30-49, 50-66, 67+.",
        examples=["21-29"],
    ),
]

# Records centrale staff brought in from another system (issue 18): the registry marks their events, so a
# consumer can tell a record's history from something that happens now (no thank-you for the past).
Imported = Annotated[
    bool,
    Field(description="True when the record was imported from another system by centrale staff, not made here."),
]
ImportSource = Annotated[
    str | None,
    Field(
        description="The system an imported record came from, as the centrale named it; None when not imported.",
        examples=["vrijwilligersbank"],
    ),
]

Weekday = Annotated[int, Field(ge=1, le=7, description="ISO weekday: 1 = Monday … 7 = Sunday.")]


class WeeklySlot(BaseModel):
    """A recurring weekly time window (availability of a volunteer, or a shift of a task)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    weekday: Weekday
    start: time = Field(description="Local start time.", examples=["09:00"])
    end: time = Field(description="Local end time.", examples=["12:00"])
