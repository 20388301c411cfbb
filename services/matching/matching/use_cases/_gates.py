"""A refusal that names the gates: each failed gate as a 422 detail with its code and whether it may be set aside."""

from __future__ import annotations

from collections.abc import Sequence

from common.errors import Rejected
from matching.domain.scoring import FailedGate

__all__ = ["GatesFailed"]


class GatesFailed(Rejected):
    """The volunteer does not pass these gates (422); the detail tells the portal which, and which a consulent
    could override."""

    def __init__(self, failed: Sequence[FailedGate], field: str = "task_id") -> None:
        super().__init__([gate.message for gate in failed], field=field)
        self.failed = list(failed)

    def detail(self) -> list[dict[str, object]]:
        """One entry per failed gate: where, the Dutch sentence, the gate and whether it is overridable."""
        return [
            {
                "loc": self.loc,
                "msg": gate.message,
                "type": "gate",
                "gate": gate.gate.value,
                "overridable": gate.overridable,
            }
            for gate in self.failed
        ]
