"""Appreciation use cases: one async function per command or query, each in one transaction."""

from appreciation.use_cases._shared import Conflict, NotFound, Origin, Rejected

__all__ = ["Conflict", "NotFound", "Origin", "Rejected"]
