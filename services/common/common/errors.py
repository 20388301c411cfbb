"""The one error tree every service shares; the service runner answers each with its HTTP status.

Exception
├── UseCaseError        a command was refused; never a server error
│   ├── NotFound        404: the record does not exist, or not for this caller's tenant (not told apart)
│   ├── Forbidden       403: the caller's role may not do this
│   ├── Conflict        409: the command contradicts the record's current state
│   └── Rejected        422: the command breaks a rule; carries every reason and where it applies
└── ContractViolation   an event that can never be processed as it is: the consumer dead-letters it
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Conflict", "ContractViolation", "Forbidden", "NotFound", "Rejected", "UseCaseError"]

Field = str | tuple[str | int, ...] | None
"""A request field: a name, a path into the body, or None for the request as a whole."""


class UseCaseError(Exception):
    """A use case refused a command; the caller gets a 4xx, the transaction is rolled back."""


class NotFound(UseCaseError):
    """The record does not exist, or not for this caller's tenant (the two are not told apart)."""


class Forbidden(UseCaseError):
    """The caller's role may not do this (a tenant mismatch is NotFound instead, so nothing leaks)."""


class Conflict(UseCaseError):
    """The command contradicts the record's current state (e.g. publishing a closed task)."""


class Rejected(UseCaseError):
    """The command breaks a rule; ``reasons`` say which, ``field`` where (None: the request as a whole).

    ``field`` is a name or a path into the request (``("kpis", 2, "district")``); ``location`` is the part
    of the request it is in (``body``, ``query``, ``path``, ``header``), as in FastAPI's validation errors.
    ``fields`` instead places each reason at its own field (same order as ``reasons``), so a form can show
    every reason where it applies.
    """

    def __init__(
        self,
        reasons: Sequence[str],
        field: Field = None,
        location: str = "body",
        *,
        fields: Sequence[Field] | None = None,
    ) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)
        self.field = field
        self.location = location
        self.fields = list(fields) if fields is not None else [field] * len(self.reasons)
        if len(self.fields) != len(self.reasons):
            raise ValueError("one field per reason")

    @property
    def loc(self) -> list[str | int]:
        """Where the reasons apply, as FastAPI spells it: the location, then the field's path."""
        return self._loc(self.field)

    def _loc(self, field: Field) -> list[str | int]:
        if field is None:
            return [self.location]
        path = (field,) if isinstance(field, str) else field
        return [self.location, *path]

    def detail(self) -> list[dict[str, object]]:
        """The reasons as FastAPI-style validation details: one entry per reason, located at its field."""
        return [
            {"loc": self._loc(field), "msg": reason, "type": "rejected"}
            for field, reason in zip(self.fields, self.reasons, strict=True)
        ]


class ContractViolation(Exception):
    """A record that can never be processed as it is: malformed, invalid or of an unknown type."""
