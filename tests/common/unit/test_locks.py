"""Every advisory lock id the platform takes is named once in common.locks, and no two are the same."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.locks import STRIPED, KeyedLock, Lock, keyed_xact_lock, keyed_xact_locks, try_keyed_xact_lock

ROOT = Path(__file__).resolve().parents[3]


def test_whole_lock_ids_are_distinct() -> None:
    values = [lock.value for lock in Lock]
    assert len(values) == len(set(values)), {lock.name: lock.value for lock in Lock}


def test_keyed_namespaces_are_distinct_and_fit_an_int4() -> None:
    values = [namespace.value for namespace in KeyedLock]
    assert len(values) == len(set(values))
    assert all(0 < value < 2**31 for value in values)


def test_whole_lock_ids_lie_outside_the_int4_range_of_hashed_keys() -> None:
    # Code that still hashes a key into the one-bigint form (hashtext gives an int4) can never hit one of them.
    assert all(lock.value > 2**31 for lock in Lock)


def test_the_reporting_rebuild_no_longer_shares_the_erasure_gate() -> None:
    # The defect that made this registry: a running rebuild held the id every live hours batch waited on.
    assert Lock.REPORTING_REBUILD != Lock.REPORTING_ERASURE_GATE


def test_no_module_spells_an_advisory_lock_id_of_its_own() -> None:
    """Advisory-lock calls take their id from common.locks, never from a literal number."""
    literal_call = re.compile(r"pg_(try_)?advisory_(xact_)?lock(_shared)?\(\s*(\d|hashtext)")
    literal_constant = re.compile(r"=\s*7_301_555_\d+")
    offenders = []
    for path in (ROOT / "services").rglob("*.py"):
        if path.name == "locks.py":
            continue
        text = path.read_text()
        if literal_call.search(text) or literal_constant.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


async def test_a_namespace_is_taken_either_by_stripes_or_by_its_keys_own_locks() -> None:
    # A key's stripe and the key's own lock would not exclude each other: mixing them would lose the turns.
    striped, whole = next(iter(STRIPED)), KeyedLock.JOB
    assert whole not in STRIPED
    no_connection = None
    with pytest.raises(ValueError, match="stripes"):
        await keyed_xact_lock(no_connection, striped, "k")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="stripes"):
        await try_keyed_xact_lock(no_connection, striped, "k")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a striped namespace"):
        await keyed_xact_locks(no_connection, whole, ["k"])  # type: ignore[arg-type]
