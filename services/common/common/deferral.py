"""Work that can wait gives way to a consumer catching up: reporting's fold, appreciation's outbox relay.

A burst (NLdoet, a restart after downtime) on two cores: every core-second spent folding aggregates or
publishing notifications is one the consumer does not get, so the burst is in the database later. Work
that only has to happen soon waits while the consumer is behind, for at most ``max_s`` at a time, then
does everything waiting for it and may wait again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["BACKLOG_WINDOW_S", "CatchUpDeferral", "CatchingUp"]

# The consumer counts as catching up while it had more than a batch in hand this recently (a burst's batches
# follow each other far more closely; an idle consumer never has).
BACKLOG_WINDOW_S = 1.0


class CatchingUp(Protocol):
    """What deferred work asks of the service's consumer (``EventConsumer``): whether it is behind."""

    def backlogged_within(self, seconds: float) -> bool:
        """Whether it had more than a batch in hand within the last ``seconds``."""
        ...


class CatchUpDeferral:
    """Whether work waits this round: the consumer catches up, and has not been waited for ``max_s`` yet."""

    def __init__(
        self, consumer: CatchingUp | None, max_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._consumer = consumer
        self._max_s = max_s
        self._clock = clock
        self._since: float | None = None

    def defers(self) -> bool:
        """Whether to wait this round (a consumer behind for longer than ``max_s`` is not waited for)."""
        if self._consumer is None or self._max_s <= 0 or not self._consumer.backlogged_within(BACKLOG_WINDOW_S):
            self._since = None
            return False
        now = self._clock()
        if self._since is None:
            self._since = now
        return now - self._since < self._max_s

    def worked(self) -> None:
        """The work was done: the next wait counts from here (a consumer behind for long still gets it done
        every ``max_s``)."""
        self._since = None
