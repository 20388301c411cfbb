"""What the programmes' projections and figures share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from common.consumer import BatchContext

__all__ = ["TIMEZONE", "RunProjection"]

RunProjection = Callable[[Sequence[Any], BatchContext], Awaitable[None]]
"""A projection of a run of consecutive events of one type, in the batch's transaction."""

# Months are those of the Dutch calendar, whatever the server's time zone.
TIMEZONE = "Europe/Amsterdam"
