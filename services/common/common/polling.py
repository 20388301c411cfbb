"""A background loop that polls for work: do a round, rest when there was nothing to do, stop when told.

Mail and webhook senders, reporting's hours folder and the metrics sampler are all such loops; they share
how they start, rest and stop here, and each says only what one round does.
"""

from __future__ import annotations

import asyncio
import contextlib
from abc import ABC, abstractmethod

from common.logging import get_logger

__all__ = ["PollingWorker"]

log = get_logger(__name__)


class PollingWorker(ABC):
    """A ``BackgroundWorker`` that runs ``round()`` until stopped, resting ``poll_interval_s`` after an idle round.

    ``name``: the asyncio task's name and the ``worker`` field of its log lines. ``rest_after_work``: rest after
    every round (a sampler), not only after one that found nothing (a sender that drains a backlog first).
    """

    def __init__(self, name: str, poll_interval_s: float, *, rest_after_work: bool = False) -> None:
        self.name = name
        self._poll_interval_s = poll_interval_s
        self._rest_after_work = rest_after_work
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def stopping(self) -> bool:
        """Whether the worker was told to stop (a long round checks it between items)."""
        return self._stopping.is_set()

    async def start(self) -> None:
        """Open what the rounds need, then run them in the background."""
        await self.opening()
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self, timeout: float) -> None:
        """Finish the round in hand within ``timeout`` seconds (else cancel it: its transaction rolls back)."""
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=timeout)
            except TimeoutError:
                log.warning("worker_stop_timed_out", worker=self.name, timeout_s=timeout)
        await self.closing()

    async def opening(self) -> None:
        """Before the first round (e.g. open an HTTP client); nothing by default."""
        return None

    async def closing(self) -> None:
        """After the last round (close what ``opening`` opened); nothing by default."""
        return None

    @abstractmethod
    async def round(self) -> int:
        """Do what is due now; how many items were handled (0: rest before the next round)."""

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                handled = await self.round()
            except Exception:
                # A round that fails (database or server away) is tried again after a rest; the worker lives on.
                log.warning("worker_round_failed", worker=self.name, exc_info=True)
                handled = 0
            if handled and not self._rest_after_work:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._poll_interval_s)
