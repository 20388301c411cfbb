"""The polling loop every background worker shares: drain while there is work, rest when idle, survive a failure."""

from __future__ import annotations

import asyncio

from common.polling import PollingWorker


class Scripted(PollingWorker):
    """A worker whose rounds return (or raise) what the test scripted, then 0."""

    def __init__(self, script: list[int | Exception], *, rest_after_work: bool = False) -> None:
        super().__init__("scripted", poll_interval_s=60, rest_after_work=rest_after_work)
        self.script = script
        self.rounds = 0
        self.calls: list[str] = []
        self.ran = asyncio.Condition()

    async def opening(self) -> None:
        self.calls.append("opening")

    async def closing(self) -> None:
        self.calls.append("closing")

    async def round(self) -> int:
        self.rounds += 1
        async with self.ran:
            self.ran.notify_all()
        step = self.script.pop(0) if self.script else 0
        if isinstance(step, Exception):
            raise step
        return step


async def _until_rounds(worker: Scripted, rounds: int) -> None:
    async with asyncio.timeout(5), worker.ran:
        await worker.ran.wait_for(lambda: worker.rounds >= rounds)


async def test_a_backlog_is_drained_without_rest_and_a_failed_round_rests_the_worker_which_lives_on() -> None:
    worker = Scripted([3, 2, RuntimeError("database away"), 1])
    await worker.start()

    await _until_rounds(worker, 3)  # 3 and 2 back to back, then the failing round
    await asyncio.sleep(0.2)
    assert worker.rounds == 3, "after a failed round the worker rests (60 s here) instead of spinning"
    loop = asyncio.get_running_loop()
    started = loop.time()
    await worker.stop(timeout=5.0)
    assert loop.time() - started < 2.0, "stop wakes a resting worker"
    assert worker.calls == ["opening", "closing"]
    assert worker.stopping


async def test_a_sampler_like_worker_rests_after_every_round() -> None:
    worker = Scripted([1, 1, 1], rest_after_work=True)
    await worker.start()
    await _until_rounds(worker, 1)
    await asyncio.sleep(0.2)
    assert worker.rounds == 1
    await worker.stop(timeout=5.0)


async def test_stop_returns_within_its_timeout_when_a_round_hangs() -> None:
    class Hanging(Scripted):
        async def round(self) -> int:
            await asyncio.sleep(60)
            return 0

    worker = Hanging([])
    await worker.start()
    await asyncio.sleep(0.05)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await worker.stop(timeout=0.2)
    assert loop.time() - started < 1.0
    assert worker.calls == ["opening", "closing"]
