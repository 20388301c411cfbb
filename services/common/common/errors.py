"""Use-case errors every service shares; ``common.http.UseCaseRoute`` turns them into 404, 409 and 422.

Exception
├── NotFound    the record does not exist, or not for this caller's tenant (not told apart)
├── Conflict    the command contradicts the record's current state
└── Rejected    the command breaks a rule; carries every reason and the field it concerns
"""

from __future__ import annotations

__all__ = ["Conflict", "NotFound", "Rejected"]


class NotFound(Exception):
    """The record does not exist, or not for this caller's tenant (the two are not told apart)."""


class Conflict(Exception):
    """The command contradicts the record's current state (e.g. publishing a closed task)."""


class Rejected(Exception):
    """The command breaks a rule; ``reasons`` say which, ``field`` where (None: the request as a whole)."""

    def __init__(self, reasons: list[str], field: str | None = None) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.field = field
