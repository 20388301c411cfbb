"""Every PostgreSQL advisory lock the platform takes, named in one place so no two can share an id.

Two kinds: whole locks (one bigint id each, ``Lock``) and keyed locks (a namespace and a text key, taken
with the two-int form ``pg_advisory_xact_lock(namespace, hashtext(key))``, or of the key's stripe where a
transaction names many keys: ``STRIPED``). PostgreSQL keeps the two forms
apart (``objsubid`` 1 and 2 in ``pg_locks``), so a keyed lock never collides with a whole one, and
namespaces keep keys of different kinds apart. ``@unique`` refuses a duplicate value at import time;
``tests/common/unit/test_locks.py`` checks it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, unique
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from common.db import Connection

__all__ = ["KEY_STRIPES", "STRIPED", "KeyedLock", "Lock", "keyed_xact_lock", "keyed_xact_locks", "try_keyed_xact_lock"]


@unique
class Lock(IntEnum):
    """Whole advisory locks (bigint ids; any value works, it only has to be the same everywhere)."""

    # Instances starting together apply migrations one at a time (session lock, common/db.py).
    MIGRATIONS = 7_301_555_001
    # One outbox relay publishes at a time, which keeps per-key order (transaction lock, common/outbox.py).
    OUTBOX_RELAY = 7_301_555_002
    # Reporting: live projections hold it shared; the rebuild's switch-over holds it exclusively.
    REPORTING_SWITCH_GATE = 7_301_555_101
    # Reporting: one rebuild at a time (session lock held for the rebuild's duration).
    REPORTING_REBUILD = 7_301_555_102
    # Reporting: match and hours projections hold it shared; an erasure holds it exclusively.
    # (It once shared REPORTING_REBUILD's id, so a running rebuild stalled every live projection.)
    REPORTING_ERASURE_GATE = 7_301_555_103
    # Reporting: a transaction that changes the aggregates (every projection but new hours, the fold) holds it
    # exclusively, after the switch gate and before any other lock (reporting.projections._common).
    REPORTING_AGGREGATES = 7_301_555_104


@unique
class KeyedLock(IntEnum):
    """Namespaces of keyed advisory locks (int4; the key is hashed into the second int)."""

    # Registry: hours of one volunteer are checked against the 24-hour day one transaction at a time.
    VOLUNTEER_HOURS = 1
    # Reporting: one writer per municipality agreement and period.
    AGREEMENT = 2
    # Scheduled and on-demand jobs: one run of a job at a time across instances (common/scheduler.py).
    JOB = 3
    # Matching, per centrale: a volunteer's re-evaluation and a task's candidate search take turns, so
    # neither misses the other's change (matching/unit_of_work.py).
    MATCHING_CENTRALE = 4
    # Reporting, per task and per volunteer: projections on different topics that derive facts from each
    # other's rows (a task's first match, a match's task area, a volunteer's activity) take turns.
    REPORTING_ENTITY = 5
    # Appreciation, per volunteer: a consumer transaction about several volunteers waits for each one's turn,
    # in one order, before it locks any of their rows (appreciation.handlers.take_turns).
    APPRECIATION_VOLUNTEER = 6
    # Registry: one import per centrale and source system at a time, so two runs of the same file cannot
    # both find an external id new (registry/use_cases/imports.py).
    REGISTRY_IMPORT = 45
    # Matching, region-wide (key "region"): a posted team day's search for tasks, a team task's search for
    # open days and staff assigning one to the other take turns (matching/unit_of_work.py).
    MATCHING_TEAM_DAYS = 18


# How many locks the keys of a striped namespace share (a power of two: the stripe is the hash's low bits).
KEY_STRIPES = 1024

# The namespaces taken many keys at a time (``keyed_xact_locks``), through their stripes; the others take one
# key's own lock (``keyed_xact_lock``). A namespace is one or the other: a key's stripe and the key's own lock
# would not exclude each other. Reporting's fold stripes ``REPORTING_ENTITY`` in SQL the same way.
STRIPED = frozenset({KeyedLock.REPORTING_ENTITY, KeyedLock.APPRECIATION_VOLUNTEER})


def _refuse_striped(namespace: KeyedLock) -> None:
    """A striped namespace's keys have no locks of their own."""
    if namespace in STRIPED:
        raise ValueError(f"{namespace.name} is taken by stripes: use keyed_xact_locks")


async def keyed_xact_lock(conn: Connection, namespace: KeyedLock, key: str, *, shared: bool = False) -> None:
    """Wait for the keyed lock until the transaction ends (shared: alongside other shared holders)."""
    _refuse_striped(namespace)
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    await conn.execute(f"SELECT {function}($1::int, hashtext($2))", int(namespace), key)


async def keyed_xact_locks(
    conn: Connection, namespace: KeyedLock, keys: Iterable[str], *, shared: bool = False
) -> None:
    """Wait for the stripes of several keys until the transaction ends, in stripe order: such callers never deadlock.

    A key's lock is its stripe's (``hashtext(key) & (KEY_STRIPES - 1)``), so a transaction holds at most
    ``KEY_STRIPES`` of PostgreSQL's lock slots however many keys it names: the slots are shared by the whole
    server (``max_locks_per_transaction`` times connections, 6,400 by default) and a batch of 2,000 events names up
    to 4,000 keys. Two keys of one stripe take turns although nothing requires it; batches of a few events rarely
    meet, bulk batches mostly do. ``shared``: alongside other shared holders (readers of what the keys guard),
    exclusive of the rest.
    """
    if namespace not in STRIPED:
        raise ValueError(f"{namespace.name} is not a striped namespace (common.locks.STRIPED)")
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    await conn.execute(
        f"SELECT {function}($1::int, stripe)"  # noqa: S608 (one of two constant names)
        " FROM (SELECT DISTINCT hashtext(k) & $3::int AS stripe FROM unnest($2::text[]) AS k ORDER BY stripe) AS s",
        int(namespace),
        list(set(keys)),
        KEY_STRIPES - 1,
    )


async def try_keyed_xact_lock(conn: Connection, namespace: KeyedLock, key: str) -> bool:
    """Take the keyed lock until the transaction ends if nobody holds it; False when somebody does."""
    _refuse_striped(namespace)
    taken: bool = await conn.fetchval("SELECT pg_try_advisory_xact_lock($1::int, hashtext($2))", int(namespace), key)
    return taken
