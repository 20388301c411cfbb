"""The relay's partitioner sends every key where aiokafka's default partitioner (Kafka's murmur2) would."""

from __future__ import annotations

import random
import uuid

from aiokafka.partitioner import DefaultPartitioner, murmur2

from common.partitioning import BatchPartitioner, murmur2_many


def _keys() -> list[bytes]:
    """Random keys of every length from 0 to 80 bytes (each tail length), UUIDs as the outbox keys them, and a few
    known ones."""
    rng = random.Random(20261206)
    keys = [bytes(rng.getrandbits(8) for _ in range(length)) for length in range(81) for _ in range(5)]
    keys += [str(uuid.UUID(int=rng.getrandbits(128))).encode() for _ in range(500)]
    return [*keys, b"", b"vc-utrecht", "Zoë".encode(), b"\xff" * 7]


def test_the_hashes_are_aiokafkas_murmur2() -> None:
    keys = _keys()
    assert murmur2_many(keys) == [murmur2(key) for key in keys]


def test_every_key_goes_to_the_partition_the_default_partitioner_picks() -> None:
    keys = _keys()
    default = DefaultPartitioner()
    prepared, small = BatchPartitioner(), BatchPartitioner()
    prepared.prepare(keys[:300])  # the others are hashed when asked, as aiokafka would
    small.prepare(keys[:10])  # too few to vectorise: each is hashed when asked
    for partitions in ([0], list(range(6)), list(range(12))):
        for key in keys:
            assert prepared(key, partitions, partitions) == default(key, partitions, partitions)
            assert small(key, partitions, partitions) == default(key, partitions, partitions)


def test_a_record_without_a_key_goes_to_an_available_partition() -> None:
    partitioner = BatchPartitioner()
    assert partitioner(None, [0, 1, 2], [2]) == 2
