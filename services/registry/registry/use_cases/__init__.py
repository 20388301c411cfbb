"""Registry use cases: one async function per command, each one transaction with its outbox events."""

from registry.use_cases._shared import Conflict, NotFound, Origin, Rejected

__all__ = ["Conflict", "NotFound", "Origin", "Rejected"]
