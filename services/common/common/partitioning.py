"""Kafka's default partitioning of keyed records (murmur2, as the Java client and aiokafka), for many keys at once.

aiokafka's ``DefaultPartitioner`` hashes each key in pure Python: 5-12 µs a record, a third of what the outbox
relay spends per row. The relay knows a round's keys before it sends them, so it hashes them together with
numpy (well under a microsecond each) and hands the producer this partitioner, which picks the same partition
aiokafka would (``tests/common/unit/test_partitioning.py`` compares them on random keys of every length).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiokafka.partitioner import DefaultPartitioner, murmur2

if TYPE_CHECKING:
    import numpy as np

__all__ = ["BatchPartitioner", "murmur2_many"]

_SEED = 0x9747B28C
_M = 0x5BD1E995
# Fewer keys than this are hashed one by one, as aiokafka does: numpy (0.2 s to import) is loaded only once a
# round is large enough to gain from it, so a service's start and a quiet relay never pay for it.
_VECTOR_FROM = 64


def murmur2_many(keys: Sequence[bytes]) -> list[int]:
    """``aiokafka.partitioner.murmur2`` of each key, worked out per key length with uint32 array arithmetic."""
    import numpy as np  # imported here, see _VECTOR_FROM

    hashes = [0] * len(keys)
    by_length: dict[int, list[int]] = {}
    for index, key in enumerate(keys):
        by_length.setdefault(len(key), []).append(index)
    for length, indexes in by_length.items():
        data = np.frombuffer(b"".join(keys[i] for i in indexes), dtype=np.uint8).reshape(len(indexes), length)
        for index, value in zip(indexes, _murmur2_of_rows(data, length).tolist(), strict=True):
            hashes[index] = value
    return hashes


def _murmur2_of_rows(data: np.ndarray, length: int) -> np.ndarray:
    """murmur2 of each row of ``data`` (rows of ``length`` bytes); uint32 products wrap as Java's ints do."""
    import numpy as np  # imported here, see _VECTOR_FROM

    m = np.uint32(_M)
    rows = data.shape[0]
    h = np.full(rows, (_SEED ^ length) & 0xFFFFFFFF, dtype=np.uint32)
    words = length // 4
    if words:
        blocks = np.ascontiguousarray(data[:, : words * 4]).view("<u4")
        for column in range(words):
            k = blocks[:, column] * m
            k ^= k >> np.uint32(24)
            k *= m
            h *= m
            h ^= k
    base, extra = words * 4, length % 4
    if extra >= 3:
        h ^= data[:, base + 2].astype(np.uint32) << np.uint32(16)
    if extra >= 2:
        h ^= data[:, base + 1].astype(np.uint32) << np.uint32(8)
    if extra >= 1:
        h ^= data[:, base].astype(np.uint32)
        h *= m
    h ^= h >> np.uint32(13)
    h *= m
    h ^= h >> np.uint32(15)
    return h


class BatchPartitioner:
    """aiokafka's default partitioner, with the hashes of the keys about to be sent worked out beforehand.

    ``prepare`` takes a round's keys; a key not prepared is hashed as aiokafka does, and a record without a key
    goes where aiokafka's default would send it.
    """

    def __init__(self) -> None:
        self._hashes: dict[bytes, int] = {}
        self._default = DefaultPartitioner()

    def prepare(self, keys: Sequence[bytes]) -> None:
        """Hash the keys of the records about to be sent (replacing those of the round before)."""
        self._hashes = dict(zip(keys, murmur2_many(keys), strict=True)) if len(keys) >= _VECTOR_FROM else {}

    def __call__(self, key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
        """The partition of ``key`` among ``all_partitions``, as ``DefaultPartitioner`` chooses it."""
        if key is None:
            return int(self._default(key, all_partitions, available))
        found = self._hashes.get(key)
        hashed = found if found is not None else murmur2(key)
        return all_partitions[(hashed & 0x7FFFFFFF) % len(all_partitions)]
