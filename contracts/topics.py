"""The topic catalogue: the one place that names every topic, its key, partitions and retention.

A provisioning step creates exactly these topics; brokers run with auto-creation off. Partition counts
are fixed up front because changing them later remaps keys to other partitions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.events import EVENT_TYPES

__all__ = [
    "DEAD_LETTER_RETENTION_DAYS",
    "TOPICS",
    "TopicSpec",
    "dead_letter_topic",
    "is_dead_letter_topic",
    "topic_for",
    "with_dead_letter_retention",
]

FOREVER = -1
HOUR_MS = 60 * 60 * 1000
DAY_MS = 24 * HOUR_MS
# Dead letters are kept long enough for ops to fix the cause and re-drive them; provisioning applies the
# region's DEAD_LETTER_RETENTION_DAYS instead (common.provision), this is its default.
DEAD_LETTER_RETENTION_DAYS = 90


class TopicSpec(BaseModel):
    """One Kafka topic: its name, what its key is, how it is partitioned and how long it keeps records."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="Topic name: <producer>.<stream>.v<N>, dead letters <topic>.dlq.")
    key: str = Field(description="What the record key is.")
    partitions: int = Field(ge=1)
    retention_ms: int = Field(description="retention.ms; -1 keeps records forever (projections replay).")
    cleanup_policy: Literal["delete", "compact"] = "delete"
    extra_configs: dict[str, str] = Field(
        default_factory=dict, description="Further topic configs (a compacted topic's compaction timing)."
    )
    published_first: bool = Field(
        False,
        description="The outbox relay publishes this topic's rows of a batch, acknowledged, before the others: a"
        " volunteer's key is on Kafka before any event sealed with it.",
    )
    dead_letters: bool = Field(True, description="Whether consumers' failures on it go to <topic>.dlq.")
    description: str = ""

    def configs(self) -> dict[str, str]:
        """Kafka topic configs to create the topic with."""
        return {"retention.ms": str(self.retention_ms), "cleanup.policy": self.cleanup_policy, **self.extra_configs}


def dead_letter_topic(topic: str) -> str:
    """Name of the dead-letter topic that holds records a consumer of ``topic`` could not process."""
    return f"{topic}.dlq"


def is_dead_letter_topic(topic: str) -> bool:
    """Whether ``topic`` is a dead-letter topic."""
    return topic.endswith(".dlq")


_STREAMS = (
    TopicSpec(
        name="registry.volunteers.v1",
        key="volunteer id",
        partitions=6,
        retention_ms=FOREVER,
        description="Volunteer lifecycle: registered, profile updated, consent changed, erased. No name or contact"
        " data; the profile (area, age band, skills, support need, target groups, ...) only sealed (sealed_special).",
    ),
    TopicSpec(
        name="registry.volunteer-keys.v1",
        key="volunteer id",
        partitions=6,
        retention_ms=FOREVER,
        cleanup_policy="compact",
        # How soon a tombstone removes the key from Kafka (README "Crypto-shredding"): a segment closes at the first
        # record after an hour, and a record is compacted at most an hour after it was written; the tombstone
        # itself stays a day for consumers that were behind.
        extra_configs={
            "segment.ms": str(HOUR_MS),
            "max.compaction.lag.ms": str(HOUR_MS),
            "min.compaction.lag.ms": "0",
            "delete.retention.ms": str(DAY_MS),
            "min.cleanable.dirty.ratio": "0.01",
        },
        published_first=True,
        # A key never goes to a dead-letter topic: that copy would outlive the tombstone.
        dead_letters=False,
        description="Each volunteer's data key, wrapped with the region's key-encryption key; a tombstone on"
        " erasure. Compacted: erasure removes the key, and with it every sealed field of the volunteer.",
    ),
    TopicSpec(
        name="registry.organisations.v1",
        key="organisation id",
        partitions=3,
        retention_ms=FOREVER,
        description="Organisation lifecycle: registered, admitted, refused.",
    ),
    TopicSpec(
        name="registry.credentials.v1",
        key="credential id",
        partitions=1,
        retention_ms=FOREVER,
        cleanup_policy="delete",
        description="API credentials issued and revoked (token hashes only); every service authenticates from it.",
    ),
    TopicSpec(
        name="registry.partners.v1",
        key="business partner id",
        partitions=1,
        retention_ms=FOREVER,
        description="Business partners registered in the region.",
    ),
    TopicSpec(
        name="registry.volunteer-days.v1",
        key="volunteer day id",
        partitions=3,
        retention_ms=FOREVER,
        description="Business partners' team volunteer days: posted, hours logged.",
    ),
    TopicSpec(
        name="registry.tasks.v1",
        key="task id",
        partitions=6,
        retention_ms=FOREVER,
        description="Task lifecycle: posted, updated, closed (filled, closed, expired).",
    ),
    TopicSpec(
        name="registry.hours.v1",
        key="volunteer id",
        partitions=6,
        retention_ms=FOREVER,
        description="Hours per match: logged, corrected, rejected.",
    ),
    TopicSpec(
        name="registry.beursvloer.v1",
        key="offer, request or deal id",
        partitions=3,
        retention_ms=FOREVER,
        description="The Beursvloer: offers and requests posted and closed, deals made and followed up. Ids,"
        " categories and amounts only; the words stay in the registry.",
    ),
    TopicSpec(
        name="registry.trainings.v1",
        key="training id",
        partitions=3,
        retention_ms=FOREVER,
        description="The kennisfunctie: trainings and advice sessions scheduled, changed, cancelled; attendance.",
    ),
    TopicSpec(
        name="matching.matches.v1",
        key="match id",
        partitions=6,
        retention_ms=FOREVER,
        description="Match lifecycle: proposed, approved, accepted, agreed, made, declined, expired, ended.",
    ),
    TopicSpec(
        name="matching.volunteer-days.v1",
        key="volunteer day id",
        partitions=3,
        retention_ms=FOREVER,
        description="Outcomes of matching business partners' volunteer days.",
    ),
    TopicSpec(
        name="matching.beursvloer.v1",
        key="pair id",
        partitions=3,
        retention_ms=FOREVER,
        description="Beursvloer pairs matching proposes: an offer and a request that fit, with the reasons.",
    ),
    TopicSpec(
        name="appreciation.awards.v1",
        key="recipient id (volunteer or business partner)",
        partitions=3,
        retention_ms=FOREVER,
        description="Appreciation awarded: milestones, thanks; never payment.",
    ),
)

_DEAD_LETTERS = tuple(
    TopicSpec(
        name=dead_letter_topic(stream.name),
        key="key of the original record",
        partitions=1,
        retention_ms=DEAD_LETTER_RETENTION_DAYS * DAY_MS,
        description=f"Records a consumer of {stream.name} could not process, with the reason in headers.",
    )
    for stream in _STREAMS
    if stream.dead_letters
)

TOPICS: tuple[TopicSpec, ...] = _STREAMS + _DEAD_LETTERS

_BY_NAME = {topic.name: topic for topic in TOPICS}


def with_dead_letter_retention(topics: tuple[TopicSpec, ...], days: int) -> tuple[TopicSpec, ...]:
    """``topics`` with every dead-letter topic keeping its records ``days`` days (the region's setting)."""
    if days < 1:
        raise ValueError("dead letters must be kept at least a day")
    return tuple(
        topic.model_copy(update={"retention_ms": days * DAY_MS}) if is_dead_letter_topic(topic.name) else topic
        for topic in topics
    )


def topic_for(name: str) -> TopicSpec:
    """The catalogue entry for a topic name; KeyError when the catalogue does not name it."""
    return _BY_NAME[name]


def _check_every_event_has_a_topic() -> None:
    """Fail at import when an event names a topic the catalogue lacks: a typo must not reach a broker."""
    for event_type, model in EVENT_TYPES.items():
        if model.topic not in _BY_NAME:
            raise LookupError(f"{event_type} names unknown topic {model.topic}")


_check_every_event_has_a_topic()
