"""Operations on a running region: consumer lag, dead letters (list, inspect, re-drive), projection replay.

The command line is ``python -m common.ops``; these functions are what it runs, usable from tests too.
"""

from common.ops.deadletters import (
    REDRIVE_GROUP,
    DeadLetter,
    dead_letter_topics,
    read_dead_letter,
    read_dead_letters,
    redrive,
    redrive_one,
    redrive_pending,
)
from common.ops.groups import (
    GroupActiveError,
    GroupMember,
    PartitionLag,
    commit_offsets,
    committed_offsets,
    consumer_lag,
    describe_group,
    end_offsets,
    reset_offsets,
    wait_until_caught_up,
)
from common.ops.replay import ReplayResult, load_spec, replay_projection

__all__ = [
    "REDRIVE_GROUP",
    "DeadLetter",
    "GroupActiveError",
    "GroupMember",
    "PartitionLag",
    "ReplayResult",
    "commit_offsets",
    "committed_offsets",
    "consumer_lag",
    "dead_letter_topics",
    "describe_group",
    "end_offsets",
    "load_spec",
    "read_dead_letter",
    "read_dead_letters",
    "redrive",
    "redrive_one",
    "redrive_pending",
    "replay_projection",
    "reset_offsets",
    "wait_until_caught_up",
]
