"""What matching's routes are given besides the request: the request's unit of work, typed as matching's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from common.http import request_unit_of_work
from matching.unit_of_work import MatchingUnitOfWork

__all__ = ["MatchingUowDep"]

# Opened with the request's origin (correlation id, caller); committed when the route returns, rolled back
# when it raises. scope="function": a 2xx is only sent for what was committed.
MatchingUowDep = Annotated[MatchingUnitOfWork, Depends(request_unit_of_work, scope="function")]
