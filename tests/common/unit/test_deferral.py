"""Work that can wait gives way to a consumer catching up, for at most ``max_s`` at a time."""

from __future__ import annotations

from common.deferral import CatchUpDeferral
from tests.support.catching_up import CatchingUpConsumer as _Consumer
from tests.support.catching_up import MovingClock as _Clock


def test_work_waits_while_the_consumer_is_behind_until_its_bound_then_again_after_working() -> None:
    consumer, clock = _Consumer(), _Clock()
    deferral = CatchUpDeferral(consumer, 30, clock=clock)
    assert deferral.defers()
    clock.now += 29.9
    assert deferral.defers()
    clock.now += 0.2
    assert not deferral.defers(), "waited its longest: the work is done although the consumer is behind"
    deferral.worked()
    assert deferral.defers(), "the next wait counts from the work"
    consumer.behind = False
    assert not deferral.defers()
    consumer.behind = True
    clock.now += 100
    assert deferral.defers(), "caught up in between: a new wait starts"


def test_without_a_consumer_or_a_bound_nothing_waits() -> None:
    assert not CatchUpDeferral(None, 30).defers()
    assert not CatchUpDeferral(_Consumer(), 0).defers()
