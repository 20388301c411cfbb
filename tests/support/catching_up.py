"""Stand-ins for what deferred work asks of a service's consumer, and a clock a test moves."""

from __future__ import annotations


class CatchingUpConsumer:
    """Stands in for the service's EventConsumer: only whether it is catching up."""

    def __init__(self) -> None:
        self.behind = True

    def backlogged_within(self, seconds: float) -> bool:
        """Whether it is behind (the window is the caller's; the test decides)."""
        return self.behind


class MovingClock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
