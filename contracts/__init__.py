"""Shared event contracts of the regional volunteering platform: envelope, payloads, topic catalogue.

Depends on pydantic only. Every service imports these models; no service imports another service.
"""

from contracts.envelope import EventEnvelope
from contracts.events import EVENT_TYPES, Event, event_type_of
from contracts.topics import TOPICS, TopicSpec, dead_letter_topic, topic_for

__all__ = [
    "EVENT_TYPES",
    "TOPICS",
    "Event",
    "EventEnvelope",
    "TopicSpec",
    "dead_letter_topic",
    "event_type_of",
    "topic_for",
]
