"""Two transactions at once on a real PostgreSQL: check that the second waits for the first."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

__all__ = ["second_waits_for_first"]

Work = Callable[[asyncpg.Connection], Awaitable[Any]]

# Long enough for the second transaction to finish if nothing held it back.
_HELD_S = 0.3


async def second_waits_for_first(pool: asyncpg.Pool, first: Work, second: Work) -> None:
    """Do ``first`` in an open transaction, start ``second`` in another; it must wait until the first commits.

    Both commit in the end. On a failure the pool's reset rolls back whatever is still open.
    """
    async with pool.acquire() as first_conn, pool.acquire() as second_conn:
        first_transaction, second_transaction = first_conn.transaction(), second_conn.transaction()
        await first_transaction.start()
        await second_transaction.start()
        await first(first_conn)
        waiting = asyncio.ensure_future(second(second_conn))
        try:
            await asyncio.sleep(_HELD_S)
            assert not waiting.done(), "the second transaction went ahead while the first was open"
            await first_transaction.commit()
            await asyncio.wait_for(waiting, 10)
            await second_transaction.commit()
        finally:
            waiting.cancel()
